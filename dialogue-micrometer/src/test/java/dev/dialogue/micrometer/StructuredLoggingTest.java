package dev.dialogue.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dialogue.ClientConnection;
import dev.dialogue.Dialogue;
import dev.dialogue.DialogueListener;
import dev.dialogue.Room;
import dev.dialogue.RoomConfig;
import dev.dialogue.testing.Await;
import dev.dialogue.testing.RawClient;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

/**
 * Log lines about a connection carry its connection id and user id in the SLF4J MDC: the library's
 * own (a listener failure, logged by {@code dev.dialogue}) and the application's, written from a
 * hook. Checked on real lines through {@link RecordingLogs}. (Core's StructureTest cannot: its
 * tests log through slf4j-simple, whose MDC does nothing.)
 */
@Timeout(30)
class StructuredLoggingTest {
  @Test
  void linesAboutAConnection_carryItsIdsInTheMdc() {
    DialogueListener listener =
        new DialogueListener() {
          @Override
          public void onConnected(ClientConnection client) {
            LoggerFactory.getLogger("app").info("welcome {}", client.userId());
          }

          @Override
          public void onJoined(ClientConnection client, Room room) {
            throw new IllegalStateException("listener bug");
          }
        };
    try (Dialogue server =
            Dialogue.builder()
                .host("127.0.0.1")
                .port(0)
                .room(RoomConfig.builder("chat", "Chat").anyEvent().build())
                .listener(listener)
                .build()
                .start();
        RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      alice.join("chat");
      String id = alice.clientId();
      Predicate<RecordingLogs.Line> aboutAlice =
          line ->
              id.equals(line.mdc().get("dialogue.connectionId"))
                  && "alice".equals(line.mdc().get("dialogue.userId"));

      Await.until(
          "the application's line",
          () -> RecordingLogs.lines().stream().anyMatch(l -> l.message().equals("welcome alice")));
      assertThat(RecordingLogs.lines())
          .filteredOn(l -> l.message().equals("welcome alice"))
          .allMatch(aboutAlice);

      Await.until(
          "the library's line",
          () ->
              RecordingLogs.lines().stream()
                  .anyMatch(l -> l.message().contains("onJoined failed")));
      assertThat(RecordingLogs.lines())
          .filteredOn(l -> l.logger().equals("dev.dialogue") && l.message().contains("onJoined"))
          .isNotEmpty()
          .allMatch(aboutAlice);
      assertThat(
              Map.copyOf(
                  org.slf4j.MDC.getCopyOfContextMap() == null
                      ? Map.of()
                      : org.slf4j.MDC.getCopyOfContextMap()))
          .as("the test's own thread carries no connection")
          .doesNotContainKey("dialogue.connectionId");
    }
  }
}
