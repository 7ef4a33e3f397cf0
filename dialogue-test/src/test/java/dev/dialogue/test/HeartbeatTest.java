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
                      .heartbeat(Duration.ofSeconds(1), Duration.ofSeconds(1)))
          // Room for a cold JVM under load: a heartbeat missed while the first classes load
          // costs that connection, and the client tries again.
          .timeout(Duration.ofSeconds(30));

  @Test
  void aBlackHole_endsInADisconnect_thenRestoreBringsTheClientBack() {
    TestRoom sender = server.client("sender").join("chat");
    TestClient cut = server.client("cut");
    Recorder<Message> seen = cut.join("chat").record(ChatApp.MESSAGE);

    cut.blackHole();
    cut.awaitDisconnected();
    assertThat(cut.state()).isEqualTo(ConnectionState.RECONNECTING);
    sender.send(ChatApp.MESSAGE, new Message("missed"));

    cut.restore();
    cut.awaitReconnected();
    assertThat(seen.next().text()).isEqualTo("missed");
  }
}
