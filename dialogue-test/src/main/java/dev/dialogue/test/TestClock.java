package dev.dialogue.test;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link Clock} that only a test moves. Give it to the application's builder ({@code
 * Dialogue.builder().clock(clock)}) and the server reads its time from here: event timestamps,
 * rate-limit windows, idempotency windows and every other deadline the server measures with its
 * clock. It stands still until {@link #advance} or {@link #set} moves it, so timestamps in
 * assertions are exact.
 *
 * <p>Moving the clock does not run anything by itself: work the server schedules on its own timers
 * sees the new time the next time it reads the clock. Millisecond resolution, as the wire's
 * timestamps. Thread-safe: a test may move it while server threads read it.
 *
 * <pre>{@code
 * static final TestClock CLOCK = TestClock.atFixedStart();
 *
 * @RegisterExtension
 * static DialogueServerExtension server =
 *     DialogueServerExtension.of(() -> MyApp.builder().clock(CLOCK));
 *
 * @Test
 * void rateLimitWindowEnds() {
 *   ...
 *   CLOCK.advance(Duration.ofMinutes(1));
 *   ...
 * }
 * }</pre>
 */
public final class TestClock extends Clock {
  /** Where {@link #atFixedStart()} starts: a round instant, easy to write in expected values. */
  public static final Instant FIXED_START = Instant.parse("2030-01-01T00:00:00Z");

  private final AtomicLong millis;

  private TestClock(Instant start) {
    this.millis = new AtomicLong(start.toEpochMilli());
  }

  /** A clock standing at {@link #FIXED_START}, 2030-01-01T00:00:00Z. */
  public static TestClock atFixedStart() {
    return new TestClock(FIXED_START);
  }

  /** A clock standing at {@code start} (truncated to the millisecond). */
  public static TestClock at(Instant start) {
    return new TestClock(requireNonNull(start, "start == null"));
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
    return "TestClock[" + instant() + "]";
  }
}
