package dev.dialogue.bench;

import static dev.dialogue.bench.Report.f;

import java.util.Arrays;
import java.util.List;
import org.HdrHistogram.Histogram;

/** The report's section on the recovery storm (scenario 5) and its row in the targets table. */
final class StormSection {
  private final StringBuilder md = new StringBuilder();

  private StormSection() {}

  /** The target row: Dialogue's gaps and duplicates over every round, and whether all recovered. */
  static String targetRow(List<Results.Storm> storms) {
    String what = "recovery storm: 0 gaps and 0 duplicates";
    Results.Storm d = find(storms, Target.DIALOGUE);
    if (d == null || d.rounds().isEmpty()) {
      return "| " + what + " | not measured (scenario 5) | no |";
    }
    long gaps = d.rounds().stream().mapToLong(Results.StormRound::gaps).sum();
    long dups = d.rounds().stream().mapToLong(Results.StormRound::duplicates).sum();
    boolean all = d.rounds().stream().allMatch(r -> r.recovered() == r.clients());
    String measured =
        f(
            "%d gaps, %d duplicates; %s of %,d clients recovered in each of %d rounds",
            gaps, dups, all ? "all" : "**not all**", d.clients(), d.rounds().size());
    return "| "
        + what
        + " | "
        + measured
        + " | "
        + (gaps == 0 && dups == 0 && all ? "yes" : "**no**")
        + " |";
  }

  /** The section, or nothing when the storm did not run. */
  static String markdown(List<Results.Storm> storms, List<Target> notApplicable, Plan.Storm plan) {
    if (storms.isEmpty() && notApplicable.isEmpty()) {
      return "";
    }
    StormSection s = new StormSection();
    s.write(storms, notApplicable, plan);
    return s.md.toString();
  }

  private void write(List<Results.Storm> storms, List<Target> notApplicable, Plan.Storm plan) {
    line("## 5. Recovery storm");
    line();
    line(
        f(
            "%,d clients in one room, cut off at once; %d events published while they are away;"
                + " all reconnect at once and recover what they missed with the server's own"
                + " recovery. %d rounds with the same clients.",
            plan.clients(), plan.events(), plan.rounds()));
    line();
    line(
        "- Before the first round, a separate publisher connection publishes "
            + plan.liveEvents()
            + " events that every client must receive live. Each round then: the generator cuts"
            + " every client's TCP connection with a reset (no websocket close frame, no Socket.IO"
            + " disconnect packet), waits until the server's room has only the publisher left"
            + " (`dialogue:listRooms`, polled), publishes "
            + plan.events()
            + " events one after another, each acknowledged before the next, then opens all"
            + " clients' connections at once (no limit on handshakes in flight) and waits until"
            + " every client has recovered every missed event, for at most "
            + plan.timeoutSeconds()
            + " s. A failed attempt (refused, or a TCP connect or websocket handshake not done in"
            + " 30 s) is retried as socket.io-client does by default: after 1 s, doubling up to"
            + " 5 s, each +-50%. After each round "
            + plan.liveEvents()
            + " more events must reach every client live again.");
    line(
        "- Dialogue: the client keeps the room's `offset` and `epoch` (join answer, then each"
            + " event's `offset`) and rejoins with `dialogue:join {roomId, since: {offset, epoch}}`"
            + " after authenticating; it has recovered when the join answer says `recovered: true`"
            + " and its `missed` events are all there. The room's `tick` keeps 1,000 events of"
            + " history in memory; `maxRecoveryEvents` is the default 1,000.");
    line(
        "- Node.js Socket.IO: `connectionStateRecovery` on (defaults: 2 minutes, middlewares"
            + " skipped on a restored session), only for this scenario. The client keeps `pid` from"
            + " the CONNECT answer and the offset the server appends as the last argument of each"
            + " event, and sends both in its CONNECT auth; the server replays the missed events"
            + " and answers CONNECT with the old `sid` when it restored the session (rooms"
            + " included, so no join follows). That is when the client has recovered.");
    line(
        "- Time until all recovered: from the first reconnection until the last client had"
            + " recovered. Per-client: from that client's own reconnection (TCP connect) to having"
            + " recovered (HdrHistogram). Gaps and duplicates: the publisher's sequence numbers"
            + " per client, kept across its connections, over the whole round including the live"
            + " events after it. Errors: everything the generator counted (refused or timed-out"
            + " connects and handshakes, also those then retried; refused joins; unexpected"
            + " closes) plus clients not live again after the round. Listen queue overflows:"
            + " the machine's TcpExt ListenOverflows during the reconnection, connection attempts"
            + " the kernel dropped because the server's accept queue was full (TCP retries them"
            + " after 1 s, 3 s, 7 s, ...); machine-wide, so another process's may count too."
            + " Server CPU: the server's CPU seconds from the first reconnection until the last"
            + " client recovered, and the generator's own over the same span (both share the"
            + " machine's 2 cores).");
    line();
    for (Results.Storm s : storms) {
      table(s);
    }
    ratios(storms);
    for (Target t : notApplicable) {
      line(
          "- "
              + t.title()
              + ": not applicable. It relays events and keeps nothing, so a client that was"
              + " away has nothing to recover from; no figure is given.");
    }
    for (Results.Storm s : storms) {
      if (!s.note().isEmpty()) {
        line("- " + s.target().title() + ": " + s.note());
      }
    }
    line();
  }

