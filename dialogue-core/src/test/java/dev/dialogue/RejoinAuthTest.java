package dev.dialogue;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dialogue.testing.RawClient;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code auth.rejoin} (protocol.md, section 12): a client names the rooms it re-joins, and a server
 * join of one of them (here in {@code onConnected}) waits for that re-join, which recovers by
 * offset and skips the join policy; bad values are refused with a clear {@code connect_error}, and
 * the authenticator never sees the key.
 */
@Timeout(30)
class RejoinAuthTest {
  private final List<Map<String, Object>> handshakes = new CopyOnWriteArrayList<>();
  private Dialogue server;

  @BeforeEach
  void start() {
    server =
        TestServers.builder()
            .authenticator(
                handshake -> {
                  handshakes.add(handshake.auth());
                  return AuthResult.accept(String.valueOf(handshake.auth().get("userId")));
                })
            .joinPolicy((client, room) -> Decision.deny("clients do not join by themselves"))
            .listener(
                new DialogueListener() {
                  @Override
                  public void onConnected(ClientConnection client) {
                    client.join("chat");
                  }
                })
            .build()
            .start();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void aServerJoinOfARoomTheClientRejoins_waitsForThatRejoin_whichRecovers() {
    JsonNode position;
    try (RawClient first = RawClient.connect(server.port(), Map.of("userId", "alice"))) {
      position = first.take("dialogue:joined").data();
    }
    server.trigger("chat", "message", Map.of("text", "away 1"));
    server.trigger("chat", "message", Map.of("text", "away 2"));
    try (RawClient back =
        RawClient.connect(server.port(), Map.of("userId", "alice", "rejoin", "[\"chat\"]"))) {
      back.barrier();
      assertThat(back.received("dialogue:joined")).isEmpty(); // granted, not admitted yet
      assertThat(server.isInRoom("alice", "chat")).isFalse();
      JsonNode answer =
          back.request(
              "dialogue:join",
              Map.of(
                  "roomId",
                  "chat",
                  "since",
                  Map.of(
                      "epoch", position.path("epoch").asText(),
                      "offset", position.path("offset").asLong())));
      assertThat(answer.path("ok").asBoolean(true)).as("%s", answer).isTrue();
      assertThat(answer.path("recovered").asBoolean()).isTrue();
      assertThat(answer.path("missed").findValuesAsText("text"))
          .containsExactly("away 1", "away 2");
      assertThat(server.isInRoom("alice", "chat")).isTrue();
    }
    assertThat(handshakes).allMatch(auth -> !auth.containsKey("rejoin"));
  }

  @Test
  void withoutRejoin_theServerJoinAdmitsAtOnce() {
    try (RawClient client = RawClient.connect(server.port(), Map.of("userId", "bob"))) {
      assertThat(client.take("dialogue:joined").data().path("roomId").asText()).isEqualTo("chat");
    }
  }

  @Test
  void aRejoinTheServerDidNotGrant_goesThroughTheJoinPolicy() {
    try (RawClient client =
        RawClient.connect(server.port(), Map.of("userId", "carol", "rejoin", "[\"lobby\"]"))) {
      client.take("dialogue:joined"); // chat: not named, admitted at once
      JsonNode answer = client.request("dialogue:join", Map.of("roomId", "lobby"));
      assertThat(answer.path("error").path("code").asText()).isEqualTo("JOIN_DENIED");
    }
  }

  @Test
  void aBadRejoin_isRefusedWithTheRule() {
    for (String bad : List.of("chat", "[1, 2]", "{\"a\": 1}", "[\"\"]")) {
      try (RawClient client =
          RawClient.open(server.port(), Map.of("userId", "dave", "rejoin", bad), true)) {
        assertThat(client.connectError())
            .as(bad)
            .startsWith(
                "Invalid auth payload: rejoin must be a JSON array of at most 1000 room ids");
      }
    }
    assertThat(server.clients("dave")).isEmpty();
  }
}
