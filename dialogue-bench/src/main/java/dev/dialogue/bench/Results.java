package dev.dialogue.bench;

import java.util.List;
import org.HdrHistogram.Histogram;

/** The measured outcome of each scenario, as the report prints it. */
final class Results {
  private Results() {}

  /** The value at {@code percentile} of a histogram of nanoseconds, in milliseconds. */
  static double millis(Histogram nanos, double percentile) {
    return nanos.getValueAtPercentile(percentile) / 1e6;
  }

  /**
   * One load level held for a while.
   *
   * @param offered deliveries per second the publish rate asks for (rate x recipients)
   * @param delivered deliveries per second received in the measuring window
   * @param latency publish-to-delivery latency of the window, in nanoseconds
   * @param publishLag how late the generator wrote each event of the window against its due time,
   *     in nanoseconds (included in {@code latency})
   * @param generatorCores the generator's CPU use in cores (2.0 = both cores busy)
   * @param serverCores the server's CPU use in cores
   */
  record Step(
      double offered,
      double delivered,
      Histogram latency,
      Histogram publishLag,
      long gaps,
      long duplicates,
      long errors,
      double generatorCores,
      double serverCores,
      boolean sustained) {
    double p50Millis() {
      return millis(latency, 50);
    }

    double p99Millis() {
      return millis(latency, 99);
    }

    double p999Millis() {
      return millis(latency, 99.9);
    }

    /** How late the generator published, at the 99th percentile (part of {@link #p99Millis}). */
    double publishLagP99Millis() {
      return millis(publishLag, 99);
    }
  }

  /**
   * A rising load until the server no longer keeps up, then a longer run at 80% of the highest
   * sustained rate.
   *
   * @param connected connections that joined (of {@code connections} asked for)
   * @param at80 the run at 80% of the maximum, or null if no step was sustained
   */
  record Ramp(
      Target target, int connections, int connected, List<Step> steps, Step at80, String note) {
    /** The highest delivered rate of a sustained step, or 0. */
    double maxSustained() {
      return steps.stream().filter(Step::sustained).mapToDouble(Step::delivered).max().orElse(0);
    }

    /**
     * The highest delivered rate of a sustained step whose p99 was at most {@code p99Millis}, or 0:
     * how much load the server carried within that latency.
     */
    double maxWithin(double p99Millis) {
      return steps.stream()
          .filter(s -> s.sustained() && s.p99Millis() <= p99Millis)
          .mapToDouble(Step::delivered)
          .max()
          .orElse(0);
    }
  }

  /** Idle connections with heartbeats: what each costs the server. */
  record Idle(
      Target target,
      int connections,
      int connected,
      long heapBefore,
      long heapAfter,
      long rssBefore,
      long rssAfter,
      double windowSeconds,
      double serverCpuSeconds,
      long pings,
      long disconnects,
      String note) {
    double heapPerConnection() {
      return heapBefore < 0 || heapAfter < 0
          ? Double.NaN
          : (heapAfter - heapBefore) / (double) connected;
    }

    double rssPerConnection() {
      return (rssAfter - rssBefore) / (double) connected;
    }

    /** CPU microseconds the server spends per idle connection per second. */
    double cpuMicrosPerConnectionSecond() {
      return serverCpuSeconds * 1e6 / windowSeconds / connected;
    }
  }

  /** Connect + authenticate (JWT) + join + leave + close, as fast as a few workers go. */
  record Churn(
      Target target,
      int workers,
      double seconds,
      long cycles,
      Histogram latency,
      long errors,
      double serverCores,
      double generatorCores,
      String note) {
    double perSecond() {
      return cycles / seconds;
    }
  }

  /**
   * Scenario 6: triggers of an event with history acknowledged per second, each connection keeping
   * {@code window} in flight.
   */
  record Durable(
      DurableScenario.Store store,
      int connections,
      int connected,
      int window,
      double seconds,
      long acked,
      Histogram latency,
      long errors,
      double serverCores,
      double generatorCores,
      double warmSeconds,
      List<Double> warmRates,
      List<Double> measuredRates,
      String note) {
    double perSecond() {
      return acked / seconds;
    }

    /** Rates as the report prints them: {@code 1,234 5,678 ...}. */
    static String rates(List<Double> rates) {
      StringBuilder s = new StringBuilder();
      for (double r : rates) {
        s.append(s.length() == 0 ? "" : " ").append(String.format("%,.0f", r));
      }
      return s.toString();
    }

    double p50Millis() {
      return millis(latency, 50);
    }

    double p99Millis() {
      return millis(latency, 99);
    }
  }

