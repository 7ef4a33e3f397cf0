package dev.dialogue;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dialogue.internal.Wire;
import dev.dialogue.testing.RawClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code maxSize} is exact, also under concurrent joins (PROTOCOL.md section 5). */
@Timeout(90)
class CapacityTest {

  @Test
  void fiftyConcurrentJoins_admitExactlyMaxSize() throws Exception {
    RoomConfig arena = RoomConfig.builder("arena", "Arena").maxSize(10).anyEvent().build();
    try (Dialogue server = TestServers.builder().room(arena).build().start()) {
      List<RawClient> clients = new ArrayList<>();
      try {
        for (int i = 0; i < 50; i++) {
          clients.add(RawClient.connectAs(server.port(), "user" + i));
        }
        List<CompletableFuture<JsonNode>> answers = new ArrayList<>();
        for (RawClient c : clients) {
          answers.add(c.requestAsync(Wire.JOIN, Map.of("roomId", "arena")));
        }
        CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new))
            .get(30, TimeUnit.SECONDS);

        long admitted = answers.stream().filter(a -> a.join().path("ok").asBoolean()).count();
        List<String> refusals =
            answers.stream()
                .map(CompletableFuture::join)
                .filter(a -> !a.path("ok").asBoolean())
                .map(
                    a ->
                        a.path("error").path("code").asText()
                            + ": "
                            + a.path("error").path("message").asText())
                .distinct()
                .toList();
        assertThat(admitted).isEqualTo(10);
        assertThat(refusals).containsExactly("ROOM_FULL: Room 'arena' is at capacity");
        assertThat(server.room("arena").orElseThrow().size()).isEqualTo(10);
        assertThat(server.room("arena").orElseThrow().participants()).hasSize(10);
      } finally {
        clients.forEach(RawClient::close);
      }
    }
  }

  @Test
  void leaving_freesAPlace() {
    try (Dialogue server = TestServers.builder().build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice");
        RawClient bob = RawClient.connectAs(server.port(), "bob")) {
      alice.join("tiny");
      assertThat(bob.request(Wire.JOIN, Map.of("roomId", "tiny")).path("ok").asBoolean()).isFalse();
      assertThat(server.room("tiny").orElseThrow().isFull()).isTrue();

      alice.request(Wire.LEAVE, Map.of("roomId", "tiny"));

      assertThat(bob.request(Wire.JOIN, Map.of("roomId", "tiny")).path("ok").asBoolean()).isTrue();
    }
  }

  @Test
  void clientCreatedRoom_enforcesItsMaxSize() {
    try (Dialogue server = TestServers.builder().build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice");
        RawClient bob = RawClient.connectAs(server.port(), "bob")) {
      alice.request(Wire.CREATE_ROOM, Map.of("id", "duo", "name", "Duo", "maxSize", 1));
      alice.join("duo");

      JsonNode refused = bob.request(Wire.JOIN, Map.of("roomId", "duo"));

      assertThat(refused.path("error").path("code").asText()).isEqualTo("ROOM_FULL");
    }
  }
}
