package dev.dialogue.testing;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A clock that tests move by hand (rate-limit windows, deterministic timestamps, the server's
 * deadlines): pass it to {@code Dialogue.Builder.clock}. Thread-safe; always UTC. The test kit's
 * {@code TestClock} is this clock under the name applications use.
 */
public class MutableClock extends Clock {
  /** Where {@link #atFixedStart()} starts: a round instant, easy to write in expected values. */
  public static final Instant FIXED_START = Instant.parse("2030-01-01T00:00:00Z");

  private final AtomicLong millis;

  /** A clock standing at {@code start} (truncated to the millisecond). */
  protected MutableClock(Instant start) {
    this.millis = new AtomicLong(requireNonNull(start, "start == null").toEpochMilli());
  }

  /** A clock standing at {@link #FIXED_START}, 2030-01-01T00:00:00Z. */
  public static MutableClock atFixedStart() {
    return new MutableClock(FIXED_START);
  }

  /**
   * Moves the clock forward by {@code by} and returns the new instant.
   *
   * @throws IllegalArgumentException if {@code by} is negative: time does not run backwards here,
   *     use {@link #set} to jump
   */
  public Instant advance(Duration by) {
    requireNonNull(by, "by == null");
    if (by.isNegative()) {
      throw new IllegalArgumentException("advance by a negative duration: " + by);
    }
    return Instant.ofEpochMilli(millis.addAndGet(by.toMillis()));
  }

  /** Sets the clock to {@code instant} (earlier or later than now). */
  public void set(Instant instant) {
    millis.set(requireNonNull(instant, "instant == null").toEpochMilli());
  }

  /** The current time in epoch milliseconds. */
  @Override
  public long millis() {
    return millis.get();
  }

  /** The current time. */
  @Override
  public Instant instant() {
    return Instant.ofEpochMilli(millis.get());
  }

  /** Always UTC. */
  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  /**
   * This clock: the server works in UTC, and a copy in another zone would stop moving with this
   * one.
   */
  @Override
  public Clock withZone(ZoneId zone) {
    return this;
  }

  /** The current instant, for assertion messages. */
  @Override
  public String toString() {
    return getClass().getSimpleName() + "[" + instant() + "]";
  }
}
