package dev.dialogue.bench;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * What the game scenario's connections count, shared by all of them. Counters only grow; the
 * scenario takes {@link Snapshot}s and subtracts. Latencies in nanoseconds.
 */
final class GameStats {
  /** A move sent to the {@code state} event that shows it, at the player who moved. */
  final Recorder toMover = new Recorder(3);

  /** The same, at the opponent: what the other player waits for. */
  final Recorder toOpponent = new Recorder(3);

  /** A move sent to its answer ({@code Moved} or a refusal). */
  final Recorder ack = new Recorder(3);

  final LongAdder movesSent = new LongAdder();
  final LongAdder movesAccepted = new LongAdder();
  final LongAdder movesRefused = new LongAdder();
  final LongAdder gamesStarted = new LongAdder();
  final LongAdder gamesFinished = new LongAdder();

  /** Games that ended on a running-out turn clock: a bot too slow for the game's real clock. */
  final LongAdder timeouts = new LongAdder();

  final LongAdder states = new LongAdder();
  final LongAdder stateBytes = new LongAdder();
  final LongAdder notices = new LongAdder();
  final LongAdder lobbyUpdates = new LongAdder();
  final LongAdder lobbyBytes = new LongAdder();
  final LongAdder otherFrames = new LongAdder();
  final LongAdder errors = new LongAdder();
  final LongAdder disconnects = new LongAdder();

  /** Refusals and errors by code. */
  private final Map<String, LongAdder> byCode = new ConcurrentHashMap<>();

  /** Finished games by the result's reason ({@code four}, {@code draw}, {@code timeout}, ...). */
  private final Map<String, LongAdder> byReason = new ConcurrentHashMap<>();

  private volatile String firstError;

  void error(String code, String detail) {
    errors.increment();
    byCode.computeIfAbsent(code, k -> new LongAdder()).increment();
    if (firstError == null) {
      String what = code + ": " + detail;
      firstError = what.length() > 300 ? what.substring(0, 300) + "..." : what;
    }
  }

  void finished(String reason) {
    gamesFinished.increment();
    if (reason.equals("timeout")) {
      timeouts.increment();
    }
    byReason.computeIfAbsent(reason, k -> new LongAdder()).increment();
  }

  String firstError() {
    return firstError;
  }

  Map<String, Long> codes() {
    return sums(byCode);
  }

  Map<String, Long> reasons() {
    return sums(byReason);
  }

  private static Map<String, Long> sums(Map<String, LongAdder> counts) {
    Map<String, Long> out = new TreeMap<>();
    counts.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }

  Snapshot snapshot() {
    return new Snapshot(
        System.nanoTime(),
        movesSent.sum(),
        movesAccepted.sum(),
        movesRefused.sum(),
        gamesStarted.sum(),
        gamesFinished.sum(),
        timeouts.sum(),
        states.sum(),
        stateBytes.sum(),
        notices.sum(),
        lobbyUpdates.sum(),
        lobbyBytes.sum(),
        errors.sum(),
        disconnects.sum());
  }

  /** Resets every latency recorder (what came before is not measured). */
  void resetLatencies() {
    toMover.getIntervalHistogram();
    toOpponent.getIntervalHistogram();
    ack.getIntervalHistogram();
  }

  static Histogram since(Recorder r) {
    return r.getIntervalHistogram();
  }

  record Snapshot(
      long nanos,
      long movesSent,
      long movesAccepted,
      long movesRefused,
      long gamesStarted,
      long gamesFinished,
      long timeouts,
      long states,
      long stateBytes,
      long notices,
      long lobbyUpdates,
      long lobbyBytes,
      long errors,
      long disconnects) {
    Snapshot minus(Snapshot e) {
      return new Snapshot(
          nanos - e.nanos,
          movesSent - e.movesSent,
          movesAccepted - e.movesAccepted,
          movesRefused - e.movesRefused,
          gamesStarted - e.gamesStarted,
          gamesFinished - e.gamesFinished,
          timeouts - e.timeouts,
          states - e.states,
          stateBytes - e.stateBytes,
          notices - e.notices,
          lobbyUpdates - e.lobbyUpdates,
          lobbyBytes - e.lobbyBytes,
          errors - e.errors,
          disconnects - e.disconnects);
    }

    double seconds() {
      return nanos / 1e9;
    }

    double perSecond(long n) {
      return n / seconds();
    }
  }
}
