package dev.dialogue.bench;

import dev.dialogue.testing.TestRedis;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * The scale-out scenarios of issue 19 ({@code redis-fanout}, {@code redis-idle}, {@code
 * redis-storm}): Dialogue nodes, each in a process of its own, sharing their rooms through one
 * Redis, a {@code redis-server} child of this process started once for the run and emptied before
 * each measurement. Runs the scenarios named and keeps their results for {@link ScaleReport}.
 */
final class ScaleOut implements AutoCloseable {
  /** The scenario names BenchMain accepts for this class. */
  static final List<String> SCENARIOS = List.of("redis-fanout", "redis-idle", "redis-storm");

  /**
   * How big each scale-out scenario runs.
   *
   * @param subscribers of the fan-out room, spread over the nodes
   * @param publishers of the fan-out, spread over the nodes like the subscribers
   * @param rounds each fan-out setup is measured this many times, the setups alternating
   * @param idleConnections held at once across {@code idleNodes} nodes ...
   * @param idleNodes ...
   * @param idlePerClientProcess ... from client processes of at most this many connections each
   *     (every process, client or server, has its own limit of open files)
   * @param storm clients of the node that is killed, events missed, live events, timeout
   */
  record Sizes(
      int subscribers,
      int publishers,
      int rounds,
      int idleConnections,
      int idleNodes,
      int idlePerClientProcess,
      Plan.Storm storm) {
    /**
     * The plan's sizes; {@code -Ddialogue.bench.scaleRounds=N} measures the full plan's fan-out
     * setups N times instead of 2 (more spread on a noisy machine).
     */
    static Sizes of(Plan plan) {
      int rounds = Integer.getInteger("dialogue.bench.scaleRounds", 2);
      return plan.name().equals(Plan.FULL.name())
          ? new Sizes(1_000, 6, rounds, 50_000, 3, 17_000, new Plan.Storm(5_000, 100, 10, 1, 120))
          : new Sizes(150, 3, 1, 600, 3, 250, new Plan.Storm(150, 20, 5, 1, 60));
    }
  }

  final Sizes sizes;
  final List<ScaleResults.Fanout> fanout = new ArrayList<>();
  final List<ScaleResults.Idle> idle = new ArrayList<>();
  final List<ScaleResults.Storm> storm = new ArrayList<>();
  private final Plan plan;
  private final Launcher launcher;
  private final PrintStream log;
  private TestRedis redis;

  ScaleOut(Plan plan, Launcher launcher, PrintStream log) {
    this.plan = plan;
    this.sizes = Sizes.of(plan);
    this.launcher = launcher;
    this.log = log;
  }

  /** Runs those of {@link #SCENARIOS} that {@code names} holds, in that order. */
  ScaleOut run(java.util.Collection<String> names) throws Exception {
    if (names.contains("redis-fanout")) {
      fanout.addAll(new ScaleFanout(plan, sizes, this, launcher, log).run());
    }
    if (names.contains("redis-idle")) {
      idle.addAll(new ScaleIdle(plan, sizes, this, launcher, log).run());
    }
    if (names.contains("redis-storm")) {
      storm.add(new ScaleStorm(sizes.storm(), this, launcher, log).run());
    }
    return this;
  }

  boolean isEmpty() {
    return fanout.isEmpty() && idle.isEmpty() && storm.isEmpty();
  }

  /** The run's Redis, started on first use and emptied on every call: each setup starts clean. */
  String freshRedis() {
    if (redis == null) {
      TestRedis started = TestRedis.start();
      // Also stopped if this JVM is ended (SIGTERM) before close().
      Runtime.getRuntime().addShutdownHook(new Thread(started::close, "bench-redis-stop"));
      redis = started;
      log.println("bench: redis-server on port " + redis.port());
    }
    redis.flushAll();
    return redis.uri();
  }

  /** CPU time the Redis server has used so far (INFO cpu), in nanoseconds; -1 if unknown. */
  long redisCpuNanos() {
    if (redis == null) {
      return -1;
    }
    try {
      double seconds = 0;
      for (String line : redis.command("INFO", "cpu").split("\r?\n")) {
        if (line.startsWith("used_cpu_user:") || line.startsWith("used_cpu_sys:")) {
          seconds += Double.parseDouble(line.substring(line.indexOf(':') + 1).trim());
        }
      }
      return (long) (seconds * 1e9);
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /** The Redis server's resident memory (INFO memory, used_memory_rss), or -1. */
  long redisRssBytes() {
    try {
      for (String line : redis.command("INFO", "memory").split("\r?\n")) {
        if (line.startsWith("used_memory_rss:")) {
          return Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
        }
      }
    } catch (IOException | RuntimeException e) {
      // Reported as unknown.
    }
    return -1;
  }

  @Override
  public void close() {
    if (redis != null) {
      redis.close();
      redis = null;
    }
  }
}
