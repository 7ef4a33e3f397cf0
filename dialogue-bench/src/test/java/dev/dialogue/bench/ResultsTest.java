package dev.dialogue.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/** What the report derives from a ramp's steps. */
class ResultsTest {
  /** A step that delivered {@code delivered}/s, every delivery {@code millis} late. */
  private static Results.Step step(double delivered, long millis, boolean sustained) {
    Histogram latency = new Histogram(3);
    latency.recordValueWithCount(millis * 1_000_000, 100);
    return new Results.Step(
        delivered, delivered, latency, new Histogram(3), 0, 0, 0, 0.5, 0.5, sustained);
  }

  @Test
  void maxWithin_isTheFastestSustainedStepWithinTheLatency_notTheMaximum() {
    Results.Ramp ramp =
        new Results.Ramp(
            Target.DIALOGUE,
            10,
            10,
            List.of(
                step(20_000, 10, true),
                step(30_000, 45, true),
                step(45_000, 120, true), // sustained, but over 50 ms
                step(67_500, 30, false), // within 50 ms, but not sustained
                step(40_000, 49, true)), // a narrowing step, within the limit
            null,
            "");

    assertThat(ramp.maxSustained()).isEqualTo(45_000);
    assertThat(ramp.maxWithin(50)).isEqualTo(40_000);
    assertThat(ramp.maxWithin(5)).isZero();
  }
}
