package dev.dialogue.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.dialogue.RateLimit;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One {@link RateLimit} over many keys, as the generic cell rate algorithm: per key one number, the
 * time at which its bucket would be full again (the "theoretical arrival time"), moved by
 * compare-and-set, so that concurrent takers never lose an update and a frozen clock lets exactly
 * {@code burst} through. A key's state is forgotten once it has not been used for as long as its
 * bucket takes to refill (it then equals a fresh one), and at most {@code maxKeys} are kept, the
 * least recently used leaving first. Thread-safe.
 */
final class RateLimiter {
  private final RateLimit limit;
  private final long interval;

  /** How far ahead of now the full time may be and still admit: {@code burst - 1} intervals. */
  private final long tolerance;

  private final Clock clock;
  private final Cache<String, AtomicLong> cache;
  private final ConcurrentMap<String, AtomicLong> full;

  RateLimiter(RateLimit limit, int maxKeys, Clock clock) {
    this.limit = limit;
    this.interval = limit.intervalNanos();
    this.tolerance = Math.multiplyExact(interval, (long) limit.burst() - 1);
    this.clock = clock;
    Ticker ticker = () -> nanos(clock);
    // A second more than the refill, so that a bucket is never forgotten while it still counts.
    Duration idle = limit.refillTime().plusSeconds(1);
    this.cache =
        Caffeine.newBuilder()
            .expireAfterAccess(idle)
            .maximumSize(maxKeys)
            .ticker(ticker)
            // Maintenance on the calling thread, a little at a time (as in Idempotency).
            .executor(Runnable::run)
            .<String, AtomicLong>build();
    this.full = cache.asMap();
  }

  RateLimit limit() {
    return limit;
  }

  /**
   * Takes one token of {@code key}'s bucket. Returns 0 when taken, otherwise how many nanoseconds
   * until one is back (and nothing is taken).
   */
  long take(String key) {
    AtomicLong fullAt = full.computeIfAbsent(key, k -> new AtomicLong(Long.MIN_VALUE));
    long now = nanos(clock);
    while (true) {
      long was = fullAt.get();
      long from = Math.max(was, now);
      long wait = from - now - tolerance;
      if (wait > 0) {
        return wait;
      }
      if (fullAt.compareAndSet(was, from + interval)) {
        return 0;
      }
    }
  }

  /** The keys it remembers now, once expired ones are gone; for tests. */
  long keys() {
    cache.cleanUp();
    return cache.estimatedSize();
  }

  /** Nanoseconds to milliseconds, rounded up: a client that waits this long is let through. */
  static long millisUp(long nanos) {
    return (nanos + 999_999) / 1_000_000;
  }

  private static long nanos(Clock clock) {
    Instant now = clock.instant();
    return TimeUnit.SECONDS.toNanos(now.getEpochSecond()) + now.getNano();
  }
}
