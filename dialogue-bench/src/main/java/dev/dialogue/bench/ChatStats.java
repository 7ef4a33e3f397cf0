package dev.dialogue.bench;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * What the chat scenario's connections count, shared by all of them. Counters only grow; the
 * scenario takes {@link Snapshot}s and subtracts. Latencies in nanoseconds.
 */
final class ChatStats {
  /** Send (the time a message was due) to its delivery at each member connection. */
  final Recorder delivery = new Recorder(3);

  /** Send (due time) to the sender's acknowledgement of the trigger. */
  final Recorder ack = new Recorder(3);

  /** {@code read.mark} request to its answer. */
  final Recorder readMark = new Recorder(3);

  /** How late the generator wrote each message against its due time (part of the latencies). */
  final Recorder sendLag = new Recorder(3);

  final LongAdder messagesSent = new LongAdder();
  final LongAdder messagesAcked = new LongAdder();
  final LongAdder messagesRefused = new LongAdder();

  /** Deliveries the acknowledged messages owe: each one's room's member connections. */
  final LongAdder deliveriesExpected = new LongAdder();

  final LongAdder deliveries = new LongAdder();
  final LongAdder typingSent = new LongAdder();
  final LongAdder typingDelivered = new LongAdder();
  final LongAdder readMarks = new LongAdder();
  final LongAdder readMarksAnswered = new LongAdder();
  final LongAdder unreadPushes = new LongAdder();
  final LongAdder presence = new LongAdder();
  final LongAdder otherFrames = new LongAdder();
  final LongAdder errors = new LongAdder();
  final LongAdder disconnects = new LongAdder();

  /** Refusals and errors by code (acks that said {@code ok:false}, dialogue:error, others). */
  private final Map<String, LongAdder> byCode = new ConcurrentHashMap<>();

  private volatile String firstError;

  void error(String code, String detail) {
    errors.increment();
    byCode.computeIfAbsent(code, k -> new LongAdder()).increment();
    if (firstError == null) {
      String what = code + ": " + detail;
      firstError = what.length() > 300 ? what.substring(0, 300) + "..." : what;
    }
  }

  String firstError() {
    return firstError;
  }

  /** Errors by code so far. */
  Map<String, Long> codes() {
    Map<String, Long> codes = new TreeMap<>();
    byCode.forEach((k, v) -> codes.put(k, v.sum()));
    return codes;
  }

  Snapshot snapshot() {
    return new Snapshot(
        System.nanoTime(),
        messagesSent.sum(),
        messagesAcked.sum(),
        messagesRefused.sum(),
        deliveriesExpected.sum(),
        deliveries.sum(),
        typingSent.sum(),
        typingDelivered.sum(),
        readMarks.sum(),
        readMarksAnswered.sum(),
        unreadPushes.sum(),
        presence.sum(),
        otherFrames.sum(),
        errors.sum(),
        disconnects.sum());
  }

  /** Resets every latency recorder (what came before is not measured). */
  void resetLatencies() {
    delivery.getIntervalHistogram();
    ack.getIntervalHistogram();
    readMark.getIntervalHistogram();
    sendLag.getIntervalHistogram();
  }

  static Histogram since(Recorder r) {
    return r.getIntervalHistogram();
  }

  record Snapshot(
      long nanos,
      long messagesSent,
      long messagesAcked,
      long messagesRefused,
      long deliveriesExpected,
      long deliveries,
      long typingSent,
      long typingDelivered,
      long readMarks,
      long readMarksAnswered,
      long unreadPushes,
      long presence,
      long otherFrames,
      long errors,
      long disconnects) {
    Snapshot minus(Snapshot e) {
      return new Snapshot(
          nanos - e.nanos,
          messagesSent - e.messagesSent,
          messagesAcked - e.messagesAcked,
          messagesRefused - e.messagesRefused,
          deliveriesExpected - e.deliveriesExpected,
          deliveries - e.deliveries,
          typingSent - e.typingSent,
          typingDelivered - e.typingDelivered,
          readMarks - e.readMarks,
          readMarksAnswered - e.readMarksAnswered,
          unreadPushes - e.unreadPushes,
          presence - e.presence,
          otherFrames - e.otherFrames,
          errors - e.errors,
          disconnects - e.disconnects);
    }

    double seconds() {
      return nanos / 1e9;
    }

    /** All frames the connections received. */
    long frames() {
      return deliveries + typingDelivered + unreadPushes + presence + otherFrames;
    }
  }
}
