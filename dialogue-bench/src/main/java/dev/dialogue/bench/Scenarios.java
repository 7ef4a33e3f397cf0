package dev.dialogue.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import java.util.function.LongConsumer;
import org.HdrHistogram.Histogram;

/**
 * Scenarios 1 and 2, rising load (fan-out and many rooms), each against one target in a fresh
 * server process. The others have classes of their own ({@link IdleScenario}, {@link
 * ChurnScenario}, {@link DurableScenario}, {@link RecoveryStorm}).
 */
final class Scenarios {
  static final int OPEN_TIMEOUT_SECONDS = 180;

  private final Plan plan;
  private final Launcher launcher;
  private final PrintStream log;

  /** JVM flags added to the Dialogue server of each fan-out run at 80% (a flight recording). */
  private final IntFunction<List<String>> dialogueProfileFlags;

  /**
   * Offered deliveries per second to hold, one step each, instead of a rising ramp; empty for the
   * ramp. With fixed rates there is no maximum and no run at 80%.
   */
  private final List<Double> fixedRates;

  Scenarios(
      Plan plan,
      Launcher launcher,
      PrintStream log,
      IntFunction<List<String>> dialogueProfileFlags,
      List<Double> fixedRates) {
    this.plan = plan;
    this.launcher = launcher;
    this.log = log;
    this.dialogueProfileFlags = dialogueProfileFlags;
    this.fixedRates = List.copyOf(fixedRates);
  }

  static String devAuth(int i) {
    return "{\"userId\":\"user-" + i + "\"}";
  }

  // ---- scenario 1 and 2: rising load ----

  /** Scenario 1: one room of {@code subscribers}; a few of them publish. */
  Results.Ramp fanout(Target target, int subscribers) throws Exception {
    return ramp(
        target,
        subscribers,
        0,
        i -> "fanout",
        plan.publishers(),
        plan.fanoutStart(),
        target == Target.DIALOGUE ? dialogueProfileFlags.apply(subscribers) : List.of());
  }

  /** Scenario 2: rooms of {@code roomSize}; everyone publishes. */
  Results.Ramp manyRooms(Target target) throws Exception {
    int n = plan.roomsConnections();
    int rooms = (n + plan.roomSize() - 1) / plan.roomSize();
    return ramp(
        target, n, rooms, i -> "r" + (i / plan.roomSize()), n, plan.roomsStart(), List.of());
  }

  private Results.Ramp ramp(
      Target target,
      int connections,
      int rooms,
      IntFunction<String> roomOf,
      int publishers,
      double start,
      List<String> at80Flags)
      throws Exception {
    List<Results.Step> steps = new ArrayList<>();
    int connected;
    double max = 0;
    Results.Step at80 = null;
    StringBuilder note = new StringBuilder();
    // A few publishers among many receivers get an event loop of their own in the generator; when
    // everyone publishes, there is nothing to keep apart.
    int apart = publishers < connections ? publishers : 0;
    try (Session s =
        new Session(target, rooms, null, List.of(), connections, apart, roomOf, devAuth())) {
      connected = s.conns.size();
      if (connected < connections) {
        note.append("only ")
            .append(connected)
            .append(" of ")
            .append(connections)
            .append(" joined. ");
      }
      if (!fixedRates.isEmpty()) {
        for (double rate : fixedRates) {
          Results.Step step = s.hold(publishers, rate, plan.stepSeconds());
          steps.add(step);
          logStep(target, connected, step);
          s.drain();
        }
        note.append("fixed rates (--rates): no maximum was looked for. ");
        return new Results.Ramp(
            target, connections, connected, steps, null, note.toString().trim());
      }
      double offered = start;
      for (int i = 0; i < plan.maxSteps() && offered <= plan.maxOffered(); i++) {
        Results.Step step = s.hold(publishers, offered, plan.stepSeconds());
        steps.add(step);
        logStep(target, connected, step);
        if (!step.sustained()) {
          break;
        }
        offered *= plan.stepFactor();
      }
      refine(s, steps, publishers, connected);
      max = maximum(steps);
      if (max > 0) {
        // On the ramp's own server, warmed by it, once the last step's backlog has drained: a
        // fresh JVM needs longer than any warm-up we can afford here to compile the paths that
        // high rates take, and measured its own compiling instead (docs/performance.md).
        s.drain();
        at80 = s.at80(publishers, max);
      }
    }
    if (!steps.isEmpty() && steps.get(steps.size() - 1).sustained()) {
      note.append("every step was sustained: the maximum is at least the last step. ");
    }
    if (max > 0 && !at80Flags.isEmpty()) {
      // The profiled run is separate, so that the recorder's cost is in no reported figure.
      try (Session s =
          new Session(target, rooms, null, at80Flags, connections, apart, roomOf, devAuth())) {
        s.at80(publishers, max);
      }
    }
    return new Results.Ramp(target, connections, connected, steps, at80, note.toString().trim());
  }

