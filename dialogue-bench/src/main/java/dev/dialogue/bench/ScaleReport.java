package dev.dialogue.bench;

import static dev.dialogue.bench.Report.f;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;
import java.util.function.Consumer;

/** The scale-out section of the report (issue 19), from what {@link ScaleOut} measured. */
final class ScaleReport {
  /** The targets: a node on Redis carries this share of a memory node's fan-out ... */
  static final double REDIS_SHARE_TARGET = 0.7;

  /** ... and its publish step adds at most this to the p50 latency. */
  static final double P50_ADDED_TARGET_MILLIS = 2;

  private final ScaleOut scale;
  private final Consumer<String> line;

  private ScaleReport(ScaleOut scale, Consumer<String> line) {
    this.scale = scale;
    this.line = line;
  }

  static void section(ScaleOut scale, Consumer<String> line) {
    if (scale != null && !scale.isEmpty()) {
      new ScaleReport(scale, line).write();
    }
  }

  private void write() {
    line.accept("## Scale-out on Redis (issue 19)");
    line.accept("");
    line.accept(
        "Dialogue nodes in processes of their own on one `redis-server` (Debian's, a child of the"
            + " harness, nothing persisted), emptied before each setup. CPU in cores per process:"
            + " nodes from /proc, Redis from its `INFO cpu`, the generator from its JVM; all share"
            + " the machine's 2 cores.");
    line.accept("");
    targets();
    if (!scale.fanout.isEmpty()) {
      fanout();
    }
    if (!scale.idle.isEmpty()) {
      idle();
    }
    if (!scale.storm.isEmpty()) {
      storm();
    }
  }

  private void targets() {
    line.accept("| target | measured | met |");
    line.accept("|---|---|---|");
    List<Double> shares = new ArrayList<>();
    List<Double> added = new ArrayList<>();
    for (ScaleResults.Fanout memory : of(ScaleResults.Setup.MEMORY)) {
      ScaleResults.Fanout redis = find(ScaleResults.Setup.REDIS_1, memory.round());
      if (redis == null || memory.maxSustained() == 0) {
        continue;
      }
      shares.add(redis.maxSustained() / memory.maxSustained());
      for (ScaleResults.Step m : memory.steps()) {
        ScaleResults.Step r = stepAt(redis, m.offered());
        if (r != null && m.sustained() && r.sustained() && m.p99Millis() <= 50) {
          added.add(r.p50Millis() - m.p50Millis());
        }
      }
    }
    if (!shares.isEmpty()) {
      row(
          "fan-out: 1 node on Redis >= 0.7 x 1 memory node (max sustained, per round)",
          join(shares, "%.2f x"),
          shares.stream().allMatch(s -> s >= REDIS_SHARE_TARGET));
    }
    if (added.isEmpty() && !shares.isEmpty()) {
      row(
          "fan-out: the Redis publish step adds <= 2 ms to p50",
          "not measured: at no offered rate did both setups sustain with the memory node's p99 <="
              + " 50 ms",
          false);
    }
    if (!added.isEmpty()) {
      double worst = added.stream().mapToDouble(Double::doubleValue).max().orElse(0);
      double median = added.stream().sorted().toList().get(added.size() / 2);
      row(
          "fan-out: the Redis publish step adds <= 2 ms to p50 (same offered rate, rates where the"
              + " memory node's p99 <= 50 ms)",
          f("median %+.2f ms, worst %+.2f ms over %d steps", median, worst, added.size()),
          worst <= P50_ADDED_TARGET_MILLIS);
    }
    for (ScaleResults.Idle i : scale.idle) {
      if (i.redis()) {
        row(
            f("%,d idle connections across %d nodes, 0 errors", i.connections(), i.nodes()),
            f("%,d joined, %d disconnects, %d errors", i.joined(), i.disconnects(), i.errors()),
            i.joined() == i.connections() && i.disconnects() == 0 && i.errors() == 0);
      }
    }
    for (ScaleResults.Storm s : scale.storm) {
      row(
          "recovery storm across nodes: all recover, 0 gaps, 0 duplicates",
          f(
              "%,d of %,d recovered in %s ms, %d gaps, %d duplicates",
              s.recovered(), s.clients(), f("%,.0f", s.fromKillMillis()), s.gaps(), s.duplicates()),
          s.recovered() == s.clients() && s.gaps() == 0 && s.duplicates() == 0);
    }
    line.accept("");
  }

