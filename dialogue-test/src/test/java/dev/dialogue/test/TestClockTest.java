package dev.dialogue.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class TestClockTest {
  @Test
  void standsStillUntilMoved() {
    TestClock clock = TestClock.atFixedStart();
    assertThat(clock.instant()).isEqualTo(Instant.parse("2030-01-01T00:00:00Z"));
    assertThat(clock.millis()).isEqualTo(clock.instant().toEpochMilli());
    assertThat(clock.advance(Duration.ofSeconds(90)))
        .isEqualTo(Instant.parse("2030-01-01T00:01:30Z"));
    assertThat(clock.instant()).isEqualTo(Instant.parse("2030-01-01T00:01:30Z"));
    clock.set(Instant.parse("2029-06-01T12:00:00Z"));
    assertThat(clock.millis()).isEqualTo(Instant.parse("2029-06-01T12:00:00Z").toEpochMilli());
    assertThat(clock.getZone()).isEqualTo(ZoneOffset.UTC);
    assertThat(clock.withZone(ZoneId.of("Europe/Paris"))).isSameAs(clock);
  }

  @Test
  void refusesToRunBackwards() {
    TestClock clock = TestClock.at(Instant.EPOCH);
    assertThatThrownBy(() -> clock.advance(Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("negative");
    assertThat(clock.millis()).isZero();
  }
}
