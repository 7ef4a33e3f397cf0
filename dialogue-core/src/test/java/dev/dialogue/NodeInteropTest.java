package dev.dialogue;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dialogue.testing.NodeClients;
import dev.dialogue.testing.RawClient;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The official Node.js {@code socket.io-client} 4.x (pinned in {@code dialogue-testing/node})
 * against our server: what a client written for dialogue-ts does must work unchanged.
 */
@Timeout(120)
class NodeInteropTest {
  private final List<Map<String, Object>> handshakes = new CopyOnWriteArrayList<>();
  private Dialogue server;
  private NodeClients node;

  @BeforeEach
  void start() {
    server =
        TestServers.builder()
            .authenticator(
                handshake -> {
                  handshakes.add(handshake.auth());
                  String token = handshake.authString("token");
                  if (token == null) {
                    return AuthResult.reject("missing token");
                  }
                  if (token.equals("explode")) {
                    throw new IllegalStateException("identity service down");
                  }
                  return switch (token) {
                    case "t-alice" -> AuthResult.accept("alice");
                    case "t-bob" -> AuthResult.accept("bob");
                    default -> AuthResult.reject("unknown token " + token);
                  };
                })
            .build()
            .start();
    node = NodeClients.start();
  }

  @AfterEach
  void stop() {
    if (node != null) {
      node.close();
    }
    server.stop();
  }

  @Test
  void nodeClient_isTheOfficialSocketIoClient4() {
    assertThat(node.ready().path("socketIoClient").asText()).startsWith("4.8.");
  }

  @Test
  void defaultTransports_connectWithAuth_upgradeToWebsocket_joinTriggerAndReceive() {
    node.connect("alice", server.port(), Map.of("token", "t-alice"), null);
    assertThat(node.take("alice", "open").path("transport").asText()).isEqualTo("polling");
    node.awaitConnect("alice");
    JsonNode connected = node.takeEvent("alice", "dialogue:connected");
    assertThat(connected.path("userId").asText()).isEqualTo("alice");
    assertThat(connected.path("clientId").asText()).isNotBlank();
    assertThat(handshakes).contains(Map.of("token", "t-alice"));
    assertThat(node.take("alice", "upgrade").path("transport").asText()).isEqualTo("websocket");

    node.emit("alice", "dialogue:join", Map.of("roomId", "chat"));
    JsonNode joined = node.takeEvent("alice", "dialogue:joined");
    assertThat(joined.path("roomId").asText()).isEqualTo("chat");
    assertThat(joined.path("roomName").asText()).isEqualTo("Chat");

    try (RawClient bob = RawClient.connect(server.port(), Map.of("token", "t-bob"))) {
      assertThat(bob.request("dialogue:join", Map.of("roomId", "chat")).path("ok").asBoolean())
          .isTrue();
      bob.emit(
          "dialogue:trigger",
          Map.of("roomId", "chat", "event", "message", "data", Map.of("text", "from java")));
      JsonNode fromBob = node.takeEvent("alice", "dialogue:event");
      assertThat(fromBob.path("from").asText()).isEqualTo("bob");
      assertThat(fromBob.path("data").path("text").asText()).isEqualTo("from java");
      assertThat(fromBob.path("roomId").asText()).isEqualTo("chat");
      assertThat(fromBob.path("timestamp").isIntegralNumber()).isTrue();

      JsonNode ack =
          node.request(
              "alice",
              "dialogue:trigger",
              Map.of(
                  "roomId",
                  "chat",
                  "event",
                  "message",
                  "data",
                  Map.of("text", "from node"),
                  "from",
                  "mallory"));
      assertThat(ack.path("ok").asBoolean()).isTrue();
      assertThat(ack.path("id").asText()).isNotBlank();
      assertThat(ack.path("offset").asLong()).isEqualTo(fromBob.path("offset").asLong() + 1);

      RawClient.Received atBob =
          bob.take(
              r ->
                  r.name().equals("dialogue:event")
                      && r.data().path("data").path("text").asText().equals("from node"),
              "alice's message");
      assertThat(atBob.data().path("from").asText()).isEqualTo("alice");
      JsonNode echo = node.takeEvent("alice", "dialogue:event");
      assertThat(echo.path("id").asText()).isEqualTo(ack.path("id").asText());
    }
    assertThat(node.transport("alice")).isEqualTo("websocket");
  }