  private void fanout() {
    ScaleResults.Fanout any = scale.fanout.get(0);
    line.accept(
        f(
            "### Fan-out through nodes: one room of %,d subscribers, %d publishers, spread over the"
                + " nodes",
            any.subscribers(), scale.sizes.publishers()));
    line.accept("");
    line.accept(
        "| setup | round | connected | max sustained deliveries/s | x memory node (same round) |"
            + " max deliveries/s with p99 <= 50 ms | p50 ms at 80% | p99 ms at 80% | CPU at the"
            + " maximum: nodes / Redis / generator | deliveries/s per server core at the maximum"
            + " | x memory node per core | gaps | duplicates | errors |");
    line.accept("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    for (ScaleResults.Fanout r : scale.fanout) {
      ScaleResults.Fanout memory = find(ScaleResults.Setup.MEMORY, r.round());
      ScaleResults.Step max = r.maxStep();
      ScaleResults.Step memoryMax = memory == null ? null : memory.maxStep();
      long gaps = r.steps().stream().mapToLong(ScaleResults.Step::gaps).sum();
      long dups = r.steps().stream().mapToLong(ScaleResults.Step::duplicates).sum();
      long errors = r.steps().stream().mapToLong(ScaleResults.Step::errors).sum();
      line.accept(
          "| "
              + String.join(
                  " | ",
                  r.setup().title(),
                  Integer.toString(r.round()),
                  f("%,d", r.connected()),
                  f("%,.0f", r.maxSustained()),
                  memory == null ? "n/a" : f("%.2f", r.maxSustained() / memory.maxSustained()),
                  f("%,.0f", r.maxWithin(Plan.LATENCY_TARGET_MILLIS)),
                  r.at80() == null ? "n/a" : f("%.2f", r.at80().p50Millis()),
                  r.at80() == null ? "n/a" : f("%.2f", r.at80().p99Millis()),
                  max == null ? "n/a" : cores(max),
                  max == null ? "n/a" : f("%,.0f", max.deliveredPerServerCore()),
                  max == null || memoryMax == null
                      ? "n/a"
                      : f(
                          "%.2f",
                          max.deliveredPerServerCore() / memoryMax.deliveredPerServerCore()),
                  Long.toString(gaps),
                  Long.toString(dups),
                  Long.toString(errors))
              + " |");
    }
    line.accept("");
    for (ScaleResults.Setup setup : ScaleResults.Setup.ALL) {
      List<ScaleResults.Fanout> runs = of(setup);
      if (runs.size() > 1) {
        double lo = runs.stream().mapToDouble(ScaleResults.Fanout::maxSustained).min().orElse(0);
        double hi = runs.stream().mapToDouble(ScaleResults.Fanout::maxSustained).max().orElse(0);
        line.accept(
            f(
                "- %s: max sustained %,.0f .. %,.0f deliveries/s over %d rounds",
                setup.title(), lo, hi, runs.size()));
      }
    }
    line.accept("");
    sameRate();
  }

  /** p50 and p99 of every setup at the offered rates that every ramp tried. */
  private void sameRate() {
    TreeSet<Long> rates = new TreeSet<>();
    scale.fanout.get(0).steps().forEach(s -> rates.add(Math.round(s.offered())));
    for (ScaleResults.Fanout r : scale.fanout) {
      rates.removeIf(rate -> stepAt(r, rate) == null);
    }
    if (rates.isEmpty()) {
      return;
    }
    line.accept("At the same offered rate: p50 ms / p99 ms (a `*` marks a step not sustained)");
    line.accept("");
    StringBuilder head = new StringBuilder("| offered deliveries/s |");
    StringBuilder rule = new StringBuilder("|---|");
    for (ScaleResults.Fanout r : scale.fanout) {
      head.append(' ').append(r.setup().title()).append(", round ").append(r.round()).append(" |");
      rule.append("---|");
    }
    line.accept(head.toString());
    line.accept(rule.toString());
    for (long rate : rates) {
      StringBuilder row = new StringBuilder("| " + f("%,d", rate) + " |");
      for (ScaleResults.Fanout r : scale.fanout) {
        ScaleResults.Step s = stepAt(r, rate);
        row.append(f(" %.2f / %.2f%s |", s.p50Millis(), s.p99Millis(), s.sustained() ? "" : " *"));
      }
      line.accept(row.toString());
    }
    line.accept("");
  }