  /** The highest delivered rate of a sustained step, or 0. */
  private static double maximum(List<Results.Step> steps) {
    return steps.stream()
        .filter(Results.Step::sustained)
        .mapToDouble(Results.Step::delivered)
        .max()
        .orElse(0);
  }

  /**
   * Narrows the maximum down between the last sustained step and the first that was not: each try
   * is halfway between them on a log scale, after the overloaded step's backlog has drained.
   */
  private void refine(Session s, List<Results.Step> steps, int publishers, int connected)
      throws Exception {
    Results.Step last = steps.isEmpty() ? null : steps.get(steps.size() - 1);
    if (last == null || last.sustained() || steps.size() < 2) {
      return;
    }
    double low = steps.get(steps.size() - 2).offered();
    double high = last.offered();
    for (int i = 0; i < plan.ramp().refineSteps(); i++) {
      s.drain();
      double offered = Math.sqrt(low * high);
      Results.Step step = s.hold(publishers, offered, plan.stepSeconds());
      steps.add(step);
      logStep(s.target, connected, step);
      if (step.sustained()) {
        low = offered;
      } else {
        high = offered;
      }
    }
    steps.sort(Comparator.comparingDouble(Results.Step::offered));
  }

  private void logStep(Target target, int connected, Results.Step step) {
    log.printf(
        "  %s %d conns: offered %.0f/s delivered %.0f/s p50 %.1f p99 %.1f p99.9 %.1f ms"
            + " (publish lag p99 %.1f) gen %.2f srv %.2f cores%s%n",
        target.key(),
        connected,
        step.offered(),
        step.delivered(),
        step.p50Millis(),
        step.p99Millis(),
        step.p999Millis(),
        step.publishLagP99Millis(),
        step.generatorCores(),
        step.serverCores(),
        step.sustained() ? "" : "  (not sustained)");
  }

  private static IntFunction<String> devAuth() {
    return Scenarios::devAuth;
  }

  /**
   * A server process with a generator and its joined connections, the first {@code publishersApart}
   * of them on the generator's publishing loop.
   */
  private final class Session implements AutoCloseable {
    final Target target;
    final ServerProcess server;
    final LoadGenerator gen;
    final List<Conn> conns;

    Session(
        Target target,
        int rooms,
        String secret,
        List<String> flags,
        int connections,
        int publishersApart,
        IntFunction<String> roomOf,
        IntFunction<String> authOf)
        throws Exception {
      this.target = target;
      server = launcher.start(target, rooms, secret, flags);
      gen = new LoadGenerator(2, 8);
      List<Conn> opened;
      try {
        opened =
            gen.open(
                server.port(), connections, roomOf, authOf, OPEN_TIMEOUT_SECONDS, publishersApart);
      } catch (Exception | Error e) {
        close();
        throw e;
      }
      conns = opened;
    }

    /**
     * Holds 80% of {@code max} deliveries per second, after a while at a lower rate so that a fresh
     * JVM has compiled its hot paths (otherwise the first seconds build a backlog that the measured
     * window inherits).
     */
    Results.Step at80(int publishers, double max) throws Exception {
      hold(publishers, plan.ramp().at80WarmShare() * max, plan.ramp().at80WarmSeconds());
      drain();
      Results.Step at80 = hold(publishers, 0.8 * max, plan.at80Seconds());
      log.printf(
          "  %s at 80%%: offered %.0f/s delivered %.0f/s p50 %.2f p99 %.2f p99.9 %.2f ms%n",
          target.key(),
          at80.offered(),
          at80.delivered(),
          at80.p50Millis(),
          at80.p99Millis(),
          at80.p999Millis());
      return at80;
    }

