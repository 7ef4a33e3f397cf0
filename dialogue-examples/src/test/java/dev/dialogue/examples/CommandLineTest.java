package dev.dialogue.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dialogue.examples.chat.ChatOptions;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The examples' shared command-line rules, and the chat's options on top of them. */
class CommandLineTest {
  private static final Set<String> NAMES = Set.of("--port", "--data");

  @Test
  void bothForms_inOrder_andHelpAnywhere() {
    assertThat(CommandLine.parse(new String[] {"--port", "0", "--data=/tmp/x"}, NAMES))
        .hasValue(Map.of("--port", "0", "--data", "/tmp/x"));
    assertThat(CommandLine.parse(new String[] {"--port", "1", "-h"}, NAMES)).isEmpty();
    assertThat(CommandLine.parse(new String[] {}, NAMES)).hasValue(Map.of());
  }

  @Test
  void mistakes_areNamed() {
    assertThatThrownBy(() -> CommandLine.parse(new String[] {"--nope"}, NAMES))
        .hasMessage("unknown option: --nope");
    assertThatThrownBy(() -> CommandLine.parse(new String[] {"--port", "1", "--port=2"}, NAMES))
        .hasMessage("--port was given twice");
    assertThatThrownBy(() -> CommandLine.parse(new String[] {"--data"}, NAMES))
        .hasMessage("--data needs a value");
    assertThatThrownBy(() -> CommandLine.port("70000"))
        .hasMessage("--port must be a number in 0..65535 but was '70000'");
    assertThat(CommandLine.port("0")).isZero();
  }

  @Test
  void theChatsOptions() {
    ChatOptions defaults = ChatOptions.parse();
    assertThat(defaults.port()).isEqualTo(8080);
    assertThat(defaults.dataDir()).isEqualTo(Path.of("data", "chat"));
    ChatOptions given = ChatOptions.parse("--port", "0", "--db", "jdbc:postgresql://h/db");
    assertThat(given.port()).isZero();
    assertThat(given.jdbcUrl()).isEqualTo("jdbc:postgresql://h/db");
    assertThatThrownBy(() -> ChatOptions.parse("--db", "postgres://h/db"))
        .hasMessageContaining("--db must be a JDBC URL");
    assertThat(ChatOptions.parse("--help").help()).isTrue();
  }

  @Test
  void everyExampleHasItsOwnDefaultPort_andTheSameRules() {
    assertThat(
            java.util.List.of(
                ChatOptions.parse().port(),
                dev.dialogue.examples.notifications.NotificationsServer.Options.parse().port(),
                dev.dialogue.examples.dashboard.DashboardOptions.parse().port(),
                dev.dialogue.examples.game.GameOptions.parse().port()))
        .containsExactly(8080, 8091, 8090, 8092);
    assertThatThrownBy(
            () -> dev.dialogue.examples.game.GameOptions.parse("--port", "1", "--port", "2"))
        .hasMessage("--port was given twice");
    assertThatThrownBy(() -> dev.dialogue.examples.dashboard.DashboardOptions.parse("--nope"))
        .hasMessage("unknown option: --nope");
  }
}
