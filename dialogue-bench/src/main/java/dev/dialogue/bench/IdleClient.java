package dev.dialogue.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A load generator in a process of its own that holds idle connections to one node, so that more
 * connections than one process's limit of open files can be held across nodes ({@link ScaleIdle}).
 * Connection {@code g} of the whole run ({@code g = node, node + nodes, ...} below {@code
 * --connections}) joins room {@code r<g / room-size>}: every room has members on every node.
 *
 * <pre>
 * IdleClient --port P --node K --nodes N --connections TOTAL --room-size S --timeout SECONDS
 * </pre>
 *
 * Speaks the servers' control channel: {@code READY 0} at once, {@code JOINED <n> <errors> <first
 * error>} once every connection has joined or failed; {@code stats} on standard input answers
 * {@code STATS <pings> <disconnects> <errors>}; end of input closes the connections and exits.
 */
final class IdleClient {
  private IdleClient() {}

  public static void main(String[] args) throws Exception {
    int port = 0;
    int node = 0;
    int nodes = 1;
    int total = 0;
    int roomSize = 10;
    int timeout = Scenarios.OPEN_TIMEOUT_SECONDS;
    for (int i = 0; i + 1 < args.length; i += 2) {
      int v = Integer.parseInt(args[i + 1]);
      switch (args[i]) {
        case "--port" -> port = v;
        case "--node" -> node = v;
        case "--nodes" -> nodes = v;
        case "--connections" -> total = v;
        case "--room-size" -> roomSize = v;
        case "--timeout" -> timeout = v;
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    System.out.println("READY 0");
    System.out.flush();
    List<Integer> mine = new ArrayList<>();
    for (int g = node; g < total; g += nodes) {
      mine.add(g);
    }
    int size = roomSize;
    try (LoadGenerator gen = new LoadGenerator(2, 8)) {
      List<Conn> conns =
          gen.open(
              port,
              mine.size(),
              j -> "r" + (mine.get(j) / size),
              j -> Scenarios.devAuth(mine.get(j)),
              timeout);
      String first = gen.stats.firstError();
      System.out.println(
          "JOINED "
              + conns.size()
              + " "
              + gen.stats.errors.sum()
              + " "
              + (first == null ? "-" : first.replace('\n', ' ')));
      System.out.flush();
      BufferedReader in =
          new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        if (line.trim().equals("stats")) {
          Stats.Snapshot s = gen.stats.snapshot();
          System.out.println("STATS " + s.pings() + " " + s.disconnects() + " " + s.errors());
          System.out.flush();
        }
      }
      gen.closeAll(conns);
    } catch (IOException e) {
      // Standard input is gone: the harness is gone.
    }
    System.exit(0);
  }
}
