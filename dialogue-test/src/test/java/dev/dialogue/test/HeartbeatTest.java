package dev.dialogue.test;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dialogue.client.ConnectionState;
import dev.dialogue.test.ChatApp.Message;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A black hole is noticed through the heartbeat: with a short one, the client gives up on the dead
 * route, and after restore() it reconnects and gets what it missed. A server per test (an instance
 * field), with the application's builder adjusted for the test.
 */
@Timeout(60)
class HeartbeatTest {
  @RegisterExtension
  DialogueServerExtension server =
      DialogueServerExtension.of(
          () ->
              ChatApp.builder(TestClock.atFixedStart())
                  .heartbeat(Duration.ofMillis(200), Duration.ofMillis(300)));

  @Test
  void aBlackHole_endsInADisconnect_thenRestoreBringsTheClientBack() {
    TestRoom sender = server.client("sender").join("chat");
    TestClient cut = server.client("cut");
    Recorder<Message> seen = cut.join("chat").record(ChatApp.MESSAGE);

    cut.blackHole();
    cut.awaitDisconnected(Duration.ofSeconds(30));
    assertThat(cut.state()).isEqualTo(ConnectionState.RECONNECTING);
    sender.send(ChatApp.MESSAGE, new Message("missed"));

    cut.restore();
    cut.awaitReconnected(Duration.ofSeconds(30));
    assertThat(seen.next().text()).isEqualTo("missed");
  }
}