  /**
   * One round of the recovery storm: every client cut off, {@code events} published, every client
   * reconnecting at once.
   *
   * @param recovered clients that recovered every missed event within the time limit
   * @param allRecoveredMillis from the first reconnection until the last client recovered; NaN if
   *     not every client did
   * @param perClient each recovered client's time from its own reconnection to having recovered
   *     everything, in nanoseconds
   * @param received missed events received, all clients together
   * @param errors the generator's errors (failed attempts that were retried included), plus clients
   *     that were not live again after the round
   * @param retries reconnection attempts that failed and were retried
   * @param listenOverflows the machine's count of full listen queues during the reconnection
   *     (TcpExt ListenOverflows: a connection attempt dropped, to be retried by TCP)
   * @param serverCpuSeconds the server's CPU time from the first reconnection to the last recovery
   * @param generatorCpuSeconds the generator's CPU time over the same span
   * @param noticedMillis from the cut until the server's room had only the publisher left
   */
  record StormRound(
      int round,
      int clients,
      int events,
      int recovered,
      double allRecoveredMillis,
      Histogram perClient,
      long received,
      long gaps,
      long duplicates,
      long errors,
      long retries,
      long listenOverflows,
      double serverCpuSeconds,
      double generatorCpuSeconds,
      double noticedMillis) {
    double p50Millis() {
      return perClient.getTotalCount() == 0 ? Double.NaN : millis(perClient, 50);
    }

    double p99Millis() {
      return perClient.getTotalCount() == 0 ? Double.NaN : millis(perClient, 99);
    }
  }

  /**
   * The recovery storm against one target.
   *
   * @param connected clients that joined before the first round
   */
  record Storm(
      Target target,
      int clients,
      int connected,
      int events,
      List<StormRound> rounds,
      String note) {}

  /**
   * The chat scenario: the chat example under simulated users for a window.
   *
   * @param connected users whose connection was joined to all its channels (of {@code plan.users})
   * @param signupSeconds creating the users over HTTP (bcrypt), before and outside the window
   * @param setupSeconds channels made, users connected and joined to them, traffic settled
   * @param window what the connections counted in the measured window
   * @param delivery send (due time) to delivery, each member connection, in the window
   * @param ack send (due time) to the sender's acknowledgement, in the window
   * @param readMark {@code read.mark} request to answer, in the window
   * @param sendLag how late the generator wrote each message (part of the latencies)
   * @param totalExpected deliveries every acknowledged message of the run owed (warm-up, window and
   *     the last seconds), counted after the traffic stopped and the deliveries drained
   * @param totalDelivered deliveries of the scenario's messages received over the same span
   * @param codes errors and refusals by code, over the whole run
   */
  record Chat(
      Plan.Chat plan,
      int connected,
      int membersPerChannel,
      double signupSeconds,
      double setupSeconds,
      ChatStats.Snapshot window,
      Histogram delivery,
      Histogram ack,
      Histogram readMark,
      Histogram sendLag,
      long totalExpected,
      long totalDelivered,
      java.util.Map<String, Long> codes,
      double serverCores,
      double generatorCores,
      long serverRssBytes,
      long serverHeapAfterGc,
      List<String> timeline,
      String note) {
    double perSecond(long n) {
      return n / window.seconds();
    }
  }

  /**
   * The game scenario: the Four in a Row example under bot players for a window.
   *
   * @param seated matches whose two players were both seated (of {@code plan.matches})
   * @param watching lobby watchers joined to the lobby room
   * @param setupSeconds connecting, making and joining the matches
   * @param window what the connections counted in the measured window
   * @param toMover a move sent to the state that shows it, at the player who moved
   * @param toOpponent the same at the opponent
   * @param ack a move sent to its answer
   * @param codes errors and refusals by code, over the whole run
   * @param reasons games finished in the window, by how they ended
   */
  record Game(
      Plan.Game plan,
      int seated,
      int watching,
      double setupSeconds,
      GameStats.Snapshot window,
      Histogram toMover,
      Histogram toOpponent,
      Histogram ack,
      java.util.Map<String, Long> codes,
      java.util.Map<String, Long> reasons,
      double serverCores,
      double generatorCores,
      long serverRssBytes,
      long serverHeapAfterGc,
      List<String> timeline,
      String note) {
    double perSecond(long n) {
      return n / window.seconds();
    }
  }
}
