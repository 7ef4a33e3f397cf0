package dev.dialogue.bench;

import dev.dialogue.testing.TestPostgres;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Stream;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Scenario 6, durable publish: acknowledged events per second with history written through to H2
 * and to PostgreSQL, against the same server keeping history in memory only. Each connection keeps
 * {@link Plan#durableWindow()} triggers of an event with history in flight and sends the next when
 * one is acknowledged (a closed loop), so the rate is what the server and its store can
 * acknowledge. With a store a trigger is acknowledged only after the commit that holds it.
 */
final class DurableScenario {
  /** Where the server keeps history. */
  enum Store {
    MEMORY("memory only"),
    H2("H2, write-through (embedded, file)"),
    POSTGRESQL("PostgreSQL, write-through (local server)");

    final String title;

    Store(String title) {
      this.title = title;
    }
  }

  private static final int OPEN_TIMEOUT_SECONDS = 120;

  private final Plan plan;
  private final Launcher launcher;
  private final Path work;
  private final PrintStream log;
  private int runs;

  DurableScenario(Plan plan, Launcher launcher, Path work, PrintStream log) {
    this.plan = plan;
    this.launcher = launcher;
    this.work = work;
    this.log = log;
  }

  /**
   * A JDBC URL to a new, empty schema {@code name} on the tests' PostgreSQL server ({@link
   * TestPostgres}: binaries from zonky's jar, on 127.0.0.1, run as {@code nobody} when the harness
   * is root), started once per harness process and stopped when it exits.
   */
  private static String freshPostgres(String name) throws SQLException {
    TestPostgres postgres = TestPostgres.shared();
    postgres.createSchema(name);
    return postgres.url(name);
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  Results.Durable run(Store store) throws Exception {
    List<String> args;
    switch (store) {
      case H2 -> {
        Path dir = work.resolve("durable-h2-" + (++runs));
        // A fresh database every run: one left by an earlier run (perhaps of older code, in
        // another layout) would be measured as well, and grows by about 500 MB per run.
        deleteTree(dir);
        Files.createDirectories(dir);
        args =
            List.of("--history-store", "jdbc:h2:file:" + dir.toAbsolutePath().resolve("history"));
      }
      case POSTGRESQL -> args = List.of("--history-store", freshPostgres("bench_" + (++runs)));
      default -> args = List.of();
    }
    try (ServerProcess server = launcher.start(Target.DIALOGUE, 0, null, List.of(), args);
        LoadGenerator gen = new LoadGenerator(2, 8)) {
      List<Conn> conns =
          gen.open(
              server.port(),
              plan.durableConnections(),
              i -> "notes",
              i -> "{\"userId\":\"writer-" + i + "\"}",
              OPEN_TIMEOUT_SECONDS);
      Loop loop = new Loop();
      try {
        for (Conn c : conns) {
          c.channel()
              .eventLoop()
              .execute(
                  () -> {
                    for (int k = 0; k < plan.durableWindow(); k++) {
                      loop.next(c);
                    }
                  });
        }
        // A fresh server JVM compiles H2's and its own hot paths for 20 s or more under this load
        // on 2 busy cores: acked/s still doubled during an 8 s warm-up and the 10 s after it.
        List<Double> warmRates = trace(loop, plan.durableWarmSeconds(), "warm-up");
        loop.latency.reset();
        long acked = loop.acked.sum();
        long errors = loop.errors.sum();
        long serverCpu = server.cpuNanos();
        long generatorCpu = LoadGenerator.cpuNanos();
        long start = System.nanoTime();
        List<Double> measuredRates = trace(loop, plan.durableSeconds(), "measured");
        double seconds = (System.nanoTime() - start) / 1e9;
        Histogram latency = loop.latency.getIntervalHistogram();
        Results.Durable result =
            new Results.Durable(
                store,
                plan.durableConnections(),
                conns.size(),
                plan.durableWindow(),
                seconds,
                loop.acked.sum() - acked,
                latency,
                loop.errors.sum() - errors + gen.stats.errors.sum(),
                (server.cpuNanos() - serverCpu) / 1e9 / seconds,
                (LoadGenerator.cpuNanos() - generatorCpu) / 1e9 / seconds,
                plan.durableWarmSeconds(),
                warmRates,
                measuredRates,
                loop.firstError != null ? loop.firstError : nullToEmpty(gen.stats.firstError()));
        log.printf(
            "  %s: %,.0f acked events/s, ack p50 %.2f ms, p99 %.2f ms, errors %d%n",
            store.title,
            result.perSecond(),
            result.p50Millis(),
            result.p99Millis(),
            result.errors());
        return result;
      } finally {
        loop.running = false;
        gen.closeAll(conns);
      }
    }
  }

  /**
   * Waits {@code seconds} and returns the acknowledged rate of every 2 s of it (also logged): a
   * rate still rising in the measured part would mean the warm-up was too short.
   */
  private List<Double> trace(Loop loop, double seconds, String phase) throws InterruptedException {
    List<Double> rates = new ArrayList<>();
    long[] acked = {loop.acked.sum()};
    Scenarios.inSlices(
        seconds,
        2,
        nanos -> {
          long now = loop.acked.sum();
          rates.add((now - acked[0]) / (nanos / 1e9));
          acked[0] = now;
        });
    log.printf("    %s, acked/s per 2 s: %s%n", phase, Results.Durable.rates(rates));
    return rates;
  }

  private static String nullToEmpty(String s) {
    return s == null ? "" : s;
  }

  /** The closed loop: every acknowledgement sends the connection's next trigger. */
  private static final class Loop {
    final LongAdder acked = new LongAdder();
    final LongAdder errors = new LongAdder();
    final Recorder latency = new Recorder(3);
    volatile boolean running = true;
    volatile String firstError;

    /** Sends one trigger on {@code c}'s event loop. */
    void next(Conn c) {
      if (!running || !c.channel().isActive()) {
        return;
      }
      long sent = System.nanoTime();
      c.request(
          "dialogue:trigger",
          "{\"roomId\":\"notes\",\"event\":\"note\",\"data\":{\"text\":\"note from writer "
              + c.index
              + "\"}}",
          reply -> {
            if (reply.contains("\"ok\":true")) {
              latency.recordValue(System.nanoTime() - sent);
              acked.increment();
            } else {
              errors.increment();
              if (firstError == null) {
                firstError = reply.length() > 300 ? reply.substring(0, 300) : reply;
              }
            }
            next(c);
          });
    }
  }
}
