package dev.dialogue.internal;

import dev.dialogue.DialogueObserver;
import dev.dialogue.DialogueStats;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * A server's traffic counters ({@link dev.dialogue.Dialogue#stats()}): events published, deliveries
 * queued, and the delivery latency of the last {@link #WINDOW_SECONDS} seconds as a log-linear
 * histogram (four buckets per power of two of microseconds, so a percentile is within about 19% of
 * the true value). Thread-safe; recording is a few atomic adds.
 */
public final class Traffic {
  /** How many seconds of latencies a snapshot covers. */
  static final int WINDOW_SECONDS = 10;

  private static final int SUB_BUCKETS = 4;
  private static final int BUCKETS = 64 * SUB_BUCKETS;

  private final LongAdder published = new LongAdder();
  private final LongAdder delivered = new LongAdder();
  private final Slot[] slots = new Slot[WINDOW_SECONDS];
  private final DialogueObserver observer;

  public Traffic() {
    this(DialogueObserver.NONE);
  }

  /** Counters that also tell {@code observer} of each publish and write. */
  public Traffic(DialogueObserver observer) {
    this.observer = observer;
    for (int i = 0; i < slots.length; i++) {
      slots[i] = new Slot();
    }
  }

  /** The observer the engine and the transport tell what happens ({@code NONE} without one). */
  public DialogueObserver observer() {
    return observer;
  }

  /** An event was published in a room and reached {@code recipients} connections. */
  void published(String roomId, String eventName, boolean defined, int recipients) {
    published.increment();
    delivered.add(recipients);
    observer.onPublished(roomId, eventName, defined, recipients);
  }

  /**
   * {@code count} deliveries of one event were written to their sockets' buffers at {@code now}
   * ({@link System#nanoTime()}), {@code nanos} after the room handed the event to its recipients.
   * Called on event loops, which know the time already.
   */
  public void written(long now, long nanos, int count) {
    written(now, nanos, count, 0);
  }

  /** As {@link #written(long, long, int)}, {@code bytes} in all. */
  public void written(long now, long nanos, int count, long bytes) {
    if (count <= 0) {
      return;
    }
    observer.onWritten(nanos, count, bytes);
    long second = now / 1_000_000_000L;
    Slot slot = slots[(int) (second % WINDOW_SECONDS)];
    slot.at(second).add(Math.max(0, nanos / 1_000), count);
  }

  /** The counters now, the latencies over the last {@link #WINDOW_SECONDS} seconds. */
  DialogueStats snapshot(int connections, int rooms) {
    long second = System.nanoTime() / 1_000_000_000L;
    long[] merged = new long[BUCKETS];
    long count = 0;
    long max = 0;
    for (Slot slot : slots) {
      long at = slot.second;
      if (second - at >= WINDOW_SECONDS) {
        continue;
      }
      for (int i = 0; i < BUCKETS; i++) {
        long n = slot.buckets.get(i);
        merged[i] += n;
        count += n;
      }
      max = Math.max(max, slot.max.get());
    }
    DialogueStats.Latency latency =
        new DialogueStats.Latency(
            count,
            percentile(merged, count, 0.50, max),
            percentile(merged, count, 0.90, max),
            percentile(merged, count, 0.99, max),
            Duration.ofNanos(max * 1_000));
    return new DialogueStats(
        connections, rooms, published.sum(), delivered.sum(), latency, WINDOW_SECONDS);
  }

  private static Duration percentile(long[] buckets, long count, double q, long max) {
    if (count == 0) {
      return Duration.ZERO;
    }
    long rank = (long) Math.ceil(q * count);
    long seen = 0;
    for (int i = 0; i < BUCKETS; i++) {
      seen += buckets[i];
      if (seen >= rank) {
        return Duration.ofNanos(Math.min(upperBound(i), max) * 1_000);
      }
    }
    return Duration.ofNanos(max * 1_000);
  }

  /** The bucket of {@code micros}: its power of two, and which quarter of it. */
  static int bucket(long micros) {
    if (micros < SUB_BUCKETS) {
      return (int) micros;
    }
    int log = 63 - Long.numberOfLeadingZeros(micros);
    int sub = (int) ((micros >>> (log - 2)) & (SUB_BUCKETS - 1));
    return Math.min(BUCKETS - 1, (log - 1) * SUB_BUCKETS + sub);
  }

  /** The largest value (in microseconds) of bucket {@code i}. */
  static long upperBound(int i) {
    if (i < SUB_BUCKETS) {
      return i;
    }
    int log = i / SUB_BUCKETS + 1;
    int sub = i % SUB_BUCKETS;
    return ((long) (SUB_BUCKETS + sub + 1) << (log - 2)) - 1;
  }

  /** One second of latencies. */
  private static final class Slot {
    volatile long second = Long.MIN_VALUE / 2;
    final AtomicLongArray buckets = new AtomicLongArray(BUCKETS);
    final AtomicLong max = new AtomicLong();

    /** This slot for {@code now}, emptied first if it held an older second. */
    Slot at(long now) {
      if (second != now) {
        synchronized (this) {
          if (second != now) {
            for (int i = 0; i < BUCKETS; i++) {
              buckets.set(i, 0);
            }
            max.set(0);
            second = now;
          }
        }
      }
      return this;
    }

    void add(long micros, int count) {
      buckets.addAndGet(bucket(micros), count);
      max.accumulateAndGet(micros, Math::max);
    }
  }
}
