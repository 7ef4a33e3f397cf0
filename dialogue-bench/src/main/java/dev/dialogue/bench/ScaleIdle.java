package dev.dialogue.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Idle connections held across nodes on Redis (issue 19): the 50,000 over three nodes, each
 * node's share from a client process of its own ({@link IdleClient}; every process has its own
 * limit of open files), in rooms of ten with members on every node. Each node's heap after a full
 * collection and RSS before and after, as {@link IdleScenario} measures one; beside it, one memory
 * node holding one node's share, for the cost of Redis per connection.
 */
final class ScaleIdle {
  private static final int JOIN_TIMEOUT_SECONDS = 400;

  private final Plan plan;
  private final ScaleOut.Sizes sizes;
  private final ScaleOut scale;
  private final Launcher launcher;
  private final PrintStream log;

  ScaleIdle(Plan plan, ScaleOut.Sizes sizes, ScaleOut scale, Launcher launcher, PrintStream log) {
    this.plan = plan;
    this.sizes = sizes;
    this.scale = scale;
    this.launcher = launcher;
    this.log = log;
  }

  List<ScaleResults.Idle> run() throws Exception {
    int nodes = sizes.idleNodes();
    int perNode = ScaleFanout.share(sizes.idleConnections(), nodes, 0);
    List<ScaleResults.Idle> all = new ArrayList<>();
    all.add(measure("1 node, memory", 1, false, perNode));
    all.add(measure(nodes + " nodes on Redis", nodes, true, sizes.idleConnections()));
    return all;
  }

  private ScaleResults.Idle measure(String title, int nodes, boolean redis, int connections)
      throws Exception {
    int perNode = ScaleFanout.share(connections, nodes, 0);
    if (perNode > sizes.idlePerClientProcess()) {
      throw new IllegalArgumentException(
          perNode + " connections per node is more than one client process holds here");
    }
    log.println("bench: idle across nodes, " + title + ", " + connections + " connections");
    int rooms = (connections + plan.roomSize() - 1) / plan.roomSize();
    String uri = redis ? scale.freshRedis() : null;
    long redisRssBefore = redis ? scale.redisRssBytes() : -1;
    try (Cluster cluster = new Cluster(launcher, nodes, uri, rooms)) {
      long[] heapBefore = new long[nodes];
      long[] rssBefore = new long[nodes];
      for (int k = 0; k < nodes; k++) {
        heapBefore[k] = cluster.node(k).heapAfterGc();
        rssBefore[k] = cluster.node(k).rssBytes();
      }
      List<ServerProcess> clients = new ArrayList<>();
      try {
        int joined = 0;
        long errors = 0;
        StringBuilder note = new StringBuilder();
        // One client process after another: with three at once (256 handshakes in flight each) on
        // a loaded 2-core machine, a trial saw nodes reset a few connections before they joined
        // (likely netty-socketio's 5 s first-data timeout).
        for (int k = 0; k < nodes; k++) {
          ServerProcess client =
              launcher.startJava(
                  "idle-client",
                  IdleClient.class.getName(),
                  null,
                  List.of(
                      "--port", Integer.toString(cluster.port(k)),
                      "--node", Integer.toString(k),
                      "--nodes", Integer.toString(nodes),
                      "--connections", Integer.toString(connections),
                      "--room-size", Integer.toString(plan.roomSize()),
                      "--timeout", Integer.toString(JOIN_TIMEOUT_SECONDS)));
          clients.add(client);
          String line = client.await("JOINED ", JOIN_TIMEOUT_SECONDS + 60);
          if (line == null) {
            note.append("client process ").append(k).append(" did not report; ");
            continue;
          }
          String[] f = line.split(" ", 4);
          joined += Integer.parseInt(f[1]);
          errors += Long.parseLong(f[2]);
          if (!f[3].equals("-")) {
            note.append("first error: ").append(f[3]).append("; ");
          }
        }
        Scenarios.sleep(2);
        long[] heapAfter = new long[nodes];
        long[] rssAfter = new long[nodes];
        for (int k = 0; k < nodes; k++) {
          heapAfter[k] = cluster.node(k).heapAfterGc();
          rssAfter[k] = cluster.node(k).rssBytes();
        }
        long redisRssAfter = redis ? scale.redisRssBytes() : -1;
        long[] pingsBefore = stats(clients);
        long[] cpu = cluster.cpuNanos();
        long began = System.nanoTime();
        Scenarios.sleep(plan.idleWindowSeconds());
        double window = (System.nanoTime() - began) / 1e9;
        long[] cpuAfter = cluster.cpuNanos();
        long[] pingsAfter = stats(clients);
        double[] cpuSeconds = new double[nodes];
        for (int k = 0; k < nodes; k++) {
          cpuSeconds[k] = (cpuAfter[k] - cpu[k]) / 1e9;
        }
        ScaleResults.Idle result =
            new ScaleResults.Idle(
                title,
                nodes,
                redis,
                clients.size(),
                connections,
                joined,
                heapBefore,
                heapAfter,
                rssBefore,
                rssAfter,
                redisRssBefore,
                redisRssAfter,
                window,
                cpuSeconds,
                pingsAfter[0] - pingsBefore[0],
                pingsAfter[1],
                Math.max(errors, pingsAfter[2]),
                note.toString().trim());
        log.printf(
            "  %s: %d of %d joined, heap %.0f B/conn, RSS %.0f B/conn, CPU %.2f us/conn/s,"
                + " pings %d, disconnects %d, errors %d %s%n",
            title,
            joined,
            connections,
            result.heapPerConnection(),
            result.rssPerConnection(),
            result.cpuMicrosPerConnectionSecond(),
            result.pings(),
            result.disconnects(),
            result.errors(),
            result.note());
        return result;
      } finally {
        clients.parallelStream().forEach(ServerProcess::close);
      }
    }
  }

  /** Pings, disconnects and errors summed over the client processes. */
  private static long[] stats(List<ServerProcess> clients) throws IOException {
    long[] sum = new long[3];
    for (ServerProcess client : clients) {
      client.send("stats");
      String line = client.await("STATS ", 30);
      if (line == null) {
        continue;
      }
      String[] f = line.split(" ");
      for (int i = 0; i < 3; i++) {
        sum[i] += Long.parseLong(f[i + 1]);
      }
    }
    return sum;
  }
}
