package dev.dialogue.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.HdrHistogram.Histogram;

/**
 * Scenario 5, the recovery storm: N subscribers of one room are cut off at once (a TCP reset, no
 * disconnect packet), a separate publisher publishes events that each is acknowledged, and all N
 * reconnect at once and recover what they missed with the server's own recovery: Dialogue's join
 * with {@code since}, Socket.IO's connection state recovery on the Node peer. Measures the time
 * until every client has recovered every missed event, each client's own time, gaps and duplicates,
 * repeated for a few rounds with the same clients. The netty-socketio relay has no recovery and is
 * not run.
 */
final class RecoveryStorm {
  /** The room of the storm; the Dialogue server under test declares it with history. */
  static final String ROOM = "storm";

  /** Handshakes in flight while the clients first join (not measured): as LoadGenerator.open. */
  private static final int FIRST_JOIN_AT_ONCE = 256;

  private final Plan.Storm plan;
  private final Launcher launcher;
  private final PrintStream log;
  private long published;

  /** The clients' current connections, index by index (a retry replaces one). */
  private AtomicReferenceArray<Conn> conns = new AtomicReferenceArray<>(0);

  RecoveryStorm(Plan.Storm plan, Launcher launcher, PrintStream log) {
    this.plan = plan;
    this.launcher = launcher;
    this.log = log;
  }

  /** Whether {@code target} has a recovery to measure. */
  static boolean applies(Target target) {
    return target != Target.RELAY;
  }

  Results.Storm run(Target target) throws Exception {
    if (!applies(target)) {
      throw new IllegalArgumentException(target.title() + " has no recovery");
    }
    boolean socketIo = target == Target.NODE;
    List<String> args = socketIo ? List.of("--recovery") : List.of();
    try (ServerProcess server = launcher.start(target, 0, null, List.of(), args);
        LoadGenerator gen = new LoadGenerator(2, 8)) {
      published = 0;
      List<StormClient> clients = new ArrayList<>(plan.clients());
      for (int i = 0; i < plan.clients(); i++) {
        clients.add(new StormClient(i, ROOM, socketIo, gen.stats));
      }
      List<Conn> first = connect(gen, server.port(), clients, FIRST_JOIN_AT_ONCE);
      conns = new AtomicReferenceArray<>(first.toArray(Conn[]::new));
      int connected = joined(first, plan.timeoutSeconds());
      Conn publisher = gen.connect(server.port(), ROOM, "{\"userId\":\"storm-publisher\"}");
      publisher.joined.get(30, TimeUnit.SECONDS);
      List<Results.StormRound> rounds = new ArrayList<>();
      String note = "";
      if (connected < clients.size()) {
        note = "only " + connected + " of " + clients.size() + " joined; not run";
      } else if (live(publisher, clients) > 0) {
        note = "not every client received the live events before the first cut; not run";
      } else {
        try {
          for (int r = 1; r <= plan.rounds(); r++) {
            rounds.add(round(r, gen, server, publisher, clients));
            log(target, rounds.get(rounds.size() - 1));
          }
        } catch (ExecutionException | TimeoutException | IllegalStateException e) {
          // The report keeps the rounds measured so far and says why the others are missing.
          note = "stopped after " + rounds.size() + " rounds: " + e;
        }
      }
      if (gen.stats.firstError() != null) {
        note = (note + " first error: " + gen.stats.firstError()).trim();
      }
      List<Conn> all = new ArrayList<>();
      for (int i = 0; i < conns.length(); i++) {
        all.add(conns.get(i));
      }
      all.add(publisher);
      gen.closeAll(all);
      conns = new AtomicReferenceArray<>(0);
      return new Results.Storm(target, plan.clients(), connected, plan.events(), rounds, note);
    }
  }

