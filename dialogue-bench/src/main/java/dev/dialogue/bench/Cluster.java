package dev.dialogue.bench;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Dialogue servers (nodes) in processes of their own: with a Redis URI they share their rooms
 * through it ({@code --redis}); without, there is one node with the in-memory broker.
 */
final class Cluster implements AutoCloseable {
  private final List<ServerProcess> nodes = new ArrayList<>();
  private final boolean[] killed;

  /**
   * @param redisUri the Redis every node uses, or null for a single memory node
   * @param rooms rooms {@code r0..} every node declares
   */
  Cluster(Launcher launcher, int count, String redisUri, int rooms) throws IOException {
    if (redisUri == null && count != 1) {
      throw new IllegalArgumentException("nodes without Redis share nothing: 1 node, not " + count);
    }
    List<String> args = redisUri == null ? List.of() : List.of("--redis", redisUri);
    killed = new boolean[count];
    try {
      for (int i = 0; i < count; i++) {
        nodes.add(launcher.start(Target.DIALOGUE, rooms, null, List.of(), args));
      }
    } catch (IOException | RuntimeException e) {
      close();
      throw e;
    }
  }

  int size() {
    return nodes.size();
  }

  ServerProcess node(int i) {
    return nodes.get(i);
  }

  int port(int i) {
    return nodes.get(i).port();
  }

  /** Each node's CPU time so far, in nanoseconds. */
  long[] cpuNanos() {
    long[] cpu = new long[nodes.size()];
    for (int i = 0; i < cpu.length; i++) {
      cpu[i] = killed[i] ? 0 : nodes.get(i).cpuNanos();
    }
    return cpu;
  }

  /** SIGKILLs node {@code i}. */
  void kill(int i) throws InterruptedException {
    killed[i] = true;
    nodes.get(i).kill();
  }

  @Override
  public void close() {
    // Closed together: each waits for its own process, which stops on end of input.
    nodes.parallelStream().forEach(ServerProcess::close);
  }
}