  @Test
  void websocketOnly_errorsArriveAsDialogueErrorWithoutAck_andAsOkFalseWithAck() {
    node.connect("alice", server.port(), Map.of("token", "t-alice"), List.of("websocket"));
    assertThat(node.awaitConnect("alice").path("transport").asText()).isEqualTo("websocket");
    node.takeEvent("alice", "dialogue:connected");

    node.emit("alice", "dialogue:join", Map.of("roomId", "nowhere"));
    JsonNode error = node.takeEvent("alice", "dialogue:error");
    assertThat(error.path("code").asText()).isEqualTo("ROOM_NOT_FOUND");
    assertThat(error.path("message").asText()).isEqualTo("Room 'nowhere' does not exist");

    JsonNode ack = node.request("alice", "dialogue:join", Map.of("roomId", "nowhere"));
    assertThat(ack.path("ok").asBoolean(true)).isFalse();
    assertThat(ack.path("error").path("code").asText()).isEqualTo("ROOM_NOT_FOUND");

    ack =
        node.request(
            "alice",
            "dialogue:trigger",
            Map.of("roomId", "chat", "event", "message", "data", Map.of("text", "x")));
    assertThat(ack.path("error").path("code").asText()).isEqualTo("NOT_IN_ROOM");

    node.emit("alice", "dialogue:join", Map.of("roomId", "chat"));
    node.takeEvent("alice", "dialogue:joined");
    node.emit(
        "alice",
        "dialogue:trigger",
        Map.of("roomId", "chat", "event", "message", "data", Map.of("text", "")));
    error = node.takeEvent("alice", "dialogue:error");
    assertThat(error.path("code").asText()).isEqualTo("VALIDATION_FAILED");
    assertThat(error.path("message").asText())
        .startsWith("Event 'message' validation failed: text");

    ack =
        node.request(
            "alice",
            "dialogue:trigger",
            Map.of("roomId", "chat", "event", "dance", "data", Map.of()));
    assertThat(ack.path("error").path("code").asText()).isEqualTo("EVENT_NOT_ALLOWED");
    assertThat(ack.path("error").path("message").asText())
        .isEqualTo("Event 'dance' is not allowed in room 'chat'");

    ack = node.request("alice", "dialogue:join", "chat");
    assertThat(ack.path("error").path("code").asText()).isEqualTo("INVALID_REQUEST");

    assertThat(node.pending("alice")).noneMatch(l -> l.path("type").asText().equals("disconnect"));
    assertThat(node.transport("alice")).isEqualTo("websocket");
  }

  @Test
  void nodeAuth_keepsNumbersAndNestedObjects_andServerSentEventsArrive() {
    node.connect(
        "alice",
        server.port(),
        Map.of("token", "t-alice", "device", Map.of("id", 7, "kind", "phone")),
        List.of("websocket"));
    node.awaitConnect("alice");
    node.takeEvent("alice", "dialogue:connected");
    assertThat(handshakes)
        .contains(Map.of("token", "t-alice", "device", Map.of("id", 7, "kind", "phone")));

    ClientConnection alice = server.clients("alice").get(0);
    alice.send("app:notice", Map.of("text", "hello node", "n", 3));
    JsonNode notice = node.takeEvent("alice", "app:notice");
    assertThat(notice.path("text").asText()).isEqualTo("hello node");
    assertThat(notice.path("n").asInt()).isEqualTo(3);
  }

  @Test
  void connectError_carriesTheAuthenticatorsReason_overPollingAndWebsocket() {
    node.connect("wrong", server.port(), Map.of("token", "stolen"), null);
    assertThat(node.take("wrong", "connect_error").path("message").asText())
        .isEqualTo("unknown token stolen");

    node.connect("none", server.port(), null, List.of("websocket"));
    assertThat(node.take("none", "connect_error").path("message").asText())
        .isEqualTo("missing token");
    assertThat(handshakes).contains(Map.of());

    node.connect("broken", server.port(), Map.of("token", "explode"), List.of("websocket"));
    assertThat(node.take("broken", "connect_error").path("message").asText())
        .isEqualTo("Authentication failed");

    assertThat(server.allClients()).isEmpty();
    for (String client : List.of("wrong", "none", "broken")) {
      assertThat(node.pending(client)).noneMatch(l -> l.path("type").asText().equals("connect"));
    }
  }
}