    /**
     * Publishes for warm-up plus {@code seconds} at {@code offered} deliveries per second from the
     * first {@code publishers} connections and measures the window after the warm-up.
     */
    Results.Step hold(int publishers, double offered, double seconds) throws Exception {
      List<Conn> pubs = conns.subList(0, Math.min(publishers, conns.size()));
      Map<String, Integer> members = new HashMap<>();
      for (Conn c : conns) {
        members.merge(c.room, 1, Integer::sum);
      }
      double recipients = 0;
      for (Conn p : pubs) {
        recipients += members.get(p.room);
      }
      recipients /= pubs.size();
      double ratePerPublisher = offered / recipients / pubs.size();
      double window = Math.max(seconds, plan.ramp().minEventsPerWindow() / (offered / recipients));
      try (AutoCloseable publishing = gen.publish(pubs, ratePerPublisher)) {
        sleep(plan.warmSeconds());
        gen.stats.latencySinceLast();
        gen.stats.publishLagSinceLast();
        Stats.Snapshot before = gen.stats.snapshot();
        long genCpu = LoadGenerator.cpuNanos();
        long srvCpu = server.cpuNanos();
        Histogram latency = measure(window);
        Stats.Snapshot d = gen.stats.snapshot().minus(before);
        Histogram publishLag = gen.stats.publishLagSinceLast();
        double genCores = (LoadGenerator.cpuNanos() - genCpu) / (double) d.nanos();
        double srvCores = (server.cpuNanos() - srvCpu) / (double) d.nanos();
        double delivered = d.deliveries() / d.seconds();
        double achieved = d.published() * recipients / d.seconds();
        boolean sustained =
            (delivered >= Plan.SUSTAINED_SHARE * offered
                    || (offered - delivered) * d.seconds()
                        <= Plan.SHORTFALL_EVENTS_ALLOWED * recipients)
                && latency.getTotalCount() > 0
                && Results.millis(latency, 99) <= Plan.SUSTAINED_P99_MILLIS
                && d.disconnects() == 0;
        if (achieved < Plan.SUSTAINED_SHARE * offered) {
          log.printf("  (the generator published only %.0f of %.0f/s)%n", achieved, offered);
        }
        return new Results.Step(
            offered,
            delivered,
            latency,
            publishLag,
            d.gaps(),
            d.duplicates(),
            d.errors(),
            genCores,
            srvCores,
            sustained);
      }
    }

    /**
     * The latencies of the next {@code seconds}, taken a second at a time so that the log shows
     * whether they grow within the window (a backlog building up) or jump (a stall).
     */
    private Histogram measure(double seconds) throws InterruptedException {
      List<Histogram> parts = new ArrayList<>();
      inSlices(seconds, 1.0, nanos -> parts.add(gen.stats.latencySinceLast()));
      StringBuilder perSecond = new StringBuilder();
      Histogram all = parts.get(0);
      for (Histogram part : parts) {
        perSecond.append(String.format(" %.0f", Results.millis(part, 99)));
        if (part != all) {
          all.add(part);
        }
      }
      log.printf("    p99 ms per second of the window:%s%n", perSecond);
      return all;
    }

    /** Waits, at most 30 s, until no more deliveries arrive: a backlog has drained. */
    void drain() throws InterruptedException {
      long deadline = System.nanoTime() + 30_000_000_000L;
      long seen = -1;
      while (System.nanoTime() < deadline) {
        long delivered = gen.stats.snapshot().deliveries();
        if (delivered == seen) {
          return;
        }
        seen = delivered;
        sleep(0.5);
      }
    }

    @Override
    public void close() throws Exception {
      try {
        if (conns != null) {
          gen.closeAll(conns);
        }
      } finally {
        gen.close();
        server.close();
      }
    }
  }

  static void sleep(double seconds) throws InterruptedException {
    Thread.sleep((long) (seconds * 1000));
  }

  /**
   * Waits {@code seconds} in slices of at most {@code sliceSeconds}; after each slice {@code ended}
   * gets how long it really lasted, in nanoseconds.
   */
  static void inSlices(double seconds, double sliceSeconds, LongConsumer ended)
      throws InterruptedException {
    long end = System.nanoTime() + (long) (seconds * 1e9);
    for (long left; (left = end - System.nanoTime()) > 0; ) {
      long from = System.nanoTime();
      TimeUnit.NANOSECONDS.sleep(Math.min(left, (long) (sliceSeconds * 1e9)));
      ended.accept(System.nanoTime() - from);
    }
  }
}
