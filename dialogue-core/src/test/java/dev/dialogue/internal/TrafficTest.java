package dev.dialogue.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dialogue.DialogueStats;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class TrafficTest {
  @Test
  void buckets_coverEveryValue_andTheirBoundsAreWithinAQuarterOfAPowerOfTwo() {
    for (long micros = 0; micros < 100_000; micros++) {
      int bucket = Traffic.bucket(micros);
      assertThat(Traffic.upperBound(bucket))
          .as("upper bound of %s", micros)
          .isGreaterThanOrEqualTo(micros);
      assertThat(Traffic.upperBound(bucket)).isLessThanOrEqualTo(micros + micros / 4 + 1);
      if (bucket > 0) {
        assertThat(Traffic.upperBound(bucket - 1)).isLessThan(micros);
      }
    }
  }

  @Test
  void percentiles_ofAKnownSpread() {
    Traffic traffic = new Traffic();
    for (int ms = 1; ms <= 100; ms++) {
      traffic.written(System.nanoTime(), Duration.ofMillis(ms).toNanos(), 1);
    }
    traffic.published("room", "event", true, 3);
    DialogueStats stats = traffic.snapshot(4, 2);
    assertThat(stats.connections()).isEqualTo(4);
    assertThat(stats.rooms()).isEqualTo(2);
    assertThat(stats.eventsPublished()).isEqualTo(1);
    assertThat(stats.eventsDelivered()).isEqualTo(3);
    DialogueStats.Latency latency = stats.deliveryLatency();
    assertThat(latency.count()).isEqualTo(100);
    assertThat(latency.p50().toMillis()).isBetween(50L, 63L);
    assertThat(latency.p90().toMillis()).isBetween(90L, 112L);
    assertThat(latency.p99().toMillis()).isBetween(99L, 100L);
    assertThat(latency.max()).isEqualTo(Duration.ofMillis(100));
  }

  @Test
  void nothingMeasured_isZero() {
    DialogueStats.Latency latency = new Traffic().snapshot(0, 0).deliveryLatency();
    assertThat(latency.count()).isZero();
    assertThat(latency.p99()).isEqualTo(Duration.ZERO);
  }
}
