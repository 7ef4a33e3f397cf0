package dev.dialogue.bench;

import java.io.PrintStream;
import java.util.List;

/**
 * Scenario 3: connections that authenticate, join a room of ten and then only answer heartbeats;
 * the server's heap, resident set and CPU per connection, in a fresh server process per target.
 */
final class IdleScenario {
  private final Plan plan;
  private final Launcher launcher;
  private final PrintStream log;

  IdleScenario(Plan plan, Launcher launcher, PrintStream log) {
    this.plan = plan;
    this.launcher = launcher;
    this.log = log;
  }

  Results.Idle run(Target target, int connections) throws Exception {
    int rooms = (connections + plan.roomSize() - 1) / plan.roomSize();
    try (ServerProcess server = launcher.start(target, rooms, null, List.of());
        LoadGenerator gen = new LoadGenerator(2, 8)) {
      Scenarios.sleep(1);
      long heapBefore = server.heapAfterGc();
      long rssBefore = server.rssBytes();
      List<Conn> conns =
          gen.open(
              server.port(),
              connections,
              i -> "r" + (i / plan.roomSize()),
              Scenarios::devAuth,
              Scenarios.OPEN_TIMEOUT_SECONDS);
      try {
        Scenarios.sleep(2);
        long heapAfter = server.heapAfterGc();
        long rssAfter = server.rssBytes();
        Stats.Snapshot before = gen.stats.snapshot();
        long cpu = server.cpuNanos();
        Scenarios.sleep(plan.idleWindowSeconds());
        double cpuSeconds = (server.cpuNanos() - cpu) / 1e9;
        Stats.Snapshot d = gen.stats.snapshot().minus(before);
        String note =
            conns.size() < connections
                ? "only "
                    + conns.size()
                    + " of "
                    + connections
                    + " joined"
                    + (gen.stats.firstError() == null
                        ? ""
                        : "; first error: " + gen.stats.firstError())
                : "";
        Results.Idle result =
            new Results.Idle(
                target,
                connections,
                conns.size(),
                heapBefore,
                heapAfter,
                rssBefore,
                rssAfter,
                d.seconds(),
                cpuSeconds,
                d.pings(),
                d.disconnects(),
                note);
        log.printf(
            "  %s %d idle: heap %.0f B/conn, RSS %.0f B/conn, CPU %.2f us/conn/s, pings %d%n",
            target.key(),
            conns.size(),
            result.heapPerConnection(),
            result.rssPerConnection(),
            result.cpuMicrosPerConnectionSecond(),
            d.pings());
        return result;
      } finally {
        gen.closeAll(conns);
      }
    }
  }
}
