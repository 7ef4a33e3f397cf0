package dev.dialogue.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Runs the scale-out scenarios of the quick plan (nodes on a real redis-server, small numbers) and
 * checks that they measured something: fan-out through 1 memory node, 1 and 3 Redis nodes with no
 * gap or duplicate, idle connections held across 3 nodes from client processes, and the storm in
 * which every client of a killed node recovers on the others. Nothing about speed is asserted.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ScaleOutTest {
  @Test
  void quickPlan_measuresFanoutIdleAndStormAcrossNodes() throws Exception {
    Path work = Path.of("target/bench-scale");
    String classpath =
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    BenchMain.Options options =
        BenchMain.Options.parse(
            new String[] {
              "--plan",
              "quick",
              "--work",
              work.toString(),
              "--classpath",
              classpath,
              "--scenarios",
              "redis-fanout,redis-idle,redis-storm"
            });
    Report report =
        BenchMain.run(options, new PrintStream(System.out, true, StandardCharsets.UTF_8));

    ScaleOut scale = report.scaleOut;
    ScaleOut.Sizes sizes = scale.sizes;
    assertThat(scale.fanout)
        .extracting(ScaleResults.Fanout::setup)
        .containsExactlyElementsOf(ScaleResults.Setup.ALL);
    for (ScaleResults.Fanout f : scale.fanout) {
      String who = f.setup().title();
      assertThat(f.connected()).as(who).isEqualTo(sizes.subscribers());
      assertThat(f.steps()).as(who).isNotEmpty();
      for (ScaleResults.Step s : f.steps()) {
        assertThat(s.delivered()).as(who).isPositive();
        assertThat(s.nodeCores()).as(who).hasSize(f.setup().nodes());
        assertThat(s.gaps()).as(who + " gaps").isZero();
        assertThat(s.duplicates()).as(who + " duplicates").isZero();
      }
    }
    assertThat(scale.idle).hasSize(2);
    ScaleResults.Idle spread = scale.idle.get(1);
    assertThat(spread.nodes()).isEqualTo(3);
    assertThat(spread.clientProcesses()).isEqualTo(3);
    assertThat(spread.joined()).as(spread.note()).isEqualTo(sizes.idleConnections());
    assertThat(java.util.Arrays.stream(spread.heapAfter()).min().orElse(0)).isPositive();

    ScaleResults.Storm storm = scale.storm.get(0);
    assertThat(storm.recovered()).as(storm.note()).isEqualTo(sizes.storm().clients());
    assertThat(storm.received()).isEqualTo((long) storm.clients() * storm.events());
    assertThat(storm.gaps()).isZero();
    assertThat(storm.duplicates()).isZero();
    assertThat(storm.notLive()).isZero();

    String md = Files.readString(work.resolve("performance.md"));
    assertThat(md)
        .contains(
            "## Scale-out on Redis (issue 19)",
            "### Fan-out through nodes",
            "### Idle connections across nodes",
            "### Recovery storm across nodes");
  }
}
