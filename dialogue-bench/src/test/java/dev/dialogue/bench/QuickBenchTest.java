package dev.dialogue.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Runs the quick plan end to end against Dialogue and the peers (the Node peer when {@code npm ci}
 * works) and checks that the harness measured something: deliveries, latencies, idle costs and
 * churn cycles, with no gap or duplicate, and the recovery storm, in which every client must
 * recover every missed event. Nothing about speed is asserted. The report goes to
 * target/bench-quick/performance.md.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class QuickBenchTest {
  @Test
  void quickPlan_measuresEveryScenarioForEveryTarget() throws Exception {
    Path work = Path.of("target/bench-quick");
    // Surefire runs tests from a manifest-only jar; this property is the real class path.
    String classpath =
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    BenchMain.Options options =
        BenchMain.Options.parse(
            new String[] {"--plan", "quick", "--work", work.toString(), "--classpath", classpath});
    Report report =
        BenchMain.run(options, new PrintStream(System.out, true, StandardCharsets.UTF_8));

    List<Target> measured = new ArrayList<>();
    for (Results.Ramp ramp : report.fanout.get(200)) {
      measured.add(ramp.target());
      assertThat(ramp.connected()).as(ramp.target().title()).isEqualTo(200);
      assertThat(ramp.steps()).isNotEmpty();
      for (Results.Step step : ramp.steps()) {
        assertThat(step.delivered()).as(ramp.target().title()).isPositive();
        assertThat(step.latency().getTotalCount()).isPositive();
        assertThat(step.publishLag().getTotalCount()).as("publish lags").isPositive();
        assertThat(step.gaps()).as("gaps").isZero();
        assertThat(step.duplicates()).as("duplicates").isZero();
        assertThat(step.errors()).as("errors").isZero();
      }
      assertThat(ramp.at80()).as("the run at 80%").isNotNull();
    }
    assertThat(measured).contains(Target.DIALOGUE, Target.RELAY);
    assertThat(report.rooms).allSatisfy(r -> assertThat(r.maxSustained()).isPositive());
    assertThat(report.idle.get(300))
        .allSatisfy(
            i -> {
              assertThat(i.connected()).isEqualTo(300);
              assertThat(i.heapAfter()).isPositive();
              assertThat(i.rssAfter()).isGreaterThan(i.rssBefore());
            });
    assertThat(report.churn)
        .allSatisfy(
            c -> {
              assertThat(c.cycles()).as(c.target().title()).isPositive();
              assertThat(c.errors()).as(c.target().title()).isZero();
            });
    // Scenario 6: every store acknowledged triggers, and none failed.
    assertThat(report.durable)
        .extracting(Results.Durable::store)
        .containsExactly(DurableScenario.Store.values());
    assertThat(report.durable)
        .allSatisfy(
            d -> {
              assertThat(d.acked()).as(d.store().title).isPositive();
              assertThat(d.errors()).as(d.store().title).isZero();
            });
    assertRecoveryStorm(report);
    String md = Files.readString(work.resolve("performance.md"));
    assertThat(md)
        .contains(
            "## 1. Fan-out", "## 2. Many rooms", "## 3. Idle", "## 4. Churn", "## 6. Durable");
    assertThat(md).contains("| of it, publish lag p99 ms |", "| publish lag p99 ms |");
    assertThat(md).contains("| max deliveries/s with p99 <= 50 ms |");
    // Which of the two depends on the machine's load; ResultsTest covers the rate itself.
    assertThat(md).containsPattern("p99 <= 50 ms (held up to [0-9,]+/s|at no sustained step)\\)");
    assertThat(md).contains("## 5. Recovery storm", "| recovery storm: 0 gaps and 0 duplicates |");
    assertThat(work.resolve("performance/fanout-200-throughput.svg")).exists();
  }

  /** Every client of every round recovered all it missed, once each, and was live again after. */
  private static void assertRecoveryStorm(Report report) {
    Plan.Storm plan = Plan.QUICK_STORM;
    assertThat(report.storm).extracting(Results.Storm::target).contains(Target.DIALOGUE);
    assertThat(report.stormNotApplicable).containsExactly(Target.RELAY);
    assertThat(report.storm)
        .allSatisfy(
            s -> {
              String who = s.target().title() + " " + s.note();
              assertThat(s.connected()).as(who).isEqualTo(plan.clients());
              assertThat(s.rounds()).as(who).hasSize(plan.rounds());
              for (Results.StormRound r : s.rounds()) {
                assertThat(r.recovered()).as(who + " recovered").isEqualTo(plan.clients());
                assertThat(r.received())
                    .as(who + " missed events received")
                    .isEqualTo((long) plan.clients() * plan.events());
                assertThat(r.gaps()).as(who + " gaps").isZero();
                assertThat(r.duplicates()).as(who + " duplicates").isZero();
                assertThat(r.errors()).as(who + " errors").isZero();
                assertThat(r.allRecoveredMillis()).as(who).isPositive();
                assertThat(r.perClient().getTotalCount()).isEqualTo(plan.clients());
              }
            });
  }
}
