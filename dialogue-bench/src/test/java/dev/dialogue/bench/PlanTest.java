package dev.dialogue.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Which idle sizes a machine's open-files limit lets the full plan run. */
class PlanTest {
  @Test
  void idleSizes_runWhereTheOpenFilesLimitHoldsThemAndTheProcessesOwnFiles() {
    List<Integer> sizes = Plan.FULL.idleConnections();
    assertThat(sizes).contains(50_000);

    assertThat(Plan.idleSizesWithin(sizes, 20_000)).containsExactly(10_000, 19_000);
    assertThat(Plan.idleSizesWithin(sizes, 65_536)).containsExactly(10_000, 19_000, 50_000);
    assertThat(Plan.idleSizesWithin(sizes, 50_500)).containsExactly(10_000, 19_000);
    assertThat(Plan.idleSizesWithin(sizes, Long.MAX_VALUE)).isEqualTo(sizes);
  }

  @Test
  void thisProcessKnowsItsOpenFilesLimit() {
    assertThat(Environment.openFiles()).isPositive().isLessThan(Long.MAX_VALUE);
  }
}
