package dev.dialogue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dialogue.testing.RawClient;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class SmokeTest {
  @Test
  void trigger_reachesSubscribedParticipant_withServerSetFrom() {
    try (Dialogue server = TestServers.builder().build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      alice.emit("dialogue:join", Map.of("roomId", "chat"));
      assertThat(alice.take("dialogue:joined").data().path("roomName").asText()).isEqualTo("Chat");
      alice.emit(
          "dialogue:trigger",
          Map.of(
              "roomId",
              "chat",
              "event",
              "message",
              "data",
              Map.of("text", "hi"),
              "from",
              "mallory"));
      RawClient.Received event = alice.take("dialogue:event");
      assertThat(event.data().path("from").asText()).isEqualTo("alice");
      assertThat(event.data().path("data").path("text").asText()).isEqualTo("hi");
    }
  }
}
