package dev.dialogue.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.HdrHistogram.Histogram;

/**
 * Fan-out through nodes (issue 19): one room whose subscribers are spread over the nodes, with the
 * publishers among them, on a single memory node, one node on Redis and three nodes on Redis, each
 * setup in fresh processes, the setups alternating round by round. The ramp is scenario 1's (same
 * plan, same rule for a sustained step), so the figures compare with its table; a step's CPU is per
 * process: every node, Redis and the generator.
 */
final class ScaleFanout {
  private final Plan plan;
  private final ScaleOut.Sizes sizes;
  private final ScaleOut scale;
  private final Launcher launcher;
  private final PrintStream log;

  ScaleFanout(Plan plan, ScaleOut.Sizes sizes, ScaleOut scale, Launcher launcher, PrintStream log) {
    this.plan = plan;
    this.sizes = sizes;
    this.scale = scale;
    this.launcher = launcher;
    this.log = log;
  }

  List<ScaleResults.Fanout> run() throws Exception {
    List<ScaleResults.Fanout> all = new ArrayList<>();
    for (int round = 1; round <= sizes.rounds(); round++) {
      for (ScaleResults.Setup setup : ScaleResults.Setup.ALL) {
        log.println("bench: fan-out through nodes, " + setup.title() + ", round " + round);
        all.add(measure(setup, round));
      }
    }
    return all;
  }

  private ScaleResults.Fanout measure(ScaleResults.Setup setup, int round) throws Exception {
    String redisUri = setup.redis() ? scale.freshRedis() : null;
    try (Cluster cluster = new Cluster(launcher, setup.nodes(), redisUri, 0);
        LoadGenerator gen = new LoadGenerator(2, 8)) {
      List<Conn> publishers = new ArrayList<>();
      List<Conn> conns = open(cluster, gen, publishers);
      try {
        Run run = new Run(setup, cluster, gen, conns.size(), publishers);
        return run.ramp(round);
      } finally {
        gen.closeAll(conns);
      }
    }
  }

  /**
   * Opens the subscribers, node by node in turn (the first of each node's share publish, on the
   * generator's publishing loop), and returns those that joined; {@code publishers} gets the
   * publishers.
   */
  private List<Conn> open(Cluster cluster, LoadGenerator gen, List<Conn> publishers)
      throws InterruptedException {
    List<Conn> all = new ArrayList<>();
    int nodes = cluster.size();
    for (int k = 0; k < nodes; k++) {
      int count = share(sizes.subscribers(), nodes, k);
      int pubs = share(sizes.publishers(), nodes, k);
      int base = k * 1_000_000;
      List<Conn> joined =
          gen.open(
              cluster.port(k),
              count,
              i -> "fanout",
              i -> Scenarios.devAuth(base + i),
              Scenarios.OPEN_TIMEOUT_SECONDS,
              pubs);
      // gen.open keeps the order in which it opened them: the first pubs are this node's
      // publishers.
      publishers.addAll(joined.subList(0, Math.min(pubs, joined.size())));
      all.addAll(joined);
    }
    return all;
  }

  /** Node {@code k}'s share of {@code total} spread over {@code nodes}, the remainder first. */
  static int share(int total, int nodes, int k) {
    return total / nodes + (k < total % nodes ? 1 : 0);
  }

  /** One setup's processes and connections, measured step by step. */
  private final class Run {
    final ScaleResults.Setup setup;
    final Cluster cluster;
    final LoadGenerator gen;
    final int connected;
    final List<Conn> publishers;

    Run(
        ScaleResults.Setup setup,
        Cluster cluster,
        LoadGenerator gen,
        int connected,
        List<Conn> publishers) {
      this.setup = setup;
      this.cluster = cluster;
      this.gen = gen;
      this.connected = connected;
      this.publishers = publishers;
    }

    ScaleResults.Fanout ramp(int round) throws Exception {
      List<ScaleResults.Step> steps = new ArrayList<>();
      String note = connected < sizes.subscribers() ? "only " + connected + " joined" : "";
      // Fresh JVMs on a shared machine: the first step measured their compiling (20,000/s not
      // sustained, p99 in seconds), so the ramp starts after a while at its first rate.
      hold(plan.fanoutStart(), plan.ramp().at80WarmSeconds());
      drain();
      double offered = plan.fanoutStart();
      for (int i = 0; i < plan.maxSteps() && offered <= plan.maxOffered(); i++) {
        ScaleResults.Step step = hold(offered, plan.stepSeconds());
        steps.add(step);
        if (!step.sustained()) {
          break;
        }
        offered *= plan.stepFactor();
      }
      refine(steps);
      ScaleResults.Step best =
          steps.stream()
              .filter(ScaleResults.Step::sustained)
              .max(Comparator.comparingDouble(ScaleResults.Step::delivered))
              .orElse(null);
      ScaleResults.Step at80 = null;
      if (best != null) {
        drain();
        hold(plan.ramp().at80WarmShare() * best.delivered(), plan.ramp().at80WarmSeconds());
        drain();
        log.printf("  %s at 80%% of %.0f/s:%n", setup.key(), best.delivered());
        at80 = hold(0.8 * best.delivered(), plan.at80Seconds());
      }
      steps.sort(Comparator.comparingDouble(ScaleResults.Step::offered));
      return new ScaleResults.Fanout(
          setup, round, sizes.subscribers(), connected, steps, at80, note);
    }

