package dev.dialogue.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dialogue.RateLimit;
import dev.dialogue.testing.MutableClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The rate limiter's algorithm: exact under contention, refill, forgetting, bounded keys. */
@Timeout(30)
class RateLimiterTest {
  private final MutableClock clock = MutableClock.atFixedStart();

  @Test
  void manyThreadsOnOneKey_takeExactlyTheBurst_whileTheClockStands() throws Exception {
    int threads = 8;
    int tries = 20_000;
    int burst = 5_000;
    RateLimiter limiter = new RateLimiter(RateLimit.perMinute(burst), 1_000, clock);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      CountDownLatch start = new CountDownLatch(1);
      AtomicInteger taken = new AtomicInteger();
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        done.add(
            pool.submit(
                () -> {
                  start.await();
                  for (int i = 0; i < tries; i++) {
                    if (limiter.take("k") == 0) {
                      taken.incrementAndGet();
                    }
                  }
                  return null;
                }));
      }
      start.countDown();
      for (Future<?> f : done) {
        f.get(20, TimeUnit.SECONDS);
      }
      assertThat(taken.get()).isEqualTo(burst);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void emptyBucket_refillsOneTokenPerInterval() {
    RateLimiter limiter = new RateLimiter(RateLimit.of(4, Duration.ofSeconds(2)), 10, clock);
    for (int i = 0; i < 4; i++) {
      assertThat(limiter.take("k")).isZero();
    }
    assertThat(limiter.take("k")).isEqualTo(TimeUnit.MILLISECONDS.toNanos(500));
    clock.advance(Duration.ofMillis(200));
    assertThat(limiter.take("k")).isEqualTo(TimeUnit.MILLISECONDS.toNanos(300));
    clock.advance(Duration.ofMillis(300));
    assertThat(limiter.take("k")).isZero();
    assertThat(limiter.take("k")).isEqualTo(TimeUnit.MILLISECONDS.toNanos(500));
    // Refused takes cost nothing: waiting the interval is enough, however often one asked.
    clock.advance(Duration.ofMillis(500));
    assertThat(limiter.take("k")).isZero();
    assertThat(limiter.take("other")).as("keys are apart").isZero();
  }

  @Test
  void idleKeys_areForgotten_andTheKeysAreBounded() {
    RateLimiter limiter = new RateLimiter(RateLimit.perSecond(10), 100, clock);
    for (int i = 0; i < 1_000; i++) {
      limiter.take("key" + i);
    }
    assertThat(limiter.keys()).isLessThanOrEqualTo(100);
    // Full again after 1 s, forgotten a second after that.
    clock.advance(Duration.ofSeconds(3));
    limiter.take("fresh");
    assertThat(limiter.keys()).isEqualTo(1);
  }

  @Test
  void retryAfterRoundsUpToWholeMilliseconds() {
    assertThat(RateLimiter.millisUp(1)).isEqualTo(1);
    assertThat(RateLimiter.millisUp(1_000_000)).isEqualTo(1);
    assertThat(RateLimiter.millisUp(1_000_001)).isEqualTo(2);
  }
}