  private void table(Results.Storm s) {
    line("### " + s.target().title());
    line();
    line(
        "| round | clients | missed per client (received on average) | time until all recovered"
            + " ms | p50 ms per client | p99 ms per client | recovered | gaps | duplicates | errors"
            + " | retried attempts | listen queue overflows | server CPU s | generator CPU s |");
    line("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    for (Results.StormRound r : s.rounds()) {
      line(
          "| "
              + r.round()
              + " | "
              + f("%,d", r.clients())
              + " | "
              + r.events()
              + f(" (%.1f)", r.received() / (double) r.clients())
              + " | "
              + (Double.isNaN(r.allRecoveredMillis())
                  ? "not all recovered"
                  : f("%,.0f", r.allRecoveredMillis()))
              + " | "
              + f("%.1f", r.p50Millis())
              + " | "
              + f("%.1f", r.p99Millis())
              + " | "
              + f("%,d", r.recovered())
              + " | "
              + r.gaps()
              + " | "
              + r.duplicates()
              + " | "
              + r.errors()
              + " | "
              + r.retries()
              + " | "
              + f("%,d", r.listenOverflows())
              + " | "
              + f("%.2f", r.serverCpuSeconds())
              + " | "
              + f("%.2f", r.generatorCpuSeconds())
              + " |");
    }
    if (s.rounds().isEmpty()) {
      line("| - | " + f("%,d", s.clients()) + " | - | - | - | - | - | - | - | - | - | - | - | - |");
    }
    line();
  }

  private void ratios(List<Results.Storm> storms) {
    Results.Storm d = find(storms, Target.DIALOGUE);
    if (d == null || d.rounds().isEmpty()) {
      return;
    }
    for (Results.Storm peer : storms) {
      if (peer == d || peer.rounds().isEmpty()) {
        continue;
      }
      line(
          "- Dialogue / "
              + peer.target().title()
              + ": time until all recovered (median of rounds) "
              + ratio(medianAll(d), medianAll(peer))
              + "; p99 per client (all rounds) "
              + ratio(p99(d), p99(peer))
              + "; server CPU (median of rounds) "
              + ratio(medianCpu(d), medianCpu(peer))
              + " (lower is better)");
    }
  }

  private static String ratio(double a, double b) {
    double r = a / b;
    return Double.isFinite(r) ? f("%.2f", r) : "n/a";
  }

  private static double medianAll(Results.Storm s) {
    return median(s.rounds().stream().mapToDouble(Results.StormRound::allRecoveredMillis));
  }

  private static double medianCpu(Results.Storm s) {
    return median(s.rounds().stream().mapToDouble(Results.StormRound::serverCpuSeconds));
  }

  /** The median; NaN (not all recovered) sorts last, so it counts as the slowest. */
  private static double median(java.util.stream.DoubleStream values) {
    double[] v = values.toArray();
    Arrays.sort(v);
    return v.length == 0 ? Double.NaN : v[(v.length - 1) / 2];
  }

  private static double p99(Results.Storm s) {
    Histogram all = new Histogram(3);
    s.rounds().forEach(r -> all.add(r.perClient()));
    return all.getTotalCount() == 0 ? Double.NaN : Results.millis(all, 99);
  }

  private static Results.Storm find(List<Results.Storm> storms, Target t) {
    return storms.stream().filter(s -> s.target() == t).findFirst().orElse(null);
  }

  private void line(String s) {
    md.append(s).append('\n');
  }

  private void line() {
    md.append('\n');
  }
}
