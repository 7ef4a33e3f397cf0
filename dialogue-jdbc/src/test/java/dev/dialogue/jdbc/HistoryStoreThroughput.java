package dev.dialogue.jdbc;

import dev.dialogue.testing.TestPostgres;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Measures acknowledged appends per second through {@link JdbcHistoryStore}: producers append to
 * their own rooms, each keeping a bounded number of appends in flight, and an append counts once
 * its future completes (the event is committed). Not a test: run it by hand (see docs/history.md,
 * "Throughput").
 *
 * <p>Arguments (all optional): events (default 200000), producers (4), in-flight per producer
 * (1000), JDBC URL (default a new H2 file database in a temporary directory; {@code postgres} for
 * the tests' PostgreSQL server, see {@link TestPostgres}).
 */
final class HistoryStoreThroughput {
  private HistoryStoreThroughput() {}

  public static void main(String[] args) throws Exception {
    int events = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
    int producers = args.length > 1 ? Integer.parseInt(args[1]) : 4;
    int window = args.length > 2 ? Integer.parseInt(args[2]) : 1_000;
    String url =
        args.length > 3
            ? args[3]
            : "jdbc:h2:file:"
                + Files.createTempDirectory("dialogue-throughput").resolve("db").toAbsolutePath();
    if (url.equals("postgres")) {
      TestPostgres postgres = TestPostgres.shared(); // stopped by its shutdown hook
      postgres.createSchema("throughput");
      url = postgres.url("throughput");
    }
    int perProducer = events / producers;

    try (JdbcHistoryStore store = JdbcHistoryStore.builder(url).build()) {
      run(
          store,
          Math.min(20_000, perProducer),
          producers,
          window,
          "warmup"); // JIT, pool, first pages
      long commitsBefore = store.commits();
      long writerCpu = writerCpuNanos();
      long start = System.nanoTime();
      long acked = run(store, perProducer, producers, window, "measure");
      double seconds = (System.nanoTime() - start) / 1e9;
      long commits = store.commits() - commitsBefore;
      writerCpu = writerCpuNanos() - writerCpu;
      System.out.printf(
          "%s: %d events acknowledged in %.2f s = %,.0f events/s; %d commits, %.1f events per commit"
              + " (%d producers, %d in flight each); writer thread CPU %.1f us per event%n",
          url.replaceFirst("^(jdbc:[a-z0-9]+):.*$", "$1"),
          acked,
          seconds,
          acked / seconds,
          commits,
          (double) acked / commits,
          producers,
          window,
          writerCpu / 1e3 / acked);
    }
  }

  /**
   * CPU time of the store's writer thread: what the database costs per event, which a shared 2-core
   * machine blurs much less than events per second.
   */
  private static long writerCpuNanos() {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().equals("dialogue-history-writer"))
        .mapToLong(t -> threads.getThreadCpuTime(t.getId()))
        .sum();
  }

  private static long run(
      JdbcHistoryStore store, int perProducer, int producers, int window, String prefix)
      throws InterruptedException {
    AtomicLong acked = new AtomicLong();
    List<Thread> threads = new ArrayList<>();
    for (int p = 0; p < producers; p++) {
      String roomId = prefix + "-" + p;
      threads.add(new Thread(() -> produce(store, roomId, perProducer, window, acked)));
    }
    threads.forEach(Thread::start);
    for (Thread t : threads) {
      t.join();
    }
    return acked.get();
  }

  private static void produce(
      JdbcHistoryStore store, String roomId, int count, int window, AtomicLong acked) {
    Semaphore inFlight = new Semaphore(window);
    try {
      for (int offset = 1; offset <= count; offset++) {
        inFlight.acquire();
        CompletableFuture<Void> done =
            store.append("epoch", JdbcHistoryStoreContract.event(roomId, offset));
        done.whenComplete(
            (ok, failure) -> {
              if (failure != null) {
                System.err.println("append failed: " + failure);
              } else {
                acked.incrementAndGet();
              }
              inFlight.release();
            });
      }
      // Wait for the stragglers: all permits back means nothing in flight.
      if (!inFlight.tryAcquire(window, 60, TimeUnit.SECONDS)) {
        throw new IllegalStateException(roomId + ": appends still in flight after 60 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