    /**
     * Scenario 1's refinement: halfway (log scale) between the last sustained and the first not.
     */
    private void refine(List<ScaleResults.Step> steps) throws Exception {
      int n = steps.size();
      if (n < 2 || steps.get(n - 1).sustained()) {
        return;
      }
      double low = steps.get(n - 2).offered();
      double high = steps.get(n - 1).offered();
      for (int i = 0; i < plan.ramp().refineSteps(); i++) {
        drain();
        double offered = Math.sqrt(low * high);
        ScaleResults.Step step = hold(offered, plan.stepSeconds());
        steps.add(step);
        if (step.sustained()) {
          low = offered;
        } else {
          high = offered;
        }
      }
    }

    /** Publishes at {@code offered} deliveries per second: warm-up, then a measured window. */
    ScaleResults.Step hold(double offered, double seconds) throws Exception {
      double eventsPerSecond = offered / connected;
      double window = Math.max(seconds, plan.ramp().minEventsPerWindow() / eventsPerSecond);
      try (AutoCloseable publishing =
          gen.publish(publishers, eventsPerSecond / publishers.size())) {
        Scenarios.sleep(plan.warmSeconds());
        gen.stats.latencySinceLast();
        gen.stats.publishLagSinceLast();
        Stats.Snapshot before = gen.stats.snapshot();
        long[] nodeCpu = cluster.cpuNanos();
        long redisCpu = scale.redisCpuNanos();
        long genCpu = LoadGenerator.cpuNanos();
        Histogram latency = new Histogram(3);
        Scenarios.inSlices(window, 1.0, nanos -> latency.add(gen.stats.latencySinceLast()));
        Stats.Snapshot d = gen.stats.snapshot().minus(before);
        long[] nodeCpuAfter = cluster.cpuNanos();
        double[] nodeCores = new double[nodeCpu.length];
        for (int i = 0; i < nodeCores.length; i++) {
          nodeCores[i] = (nodeCpuAfter[i] - nodeCpu[i]) / (double) d.nanos();
        }
        double redisCores =
            setup.redis() ? (scale.redisCpuNanos() - redisCpu) / (double) d.nanos() : 0;
        double genCores = (LoadGenerator.cpuNanos() - genCpu) / (double) d.nanos();
        double delivered = d.deliveries() / d.seconds();
        boolean sustained =
            (delivered >= Plan.SUSTAINED_SHARE * offered
                    || (offered - delivered) * d.seconds()
                        <= Plan.SHORTFALL_EVENTS_ALLOWED * connected)
                && latency.getTotalCount() > 0
                && Results.millis(latency, 99) <= Plan.SUSTAINED_P99_MILLIS
                && d.disconnects() == 0;
        ScaleResults.Step step =
            new ScaleResults.Step(
                offered,
                delivered,
                latency,
                gen.stats.publishLagSinceLast(),
                d.gaps(),
                d.duplicates(),
                d.errors(),
                nodeCores,
                redisCores,
                genCores,
                sustained);
        logStep(step);
        return step;
      }
    }

    private void logStep(ScaleResults.Step s) {
      StringBuilder cores = new StringBuilder();
      for (double c : s.nodeCores()) {
        cores.append(String.format(" %.2f", c));
      }
      log.printf(
          "  %s: offered %.0f/s delivered %.0f/s p50 %.1f p99 %.1f p99.9 %.1f ms (lag p99 %.1f)"
              + " nodes%s redis %.2f gen %.2f cores%s%n",
          setup.key(),
          s.offered(),
          s.delivered(),
          s.p50Millis(),
          s.p99Millis(),
          s.p999Millis(),
          s.publishLagP99Millis(),
          cores,
          s.redisCores(),
          s.generatorCores(),
          s.sustained() ? "" : "  (not sustained)");
    }

    /** Waits, at most 30 s, until no more deliveries arrive. */
    void drain() throws InterruptedException {
      long deadline = System.nanoTime() + 30_000_000_000L;
      long seen = -1;
      while (System.nanoTime() < deadline) {
        long now = gen.stats.snapshot().deliveries();
        if (now == seen) {
          return;
        }
        seen = now;
        Scenarios.sleep(0.5);
      }
    }
  }
}
