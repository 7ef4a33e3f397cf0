package dev.dialogue.test;

import static java.util.Objects.requireNonNull;

import dev.dialogue.testing.MutableClock;
import java.time.Clock;
import java.time.Instant;

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
public final class TestClock extends MutableClock {
  /** Where {@link #atFixedStart()} starts: a round instant, easy to write in expected values. */
  public static final Instant FIXED_START = MutableClock.FIXED_START;

  private TestClock(Instant start) {
    super(start);
  }

  /** A clock standing at {@link #FIXED_START}, 2030-01-01T00:00:00Z. */
  public static TestClock atFixedStart() {
    return new TestClock(FIXED_START);
  }

  /** A clock standing at {@code start} (truncated to the millisecond). */
  public static TestClock at(Instant start) {
    return new TestClock(requireNonNull(start, "start == null"));
  }
}
