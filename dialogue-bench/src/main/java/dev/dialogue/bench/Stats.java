package dev.dialogue.bench;

import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * What the load generator counts, shared by all its connections and event loops. Counters only
 * grow; scenarios take {@link Snapshot}s and subtract. Latencies are in nanoseconds.
 */
final class Stats {
  final Recorder latency = new Recorder(3);

  /**
   * How late the generator wrote each published event, against the time it was due (the time the
   * event carries): the share of the latency that is the generator's own, not the server's.
   */
  final Recorder publishLag = new Recorder(3);

  final LongAdder published = new LongAdder();
  final LongAdder deliveries = new LongAdder();
  final LongAdder gaps = new LongAdder();
  final LongAdder duplicates = new LongAdder();
  final LongAdder errors = new LongAdder();
  final LongAdder disconnects = new LongAdder();
  final LongAdder pings = new LongAdder();
  private volatile String firstError;

  void error(String what) {
    errors.increment();
    if (firstError == null) {
      firstError = what.length() > 300 ? what.substring(0, 300) + "..." : what;
    }
  }

  /** The first error seen, for the report, or null. */
  String firstError() {
    return firstError;
  }

  Snapshot snapshot() {
    return new Snapshot(
        System.nanoTime(),
        published.sum(),
        deliveries.sum(),
        gaps.sum(),
        duplicates.sum(),
        errors.sum(),
        disconnects.sum(),
        pings.sum());
  }

  /** Latencies recorded since the previous call. */
  Histogram latencySinceLast() {
    return latency.getIntervalHistogram();
  }

  /** Publish lags recorded since the previous call. */
  Histogram publishLagSinceLast() {
    return publishLag.getIntervalHistogram();
  }

  record Snapshot(
      long nanos,
      long published,
      long deliveries,
      long gaps,
      long duplicates,
      long errors,
      long disconnects,
      long pings) {
    Snapshot minus(Snapshot earlier) {
      return new Snapshot(
          nanos - earlier.nanos,
          published - earlier.published,
          deliveries - earlier.deliveries,
          gaps - earlier.gaps,
          duplicates - earlier.duplicates,
          errors - earlier.errors,
          disconnects - earlier.disconnects,
          pings - earlier.pings);
    }

    double seconds() {
      return nanos / 1e9;
    }
  }
}