  private void idle() {
    line.accept("### Idle connections across nodes");
    line.accept("");
    line.accept(
        "| setup | client processes | connections | joined | heap per connection | RSS per"
            + " connection | heap after, per node | RSS after, per node | Redis RSS before ->"
            + " after | server CPU us per connection per s | pings | disconnects | errors |");
    line.accept("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    for (ScaleResults.Idle i : scale.idle) {
      line.accept(
          "| "
              + String.join(
                  " | ",
                  i.title(),
                  Integer.toString(i.clientProcesses()),
                  f("%,d", i.connections()),
                  f("%,d", i.joined()),
                  f("%,.0f B", i.heapPerConnection()),
                  f("%,.0f B", i.rssPerConnection()),
                  mib(i.heapAfter()),
                  mib(i.rssAfter()),
                  i.redis() ? mib(i.redisRssBefore()) + " -> " + mib(i.redisRssAfter()) : "n/a",
                  f("%.2f", i.cpuMicrosPerConnectionSecond()),
                  f("%,d", i.pings()),
                  Long.toString(i.disconnects()),
                  Long.toString(i.errors()))
              + " |");
    }
    line.accept("");
    scale.idle.stream()
        .filter(i -> !i.note().isEmpty())
        .forEach(i -> line.accept("- " + i.title() + ": " + i.note()));
  }

  private void storm() {
    line.accept("### Recovery storm across nodes");
    line.accept("");
    line.accept(
        "| nodes | clients of the killed node | recovered | all recovered, from the SIGKILL |"
            + " from the first reconnection | every close seen after | per client p50 / p99 ms"
            + " | missed events received | gaps | duplicates | errors | retries | not live after"
            + " | CPU s: surviving nodes / Redis |");
    line.accept("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    for (ScaleResults.Storm s : scale.storm) {
      line.accept(
          "| "
              + String.join(
                  " | ",
                  Integer.toString(s.nodes()),
                  f("%,d", s.clients()),
                  f("%,d", s.recovered()),
                  f("%,.0f ms", s.fromKillMillis()),
                  f("%,.0f ms", s.fromReconnectMillis()),
                  f("%,.0f ms", s.noticedMillis()),
                  f(
                      "%.1f / %.1f",
                      Results.millis(s.perClient(), 50), Results.millis(s.perClient(), 99)),
                  f("%,d of %,d", s.received(), (long) s.clients() * s.events()),
                  Long.toString(s.gaps()),
                  Long.toString(s.duplicates()),
                  Long.toString(s.errors()),
                  Long.toString(s.retries()),
                  Integer.toString(s.notLive()),
                  join(Arrays.stream(s.survivorCpuSeconds()).boxed().toList(), "%.2f")
                      + f(" / %.2f", s.redisCpuSeconds()))
              + " |");
      if (!s.note().isEmpty()) {
        line.accept("");
        line.accept("- " + s.note());
      }
    }
    line.accept("");
  }

  private List<ScaleResults.Fanout> of(ScaleResults.Setup setup) {
    return scale.fanout.stream().filter(r -> r.setup().equals(setup)).toList();
  }

  private ScaleResults.Fanout find(ScaleResults.Setup setup, int round) {
    return of(setup).stream().filter(r -> r.round() == round).findFirst().orElse(null);
  }

  private static ScaleResults.Step stepAt(ScaleResults.Fanout r, double offered) {
    return r.steps().stream()
        .filter(s -> Math.abs(s.offered() - offered) < 0.5)
        .findFirst()
        .orElse(null);
  }

  private static String cores(ScaleResults.Step s) {
    return join(Arrays.stream(s.nodeCores()).boxed().toList(), "%.2f")
        + f(" / %.2f / %.2f", s.redisCores(), s.generatorCores());
  }

  private static String join(List<Double> values, String format) {
    return String.join(" + ", values.stream().map(v -> f(format, v)).toList())
        .replace(" + ", format.endsWith("x") ? ", " : " + ");
  }

  private static String mib(long bytes) {
    return bytes < 0 ? "?" : f("%,.0f MiB", bytes / 1048576.0);
  }

  private static String mib(long[] bytes) {
    return String.join(", ", Arrays.stream(bytes).mapToObj(ScaleReport::mib).toList());
  }

  private void row(String target, String measured, boolean met) {
    line.accept("| " + target + " | " + measured + " | " + (met ? "yes" : "**no**") + " |");
  }
}
