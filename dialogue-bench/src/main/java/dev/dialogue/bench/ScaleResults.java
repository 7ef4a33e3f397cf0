package dev.dialogue.bench;

import java.util.Arrays;
import java.util.List;
import org.HdrHistogram.Histogram;

/** What the scale-out scenarios ({@link ScaleOut}) measured, as {@link ScaleReport} prints it. */
final class ScaleResults {
  private ScaleResults() {}

  /** One way to run the fan-out: how many nodes, on Redis or in memory. */
  record Setup(String key, String title, int nodes, boolean redis) {
    static final Setup MEMORY = new Setup("memory-1", "1 node, memory", 1, false);
    static final Setup REDIS_1 = new Setup("redis-1", "1 node on Redis", 1, true);
    static final Setup REDIS_3 = new Setup("redis-3", "3 nodes on Redis", 3, true);
    static final List<Setup> ALL = List.of(MEMORY, REDIS_1, REDIS_3);
  }

  /**
   * One load level held for a while, across every node.
   *
   * @param nodeCores each node's CPU use in cores (2.0 = both cores of the machine)
   * @param redisCores the Redis server's, from its INFO cpu
   * @param generatorCores the load generator's own
   */
  record Step(
      double offered,
      double delivered,
      Histogram latency,
      Histogram publishLag,
      long gaps,
      long duplicates,
      long errors,
      double[] nodeCores,
      double redisCores,
      double generatorCores,
      boolean sustained) {
    double p50Millis() {
      return Results.millis(latency, 50);
    }

    double p99Millis() {
      return Results.millis(latency, 99);
    }

    double p999Millis() {
      return Results.millis(latency, 99.9);
    }

    double publishLagP99Millis() {
      return Results.millis(publishLag, 99);
    }

    /** The servers' CPU: every node's and Redis'. */
    double serverCores() {
      return Arrays.stream(nodeCores).sum() + Math.max(0, redisCores);
    }

    /** Deliveries per second per core the servers used. */
    double deliveredPerServerCore() {
      return delivered / serverCores();
    }
  }

  /** A rising load on one setup, then a run at 80% of its maximum. */
  record Fanout(
      Setup setup,
      int round,
      int subscribers,
      int connected,
      List<Step> steps,
      Step at80,
      String note) {
    double maxSustained() {
      return steps.stream().filter(Step::sustained).mapToDouble(Step::delivered).max().orElse(0);
    }

    double maxWithin(double p99Millis) {
      return steps.stream()
          .filter(s -> s.sustained() && s.p99Millis() <= p99Millis)
          .mapToDouble(Step::delivered)
          .max()
          .orElse(0);
    }

    /** The sustained step with the highest delivered rate, or null. */
    Step maxStep() {
      return steps.stream()
          .filter(Step::sustained)
          .max(java.util.Comparator.comparingDouble(Step::delivered))
          .orElse(null);
    }
  }

  /**
   * Idle connections held across nodes; heap and RSS per node before and after they joined.
   *
   * @param heapBefore per node, after a full collection, before any connection
   * @param nodeCpuSeconds per node, over the window
   */
  record Idle(
      String title,
      int nodes,
      boolean redis,
      int clientProcesses,
      int connections,
      int joined,
      long[] heapBefore,
      long[] heapAfter,
      long[] rssBefore,
      long[] rssAfter,
      long redisRssBefore,
      long redisRssAfter,
      double windowSeconds,
      double[] nodeCpuSeconds,
      long pings,
      long disconnects,
      long errors,
      String note) {
    double heapPerConnection() {
      return (Arrays.stream(heapAfter).sum() - Arrays.stream(heapBefore).sum()) / (double) joined;
    }

    double rssPerConnection() {
      return (Arrays.stream(rssAfter).sum() - Arrays.stream(rssBefore).sum()) / (double) joined;
    }

    double cpuMicrosPerConnectionSecond() {
      return Arrays.stream(nodeCpuSeconds).sum() * 1e6 / windowSeconds / joined;
    }
  }

  /**
   * The recovery storm across nodes: the clients of a node that is killed recover on the others.
   *
   * @param fromKillMillis from the SIGKILL until every client had recovered
   * @param fromReconnectMillis from the first reconnection until every client had recovered
   * @param noticedMillis from the SIGKILL until every client had seen its connection close
   * @param notLive clients that did not receive the live events published after the recovery
   */
  record Storm(
      int nodes,
      int clients,
      int joined,
      int events,
      int recovered,
      double fromKillMillis,
      double fromReconnectMillis,
      double noticedMillis,
      Histogram perClient,
      long received,
      long gaps,
      long duplicates,
      long errors,
      long retries,
      int notLive,
      double[] survivorCpuSeconds,
      double redisCpuSeconds,
      String note) {}
}
