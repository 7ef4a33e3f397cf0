package dev.dialogue.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;

/**
 * The recovery storm across nodes (issue 19): every client of the storm room is on node 0, a
 * publisher on node 1; node 0 is killed (SIGKILL), the publisher publishes while the clients are
 * cut off, and every client reconnects at once to a surviving node (1 or 2, alternating) and joins
 * with {@code since}, the position it saw. Measures the time until every client has every missed
 * event, gaps and duplicates ({@link StormClient}), and that all are live again after.
 */
final class ScaleStorm {
  private static final int NODES = 3;
  private static final int JOINING_AT_ONCE = 256;

  private final Plan.Storm plan;
  private final ScaleOut scale;
  private final Launcher launcher;
  private final PrintStream log;
  private long published;

  ScaleStorm(Plan.Storm plan, ScaleOut scale, Launcher launcher, PrintStream log) {
    this.plan = plan;
    this.scale = scale;
    this.launcher = launcher;
    this.log = log;
  }

  ScaleResults.Storm run() throws Exception {
    log.println("bench: recovery storm across nodes, " + plan.clients() + " clients");
    try (Cluster cluster = new Cluster(launcher, NODES, scale.freshRedis(), 0);
        LoadGenerator gen = new LoadGenerator(2, 8)) {
      List<StormClient> clients = new ArrayList<>();
      for (int i = 0; i < plan.clients(); i++) {
        clients.add(new StormClient(i, RecoveryStorm.ROOM, false, gen.stats));
      }
      List<Conn> first = joinAll(gen, cluster.port(0), clients);
      Conn publisher =
          gen.connect(cluster.port(1), RecoveryStorm.ROOM, "{\"userId\":\"storm-publisher\"}");
      publisher.joined.get(30, TimeUnit.SECONDS);
      if (first.size() < clients.size() || live(publisher, clients) > 0) {
        return failed(first.size(), "not every client joined node 0 and received the live events");
      }

      log.println("  every client joined node 0 and is live; killing node 0");
      Stats.Snapshot beforeKill = gen.stats.snapshot();
      long killAt = System.nanoTime();
      cluster.kill(0);
      // Every client sees its connection end (a disconnect and an error each, not counted below).
      long deadline = killAt + TimeUnit.SECONDS.toNanos(plan.timeoutSeconds());
      while (gen.stats.snapshot().minus(beforeKill).errors() < clients.size()
          && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      double noticedMillis = (System.nanoTime() - killAt) / 1e6;
      Stats.Snapshot before = gen.stats.snapshot();
      publish(publisher, plan.events());

      StormClient.Phase phase =
          new StormClient.Phase(published, true, new CountDownLatch(clients.size()));
      clients.forEach(c -> c.expect(phase));
      long[] cpu = cluster.cpuNanos();
      long redisCpu = scale.redisCpuNanos();
      AtomicLong retries = new AtomicLong();
      log.println("  published " + plan.events() + " events on node 1; every client reconnects");
      long reconnectAt = System.nanoTime();
      long giveUp = reconnectAt + TimeUnit.SECONDS.toNanos(plan.timeoutSeconds());
      List<Conn> now = new ArrayList<>();
      for (StormClient c : clients) {
        c.reconnecting();
        attempt(gen, cluster.port(1 + c.index % (NODES - 1)), c, 0, giveUp, retries, now);
      }
      phase.done().await(plan.timeoutSeconds() + 1, TimeUnit.SECONDS);
      long[] cpuAfter = cluster.cpuNanos();
      double redisCpuSeconds = (scale.redisCpuNanos() - redisCpu) / 1e9;

      Histogram perClient = new Histogram(3);
      int recovered = 0;
      long received = 0;
      long last = Long.MIN_VALUE;
      for (StormClient c : clients) {
        received += c.received();
        if (c.reached(phase)) {
          recovered++;
          perClient.recordValue(Math.max(0, c.recoveryNanos()));
          last = Math.max(last, c.doneNanos());
        }
      }
      boolean all = recovered == clients.size();
      int notLive = live(publisher, clients);
      Stats.Snapshot d = gen.stats.snapshot().minus(before);
      double[] survivorCpu = new double[NODES - 1];
      for (int k = 1; k < NODES; k++) {
        survivorCpu[k - 1] = (cpuAfter[k] - cpu[k]) / 1e9;
      }
      ScaleResults.Storm result =
          new ScaleResults.Storm(
              NODES,
              clients.size(),
              first.size(),
              plan.events(),
              recovered,
              all ? (last - killAt) / 1e6 : Double.NaN,
              all ? (last - reconnectAt) / 1e6 : Double.NaN,
              noticedMillis,
              perClient,
              received,
              d.gaps(),
              d.duplicates(),
              d.errors(),
              retries.get(),
              notLive,
              survivorCpu,
              redisCpuSeconds,
              d.errors() == 0
                  ? ""
                  : "errors after the kill; the run's first error: " + gen.stats.firstError());
      log.printf(
          "  storm across nodes: %d/%d recovered, %.0f ms from the kill (%.0f ms from"
              + " reconnecting, cut noticed in %.0f ms), p50 %.1f p99 %.1f ms, received %d, gaps"
              + " %d, duplicates %d, errors %d, retries %d, not live after %d%n",
          recovered,
          clients.size(),
          result.fromKillMillis(),
          result.fromReconnectMillis(),
          noticedMillis,
          Results.millis(perClient, 50),
          Results.millis(perClient, 99),
          received,
          d.gaps(),
          d.duplicates(),
          d.errors(),
          retries.get(),
          notLive);
      now.add(publisher);
      gen.closeAll(now);
      return result;
    }
  }

  private ScaleResults.Storm failed(int joined, String why) {
    return new ScaleResults.Storm(
        NODES,
        plan.clients(),
        joined,
        plan.events(),
        0,
        Double.NaN,
        Double.NaN,
        Double.NaN,
        new Histogram(3),
        0,
        0,
        0,
        0,
        0,
        plan.clients(),
        new double[NODES - 1],
        0,
        why + "; not run");
  }

  /** Joins every client to {@code port}, {@link #JOINING_AT_ONCE} at a time; returns who joined. */
  private List<Conn> joinAll(LoadGenerator gen, int port, List<StormClient> clients)
      throws InterruptedException {
    Semaphore joining = new Semaphore(JOINING_AT_ONCE);
    List<Conn> conns = new ArrayList<>();
    for (StormClient c : clients) {
      joining.acquire();
      Conn conn = gen.connect(port, RecoveryStorm.ROOM, c.auth(), c);
      conn.joined.whenComplete((x, e) -> joining.release());
      conns.add(conn);
    }
    List<Conn> joined = new ArrayList<>();
    for (Conn conn : conns) {
      try {
        joined.add(conn.joined.get(plan.timeoutSeconds(), TimeUnit.SECONDS));
      } catch (Exception e) {
        // Counted as an error by the connection.
      }
    }
    return joined;
  }

  /**
   * One reconnection of {@code client}; a failed one is retried as socket.io-client would (1 s,
   * doubling up to 5 s, each +-50%) until {@code giveUp}.
   */
  private void attempt(
      LoadGenerator gen,
      int port,
      StormClient client,
      int failures,
      long giveUp,
      AtomicLong retries,
      List<Conn> opened) {
    Conn conn = gen.connect(port, RecoveryStorm.ROOM, client.auth(), client);
    synchronized (opened) {
      opened.add(conn);
    }
    conn.joined.whenComplete(
        (c, e) -> {
          if (e == null || client.finished()) {
            return;
          }
          long delay = Math.min(1_000L << Math.min(failures, 3), 5_000);
          delay = (long) (delay * (0.5 + ThreadLocalRandom.current().nextDouble()));
          if (System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(delay) >= giveUp) {
            client.failed();
            return;
          }
          retries.incrementAndGet();
          CompletableFuture.delayedExecutor(delay, TimeUnit.MILLISECONDS)
              .execute(() -> attempt(gen, port, client, failures + 1, giveUp, retries, opened));
        });
  }

  /** Publishes the live events; returns how many clients did not receive them all in time. */
  private int live(Conn publisher, List<StormClient> clients) throws Exception {
    StormClient.Phase phase =
        new StormClient.Phase(
            published + plan.liveEvents(), false, new CountDownLatch(clients.size()));
    clients.forEach(c -> c.expect(phase));
    publish(publisher, plan.liveEvents());
    phase.done().await(plan.timeoutSeconds(), TimeUnit.SECONDS);
    return (int) clients.stream().filter(c -> !c.reached(phase)).count();
  }

  /** Publishes {@code n} events, each acknowledged before the next. */
  private void publish(Conn publisher, int n) throws Exception {
    for (int i = 0; i < n; i++) {
      String reply = publisher.publishAcked().get(30, TimeUnit.SECONDS);
      if (!reply.contains("\"ok\":true")) {
        throw new IllegalStateException("the storm's publisher was refused: " + reply);
      }
      published++;
    }
  }
}
