package dev.dialogue.bench;

import static dev.dialogue.bench.Report.f;

import java.util.List;
import java.util.function.Consumer;

/** The report's section on scenario 6, durable publish, and its row in the targets table. */
final class DurableReport {
  private DurableReport() {}

  /** The target: H2 write-through at 20,000 acknowledged events per second or more. */
  static void target(List<Results.Durable> results, Consumer<String> line) {
    Results.Durable h2 = find(results, DurableScenario.Store.H2);
    if (h2 == null) {
      line.accept("| durable write-through >= 20,000 events/s on H2 | not measured | **no** |");
      return;
    }
    boolean met = h2.perSecond() >= 20_000 && h2.errors() == 0;
    line.accept(
        "| durable write-through >= 20,000 events/s on H2 | "
            + f("%,.0f/s", h2.perSecond())
            + (h2.errors() == 0 ? "" : f(", %d errors", h2.errors()))
            + " | "
            + (met ? "yes" : "**no**")
            + " |");
  }

  static void section(List<Results.Durable> results, Consumer<String> line) {
    if (results.isEmpty()) {
      return;
    }
    Results.Durable first = results.get(0);
    line.accept("## 6. Durable publish: acknowledged events per second");
    line.accept("");
    line.accept(
        f(
            "The Dialogue server alone (the peers have no history), three times: history in memory"
                + " only, written through to H2 (an embedded file database, group commit) and to"
                + " PostgreSQL (a local server started by the harness from zonky's binaries,"
                + " default settings, fsync on). %d connections each keep %d triggers of an event"
                + " with history in flight and send the next when one is acknowledged (a closed"
                + " loop) for %.0f s, after %.0f s of warm-up at the same load: a fresh server"
                + " JVM takes 20 s or more here to compile its and H2's hot paths while both"
                + " cores are busy (the rates of every 2 s below show it). With a store, a trigger"
                + " is acknowledged only after the commit that holds it; a connection's later"
                + " triggers are handled meanwhile, and their acks follow in order.",
            first.connections(), first.window(), first.seconds(), first.warmSeconds()));
    line.accept("");
    line.accept(
        "| history | connected | acked events/s | ack p50 ms | ack p99 ms | errors | server CPU |"
            + " generator CPU |");
    line.accept("|---|---|---|---|---|---|---|---|");
    for (Results.Durable d : results) {
      line.accept(
          "| "
              + d.store().title
              + " | "
              + f("%,d", d.connected())
              + " | "
              + f("%,.0f", d.perSecond())
              + " | "
              + f("%.2f", d.p50Millis())
              + " | "
              + f("%.2f", d.p99Millis())
              + " | "
              + d.errors()
              + " | "
              + f("%.2f", d.serverCores())
              + " | "
              + f("%.2f", d.generatorCores())
              + " |");
    }
    line.accept("");
    Results.Durable memory = find(results, DurableScenario.Store.MEMORY);
    for (Results.Durable d : results) {
      if (memory != null && d != memory) {
        line.accept(
            "- "
                + d.store().title
                + " / memory only: acked events/s "
                + f("%.2f", d.perSecond() / memory.perSecond()));
      }
    }
    line.accept("");
    line.accept("Acknowledged events per second in every 2 s, warm-up | measured:");
    line.accept("");
    for (Results.Durable d : results) {
      line.accept(
          "- "
              + d.store().title
              + ": "
              + Results.Durable.rates(d.warmRates())
              + " | "
              + Results.Durable.rates(d.measuredRates()));
    }
    for (Results.Durable d : results) {
      if (!d.note().isEmpty()) {
        line.accept("- " + d.store().title + ": " + d.note());
      }
    }
    line.accept("");
  }

  private static Results.Durable find(List<Results.Durable> results, DurableScenario.Store s) {
    return results.stream().filter(d -> d.store() == s).findFirst().orElse(null);
  }
}
