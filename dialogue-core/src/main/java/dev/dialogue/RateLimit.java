package dev.dialogue;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * A rate: at most {@code permits} actions per {@code period}, with bursts of up to {@code burst} at
 * once. Counted as a token bucket (as the generic cell rate algorithm, one number per key): the
 * bucket holds {@code burst} tokens, refills one every {@code period / permits}, and an action
 * takes one; an action that finds it empty is refused with {@code RATE_LIMITED} and the time until
 * a token is back ({@code retryAfterMs}). An immutable value; used in {@link RateLimits}, {@link
 * EventDefinition.Builder#rateLimit} and {@link RoomConfig.Builder#rateLimit}.
 *
 * <pre>{@code
 * RateLimit.perSecond(20)                            // 20 a second, bursts of 20
 * RateLimit.of(100, Duration.ofMinutes(1)).burst(10)  // 100 a minute, at most 10 at once
 * }</pre>
 */
public final class RateLimit {
  private final int permits;
  private final Duration period;
  private final int burst;

  private RateLimit(int permits, Duration period, int burst) {
    this.permits = permits;
    this.period = period;
    this.burst = burst;
  }

  /**
   * At most {@code permits} per {@code period}; bursts of up to {@code permits}.
   *
   * @throws IllegalArgumentException if {@code permits} is not positive or {@code period} is not at
   *     least a millisecond, or the rate is faster than one a nanosecond
   */
  public static RateLimit of(int permits, Duration period) {
    requireNonNull(period, "period == null");
    if (permits <= 0) {
      throw new IllegalArgumentException("permits must be positive but was " + permits);
    }
    if (period.compareTo(Duration.ofMillis(1)) < 0) {
      throw new IllegalArgumentException("period must be at least 1 ms but was " + period);
    }
    if (period.toNanos() / permits == 0) {
      throw new IllegalArgumentException(
          "a rate of " + permits + " per " + period + " is faster than one a nanosecond");
    }
    return new RateLimit(permits, period, permits);
  }

  /** At most {@code permits} per second; bursts of up to {@code permits}. */
  public static RateLimit perSecond(int permits) {
    return of(permits, Duration.ofSeconds(1));
  }

  /** At most {@code permits} per minute; bursts of up to {@code permits}. */
  public static RateLimit perMinute(int permits) {
    return of(permits, Duration.ofMinutes(1));
  }

  /**
   * The same rate with bursts of at most {@code burst} actions at once: what a key that has been
   * quiet long enough may do before the rate applies.
   *
   * @throws IllegalArgumentException if {@code burst} is not positive
   */
  public RateLimit burst(int burst) {
    if (burst <= 0) {
      throw new IllegalArgumentException("burst must be positive but was " + burst);
    }
    return new RateLimit(permits, period, burst);
  }

  /** How many actions per {@link #period()}. */
  public int permits() {
    return permits;
  }

  public Duration period() {
    return period;
  }

  /** How many actions at once, at most. */
  public int burst() {
    return burst;
  }

  /** The time one token takes to come back, in nanoseconds: {@code period / permits}. */
  public long intervalNanos() {
    return period.toNanos() / permits;
  }

  /** How long an unused bucket takes to refill completely: after that it can be forgotten. */
  public Duration refillTime() {
    return Duration.ofNanos(Math.multiplyExact(intervalNanos(), (long) burst));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RateLimit r
        && r.permits == permits
        && r.burst == burst
        && r.period.equals(period);
  }

  @Override
  public int hashCode() {
    return (permits * 31 + burst) * 31 + period.hashCode();
  }

  /** For example {@code 20 per PT1S (burst 20)}. */
  @Override
  public String toString() {
    return permits + " per " + period + " (burst " + burst + ")";
  }
}