  private void log(Target target, Results.StormRound round) {
    log.printf(
        "  %s round %d: %d/%d recovered, all in %.0f ms, p50 %.1f p99 %.1f ms, received %d, gaps"
            + " %d, duplicates %d, errors %d, retries %d, listen overflows %d, CPU server %.2f s"
            + " generator %.2f s, cut noticed in %.0f ms%n",
        target.key(),
        round.round(),
        round.recovered(),
        round.clients(),
        round.allRecoveredMillis(),
        round.p50Millis(),
        round.p99Millis(),
        round.received(),
        round.gaps(),
        round.duplicates(),
        round.errors(),
        round.retries(),
        round.listenOverflows(),
        round.serverCpuSeconds(),
        round.generatorCpuSeconds(),
        round.noticedMillis());
  }

  /** Cut, publish, reconnect at once, wait until all recovered, then check live delivery. */
  private Results.StormRound round(
      int round, LoadGenerator gen, ServerProcess server, Conn publisher, List<StormClient> clients)
      throws Exception {
    Stats.Snapshot before = gen.stats.snapshot();
    for (int i = 0; i < conns.length(); i++) {
      conns.get(i).cut();
    }
    long cutAt = System.nanoTime();
    awaitRoomSize(publisher, 1);
    double noticedMillis = (System.nanoTime() - cutAt) / 1e6;
    publish(publisher, plan.events());

    StormClient.Phase phase =
        new StormClient.Phase(published, true, new CountDownLatch(clients.size()));
    for (StormClient c : clients) {
      c.expect(phase);
    }
    long cpu = server.cpuNanos();
    long genCpu = LoadGenerator.cpuNanos();
    long overflows = listenOverflows();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(plan.timeoutSeconds());
    AtomicLong retries = new AtomicLong();
    for (int i = 0; i < clients.size(); i++) {
      clients.get(i).reconnecting();
      attempt(gen, server.port(), clients.get(i), i, 0, deadline, retries);
    }
    phase.done().await(plan.timeoutSeconds() + 1, TimeUnit.SECONDS);
    overflows = listenOverflows() - overflows;
    double cpuSeconds = (server.cpuNanos() - cpu) / 1e9;
    double genCpuSeconds = (LoadGenerator.cpuNanos() - genCpu) / 1e9;

    Histogram perClient = new Histogram(3);
    int recovered = 0;
    long received = 0;
    long first = Long.MAX_VALUE;
    long last = Long.MIN_VALUE;
    for (StormClient c : clients) {
      received += c.received();
      first = Math.min(first, c.startedNanos());
      if (c.reached(phase)) {
        recovered++;
        perClient.recordValue(Math.max(0, c.recoveryNanos()));
        last = Math.max(last, c.doneNanos());
      }
    }
    double allMillis = recovered == clients.size() ? (last - first) / 1e6 : Double.NaN;
    int notLive = live(publisher, clients);
    Stats.Snapshot d = gen.stats.snapshot().minus(before);
    return new Results.StormRound(
        round,
        clients.size(),
        plan.events(),
        recovered,
        allMillis,
        perClient,
        received,
        d.gaps(),
        d.duplicates(),
        d.errors() + notLive,
        retries.get(),
        overflows,
        cpuSeconds,
        genCpuSeconds,
        noticedMillis);
  }

  /**
   * One reconnection attempt of client {@code i}. A failed attempt is retried as socket.io-client
   * does by default (after 1 s, doubling up to 5 s, each +-50%), until {@code deadline}: a client
   * that gives up after one timed-out handshake would measure the generator, not the server.
   */
  private void attempt(
      LoadGenerator gen,
      int port,
      StormClient client,
      int i,
      int failures,
      long deadline,
      AtomicLong retries) {
    Conn conn = gen.connect(port, ROOM, client.auth(), client);
    conns.set(i, conn);
    conn.joined.whenComplete(
        (c, e) -> {
          if (e == null || client.finished()) {
            return;
          }
          long delay = Math.min(1_000L << Math.min(failures, 3), 5_000);
          delay = (long) (delay * (0.5 + ThreadLocalRandom.current().nextDouble()));
          if (System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(delay) >= deadline) {
            client.failed();
            return;
          }
          retries.incrementAndGet();
          CompletableFuture.delayedExecutor(delay, TimeUnit.MILLISECONDS)
              .execute(() -> attempt(gen, port, client, i, failures + 1, deadline, retries));
        });
  }

