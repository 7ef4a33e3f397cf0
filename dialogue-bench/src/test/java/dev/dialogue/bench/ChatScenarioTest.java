package dev.dialogue.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The chat scenario, tiny: 20 users in 4 channels for a few seconds against the real chat example
 * in its own process. Asserts that it measured real traffic (messages acknowledged, every owed
 * delivery received, latencies recorded, no error or refusal) and that the report has the section;
 * nothing about speed.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ChatScenarioTest {
  @Test
  void channelsOf_spreadsUsersEvenly() {
    Map<Integer, Integer> members = new HashMap<>();
    for (int u = 0; u < 1_000; u++) {
      List<Integer> mine = ChatScenario.channelsOf(u, 50, 5);
      assertThat(mine).hasSize(5).doesNotHaveDuplicates();
      mine.forEach(c -> members.merge(c, 1, Integer::sum));
    }
    assertThat(members).hasSize(50);
    assertThat(members.values()).containsOnly(100);
    assertThat(ChatScenario.channelsOf(7, 4, 2)).hasSize(2).doesNotHaveDuplicates();
  }

  @Test
  void tinyRun_deliversEveryMessageAndReportsLatencies() throws Exception {
    Path work = Path.of("target/bench-chat");
    String classpath =
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    Launcher launcher = new Launcher(work, classpath, null);
    Plan.Chat plan = new Plan.Chat(20, 4, 2, 3, 2, 3, 4);
    PrintStream log = new PrintStream(System.out, true, StandardCharsets.UTF_8);

    Results.Chat r = new ChatScenario(plan, launcher, work, log).run();

    assertThat(r.connected()).isEqualTo(20);
    assertThat(r.membersPerChannel()).isEqualTo(10);
    assertThat(r.window().messagesSent()).isPositive();
    assertThat(r.window().messagesAcked()).isPositive();
    assertThat(r.window().messagesRefused()).isZero();
    assertThat(r.window().deliveries()).isPositive();
    assertThat(r.window().typingSent()).isPositive();
    assertThat(r.window().typingDelivered()).isPositive();
    assertThat(r.window().unreadPushes()).isPositive();
    assertThat(r.totalDelivered()).isPositive().isEqualTo(r.totalExpected());
    assertThat(r.codes()).isEmpty();
    assertThat(r.window().errors()).isZero();
    assertThat(r.window().disconnects()).isZero();
    assertThat(r.delivery().getTotalCount()).isEqualTo(r.window().deliveries());
    assertThat(r.ack().getTotalCount()).isPositive();
    assertThat(Results.millis(r.delivery(), 99)).isPositive();
    assertThat(r.serverCores()).isPositive();

    Report report = new Report();
    report.chat.add(r);
    Path out = work.resolve("performance.md");
    report.write(
        out, work.resolve("performance"), Environment.capture("?", ""), Plan.QUICK, "test", 0);
    String md = Files.readString(out);
    assertThat(md).contains("## 7. Chat app: 20 users in 4 channels", "p99 ms");
  }
}
