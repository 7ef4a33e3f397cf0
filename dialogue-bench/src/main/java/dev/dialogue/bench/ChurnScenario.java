package dev.dialogue.bench;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Recorder;

/**
 * Scenario 4: clients that connect with a JWT, join, leave and close, over and over, each in a
 * fresh server process per target.
 */
final class ChurnScenario {
  private static final String JWT_SECRET = "dialogue-bench-secret-0123456789abcdef";

  private final Plan plan;
  private final Launcher launcher;
  private final PrintStream log;

  ChurnScenario(Plan plan, Launcher launcher, PrintStream log) {
    this.plan = plan;
    this.launcher = launcher;
    this.log = log;
  }

  Results.Churn run(Target target) throws Exception {
    List<String> tokens = new ArrayList<>();
    for (int i = 0; i < 1_000; i++) {
      tokens.add(token("user-" + i));
    }
    try (ServerProcess server = launcher.start(target, 0, JWT_SECRET, List.of());
        LoadGenerator gen = new LoadGenerator(2, 8)) {
      Recorder latency = new Recorder(3);
      AtomicLong cycles = new AtomicLong();
      AtomicLong failures = new AtomicLong();
      long start = System.nanoTime();
      long end = start + (long) (plan.churnSeconds() * 1e9);
      CountDownLatch done = new CountDownLatch(plan.churnWorkers());
      long genCpu = LoadGenerator.cpuNanos();
      long srvCpu = server.cpuNanos();
      for (int w = 0; w < plan.churnWorkers(); w++) {
        new ChurnWorker(gen, server.port(), tokens, w, end, latency, cycles, failures, done).next();
      }
      boolean finished = done.await((long) plan.churnSeconds() + 60, TimeUnit.SECONDS);
      double seconds = (System.nanoTime() - start) / 1e9;
      double genCores = (LoadGenerator.cpuNanos() - genCpu) / 1e9 / seconds;
      double srvCores = (server.cpuNanos() - srvCpu) / 1e9 / seconds;
      String note = finished ? "" : "some workers did not finish in time";
      if (gen.stats.firstError() != null) {
        note = (note + " first error: " + gen.stats.firstError()).trim();
      }
      Results.Churn result =
          new Results.Churn(
              target,
              plan.churnWorkers(),
              seconds,
              cycles.get(),
              latency.getIntervalHistogram(),
              failures.get(),
              srvCores,
              genCores,
              note);
      log.printf(
          "  %s churn: %.0f cycles/s, p99 %.1f ms, failures %d%n",
          target.key(), result.perSecond(), Results.millis(result.latency(), 99), failures.get());
      return result;
    }
  }

  private static String token(String subject) throws JOSEException {
    SignedJWT jwt =
        new SignedJWT(
            new JWSHeader(JWSAlgorithm.HS256), new JWTClaimsSet.Builder().subject(subject).build());
    jwt.sign(new MACSigner(JWT_SECRET));
    return jwt.serialize();
  }

  /**
   * One churning client: connect with a token, join, leave (both acknowledged), close, again, until
   * the end time. Runs on the generator's event loops through future callbacks.
   */
  private record ChurnWorker(
      LoadGenerator gen,
      int port,
      List<String> tokens,
      int worker,
      long end,
      Recorder latency,
      AtomicLong cycles,
      AtomicLong failures,
      CountDownLatch done) {
    void next() {
      long t0 = System.nanoTime();
      if (t0 >= end) {
        done.countDown();
        return;
      }
      String token = tokens.get((int) ((cycles.get() + worker) % tokens.size()));
      Conn conn = gen.connect(port, "fanout", "{\"token\":\"" + token + "\"}");
      conn.joined
          .thenCompose(Conn::leave)
          .whenComplete(
              (ok, error) -> {
                conn.close();
                if (error == null) {
                  latency.recordValue(System.nanoTime() - t0);
                  cycles.incrementAndGet();
                  next();
                } else {
                  // A short pause: a failure can be reported at once, and looping on it at once
                  // would only burn the CPU the servers need.
                  failures.incrementAndGet();
                  CompletableFuture.delayedExecutor(10, TimeUnit.MILLISECONDS).execute(this::next);
                }
              });
    }
  }
}