  /**
   * The machine's count of connection attempts dropped because a listen queue was full (TcpExt
   * ListenOverflows in /proc/net/netstat), or -1 if unknown.
   */
  static long listenOverflows() {
    try {
      List<String> lines = Files.readAllLines(Path.of("/proc/net/netstat"));
      for (int i = 0; i + 1 < lines.size(); i++) {
        if (lines.get(i).startsWith("TcpExt:") && lines.get(i + 1).startsWith("TcpExt:")) {
          List<String> names = List.of(lines.get(i).split(" "));
          int at = names.indexOf("ListenOverflows");
          return at < 0 ? -1 : Long.parseLong(lines.get(i + 1).split(" ")[at]);
        }
      }
    } catch (IOException | RuntimeException e) {
      // Reported as unknown.
    }
    return -1;
  }

  /**
   * Opens one connection per client, at most {@code atOnce} handshaking at a time, and returns them
   * without waiting for the others.
   */
  private List<Conn> connect(LoadGenerator gen, int port, List<StormClient> clients, int atOnce)
      throws InterruptedException {
    Semaphore connecting = new Semaphore(atOnce);
    List<Conn> opened = new ArrayList<>(clients.size());
    for (StormClient client : clients) {
      if (!connecting.tryAcquire(plan.timeoutSeconds(), TimeUnit.SECONDS)) {
        break;
      }
      Conn conn = gen.connect(port, ROOM, client.auth(), client);
      conn.joined.whenComplete((c, e) -> connecting.release());
      opened.add(conn);
    }
    return opened;
  }

  /** How many of {@code conns} joined within {@code seconds}. */
  private static int joined(List<Conn> conns, int seconds) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    int joined = 0;
    for (Conn c : conns) {
      try {
        c.joined.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        joined++;
      } catch (Exception e) {
        // Counted as an error by the connection, or timed out.
      }
    }
    return joined;
  }

  /**
   * Publishes {@link Plan.Storm#liveEvents} and returns how many clients did not receive them all
   * in time: after a recovery every client must be live again.
   */
  private int live(Conn publisher, List<StormClient> clients) throws Exception {
    StormClient.Phase phase =
        new StormClient.Phase(
            published + plan.liveEvents(), false, new CountDownLatch(clients.size()));
    for (StormClient c : clients) {
      c.expect(phase);
    }
    publish(publisher, plan.liveEvents());
    phase.done().await(plan.timeoutSeconds(), TimeUnit.SECONDS);
    return (int) clients.stream().filter(c -> !c.reached(phase)).count();
  }

  /** Publishes {@code n} events one after another, each acknowledged before the next. */
  private void publish(Conn publisher, int n) throws Exception {
    for (int i = 0; i < n; i++) {
      String reply = publisher.publishAcked().get(30, TimeUnit.SECONDS);
      published++;
      if (!reply.contains("\"ok\":true")) {
        throw new IllegalStateException("the storm's publisher was refused: " + reply);
      }
    }
  }

  /** Waits until the server's storm room has {@code size} members: it has noticed the cut. */
  private void awaitRoomSize(Conn publisher, int size) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(plan.timeoutSeconds());
    while (true) {
      String rooms = publisher.call("dialogue:listRooms", "{}").get(30, TimeUnit.SECONDS);
      int at = rooms.indexOf("\"id\":\"" + ROOM + "\"");
      int sizeAt = at < 0 ? -1 : rooms.indexOf("\"size\":", at);
      if (sizeAt >= 0 && digitsAt(rooms, sizeAt + "\"size\":".length()) <= size) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the server did not notice the cut: " + rooms);
      }
      // The harness asks again shortly; asking in a tight loop would take CPU from the server.
      Thread.sleep(10);
    }
  }

  private static long digitsAt(String text, int from) {
    int end = from;
    while (end < text.length() && Character.isDigit(text.charAt(end))) {
      end++;
    }
    return end == from ? Long.MAX_VALUE : Long.parseLong(text.substring(from, end));
  }
}
