package dev.dialogue;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dialogue.testing.RawClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Joins and leaves made by server code reach the client as {@code dialogue:joined} (with the room's
 * position, an extension) and {@code dialogue:left}, so that clients can keep such rooms.
 */
@Timeout(30)
class ServerJoinsTest {
  @Test
  void aServerSideJoin_sendsJoinedWithThePosition_andALeaveSendsLeft() throws Exception {
    try (Dialogue server = TestServers.builder().build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      server.trigger("lobby", "note", java.util.Map.of("n", 1));
      ClientConnection connection = server.clients("alice").get(0);
      connection.join("lobby");
      JsonNode joined = alice.take("dialogue:joined").data();
      assertThat(joined.path("roomId").asText()).isEqualTo("lobby");
      assertThat(joined.path("roomName").asText()).isEqualTo("Lobby");
      assertThat(joined.path("offset").isIntegralNumber()).isTrue();
      assertThat(joined.path("epoch").asText()).isNotEmpty();
      assertThat(joined.has("history")).isFalse();

      assertThat(connection.leave("lobby")).isTrue();
      JsonNode left = alice.take("dialogue:left").data();
      assertThat(left.path("roomId").asText()).isEqualTo("lobby");
      assertThat(left.size()).isEqualTo(1);
    }
  }
}
