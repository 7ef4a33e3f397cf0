package dev.dialogue;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dialogue.internal.Wire;
import dev.dialogue.internal.socketio.Internals;
import dev.dialogue.testing.RawClient;
import dev.dialogue.testing.RawWebSocket;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * PROTOCOL.md 1 and 6: every malformed request gets {@code INVALID_REQUEST} naming the problem, an
 * oversized one {@code PAYLOAD_TOO_LARGE}; neither closes the connection or affects any other, and
 * nothing stored is lost. Only a frame above the transport's own limit ends its connection.
 */
@Timeout(60)
class MalformedInputTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final int MAX_PAYLOAD = 4096;

  private final CountDownLatch xDisconnected = new CountDownLatch(1);
  private final AtomicInteger afterCount = new AtomicInteger();
  private Dialogue server;
  private RawClient alice;
  private RawClient bob;

  @BeforeEach
  void start() {
    server =
        TestServers.builder()
            .maxPayloadBytes(MAX_PAYLOAD)
            .listener(
                new DialogueListener() {
                  @Override
                  public void onDisconnected(ClientConnection client, String reason) {
                    if (client.userId().equals("x")) {
                      xDisconnected.countDown();
                    }
                  }
                })
            .build()
            .start();
    alice = RawClient.connectAs(server.port(), "alice");
    bob = RawClient.connectAs(server.port(), "bob");
    for (RawClient c : List.of(alice, bob)) {
      assertOk(c.request("dialogue:join", Map.of("roomId", "chat")));
    }
    for (int i = 1; i <= 3; i++) {
      assertOk(alice.request("dialogue:trigger", message("keep-" + i)));
    }
    for (int i = 1; i <= 3; i++) {
      assertThat(bob.take("dialogue:event").data().path("data").path("text").asText())
          .isEqualTo("keep-" + i);
    }
  }

  @AfterEach
  void stop() {
    alice.close();
    bob.close();
    server.stop();
  }

  @Test
  void invalidJsonInAnEventPacket_getsInvalidRequest_andTheConnectionKeepsWorking()
      throws Exception {
    try (RawWebSocket x = connectedRawSocket()) {
      x.send("42[\"dialogue:join\",{bad");
      assertError(
          x.takePrefix("42[\"dialogue:error\""),
          "Malformed event packet: the body is not valid JSON");
      x.send("42{}");
      assertError(
          x.takePrefix("42[\"dialogue:error\""),
          "Malformed event packet: expected [\"eventName\", payload]");
      x.send("42");
      assertError(
          x.takePrefix("42[\"dialogue:error\""),
          "Malformed event packet: expected [\"eventName\", payload]");
      x.send("42[7,{\"roomId\":\"chat\"}]");
      assertError(
          x.takePrefix("42[\"dialogue:error\""),
          "Malformed event packet: expected [\"eventName\", payload]");
      x.send("421[\"dialogue:join\",{bad");
      assertAckError(
          x.takePrefix("431["),
          "INVALID_REQUEST",
          "Malformed event packet: the body is not valid JSON");

      x.send("422[\"dialogue:join\",{\"roomId\":\"chat\"}]");
      assertThat(ackBody(x.takePrefix("432[")).path("ok").asBoolean()).isTrue();
      assertThat(x.isClosed()).isFalse();
    }
    assertEveryoneHealthy();
  }

  @Test
  void wrongShapesAndTypes_getInvalidRequestNamingTheField_throughAckAndErrorEvent() {
    Map<String, Object> nulls = new HashMap<>();
    nulls.put("roomId", null);
    List<Object[]> cases =
        List.of(
            new Object[] {
              "dialogue:join", "chat", "dialogue:join expects an object like {roomId}, got string"
            },
            new Object[] {
              "dialogue:join",
              List.of("chat"),
              "dialogue:join expects an object like {roomId}, got array"
            },
            new Object[] {
              "dialogue:join", null, "dialogue:join expects an object like {roomId}, got null"
            },
            new Object[] {"dialogue:join", Map.of(), "roomId is required"},
            new Object[] {"dialogue:join", nulls, "roomId is required"},
            new Object[] {
              "dialogue:join", Map.of("roomId", 42), "roomId must be a string, got number"
            },
            new Object[] {"dialogue:join", Map.of("roomId", ""), "roomId must not be empty"},
            new Object[] {
              "dialogue:leave", Map.of("roomId", true), "roomId must be a string, got boolean"
            },
            new Object[] {"dialogue:subscribe", Map.of("roomId", "chat"), "eventName is required"},
            new Object[] {
              "dialogue:trigger", Map.of("roomId", "chat", "data", Map.of()), "event is required"
            },
            new Object[] {
              "dialogue:trigger",
              Map.of("roomId", "chat", "event", 5, "data", Map.of()),
              "event must be a string, got number"
            },
            new Object[] {
              "dialogue:trigger",
              Map.of(
                  "roomId", "chat", "event", "message", "data", Map.of("text", "x"), "meta", "m"),
              "meta must be an object, got string"
            },
            new Object[] {
              "dialogue:getHistory", Map.of("eventName", "message"), "roomId is required"
            },
            new Object[] {
              "dialogue:getHistory",
              Map.of("roomId", "chat", "eventName", "message", "start", "a"),
              "start must be an integer, got string"
            },
            new Object[] {
              "dialogue:getHistory",
              Map.of("roomId", "chat", "eventName", "message", "start", 1.5),
              "start must be an integer, got 1.5"
            },
            new Object[] {
              "dialogue:getHistory",
              Map.of("roomId", "chat", "eventName", "message", "end", List.of(1)),
              "end must be an integer, got array"
            },
            new Object[] {
              "dialogue:createRoom", Map.of("id", 1, "name", "One"), "Room id and name are required"
            },
            new Object[] {
              "dialogue:createRoom",
              Map.of("id", "r", "name", "R", "maxSize", "ten"),
              "maxSize must be an integer, got string"
            },
            new Object[] {
              "dialogue:deleteRoom",
              17,
              "dialogue:deleteRoom expects an object like {roomId}, got number"
            },
            new Object[] {
              "dialogue:frobnicate",
              Map.of("roomId", "chat"),
              "Unknown request 'dialogue:frobnicate'"
            });

    for (Object[] c : cases) {
      String event = (String) c[0];
      JsonNode ack = alice.request(event, c[1]);
      assertThat(ack.path("ok").asBoolean(true)).as("%s %s", event, c[1]).isFalse();
      assertThat(ack.path("error").path("code").asText())
          .as("%s %s", event, c[1])
          .isEqualTo("INVALID_REQUEST");
      assertThat(ack.path("error").path("message").asText())
          .as("%s %s", event, c[1])
          .isEqualTo(c[2]);

      alice.emit(event, c[1]);
      JsonNode error = alice.take(Wire.ERROR).data();
      assertThat(error.path("code").asText())
          .as("%s %s without ack", event, c[1])
          .isEqualTo("INVALID_REQUEST");
      assertThat(error.path("message").asText())
          .as("%s %s without ack", event, c[1])
          .isEqualTo(c[2]);
    }
    assertThat(alice.isConnected()).isTrue();
    assertEveryoneHealthy();
  }

  @Test
  void subscriptionsAndClientRoomFields_areBounded_withClearErrors() {
    try (RawWebSocket x = connectedRawSocket()) {
      // Up to 256 names in all (the room's default subscriptions count too), then refused.
      int accepted = 0;
      JsonNode refused = null;
      for (int i = 0; i < 300 && refused == null; i++) {
        x.send(
            "42"
                + (1000 + i)
                + "[\"dialogue:subscribe\",{\"roomId\":\"chat\",\"eventName\":\"e"
                + i
                + "\"}]");
        JsonNode answer = ackBody(x.takePrefix("43" + (1000 + i) + "["));
        if (answer.path("ok").asBoolean()) {
          accepted++;
        } else {
          refused = answer;
        }
      }
      assertThat(accepted).isBetween(250, 256);
      assertThat(refused).isNotNull();
      assertThat(refused.path("error").path("message").asText())
          .isEqualTo(
              "A connection subscribes to at most 256 event names in a room; subscribe to '*'"
                  + " for all of them");
      x.send("422001[\"dialogue:subscribe\",{\"roomId\":\"chat\",\"eventName\":\"e7\"}]");
      assertThat(ackBody(x.takePrefix("432001[")).path("ok").asBoolean())
          .as("a name it has already")
          .isTrue();
      String longName = "n".repeat(257);
      x.send(
          "422002[\"dialogue:subscribe\",{\"roomId\":\"chat\",\"eventName\":\""
              + longName
              + "\"}]");
      assertAckError(
          x.takePrefix("432002["), "INVALID_REQUEST", "eventName is at most 256 characters");

      String description = "d".repeat(2_001);
      x.send(
          "422003[\"dialogue:createRoom\",{\"id\":\"big\",\"name\":\"Big\",\"description\":\""
              + description
              + "\"}]");
      assertAckError(
          x.takePrefix("432003["),
          "INVALID_REQUEST",
          "Room description is at most 2000 characters");
      x.send("422004[\"dialogue:createRoom\",{\"id\":\"" + "i".repeat(257) + "\",\"name\":\"x\"}]");
      assertAckError(
          x.takePrefix("432004["), "INVALID_REQUEST", "Room id is at most 256 characters");
      x.send(
          "422005[\"dialogue:createRoom\",{\"id\":\"r1\",\"name\":\"" + "m".repeat(201) + "\"}]");
      assertAckError(
          x.takePrefix("432005["), "INVALID_REQUEST", "Room name is at most 200 characters");
      assertThat(server.room("big")).isEmpty();
    }
    assertEveryoneHealthy();
  }

  @Test
  void aFrameThatIsNotAnEngineIoPacket_closesThatConnectionOnly() {
    RawWebSocket x = connectedRawSocket();
    try (x) {
      x.send("9" + "A".repeat(200_000));
      x.awaitClosed();
    }
    try (RawWebSocket y = RawWebSocket.open(server.port())) {
      y.send("7garbage before any CONNECT");
      y.awaitClosed();
    }
    assertEveryoneHealthy();
  }

  @Test
  void aRecordSeparatorInsideAWebSocketFrame_doesNotSplitIt_andTheRequestIsAnswered() {
    try (RawWebSocket x = connectedRawSocket()) {
      x.send("4211[\"dialogue:listRooms\",{\"x\":\"a\u001e420[\\\"dialogue:leave\\\"]\"}]");
      JsonNode answer = ackBody(x.takePrefix("4311["));
      assertThat(answer.path("ok").asBoolean(true)).isFalse();
      assertThat(answer.path("error").path("message").asText())
          .isEqualTo("Malformed event packet: the body is not valid JSON");
      x.send("4212[\"dialogue:listRooms\"]");
      assertThat(ackBody(x.takePrefix("4312[")).path("ok").asBoolean()).isTrue();
      assertThat(x.isClosed()).isFalse();
    }
    assertEveryoneHealthy();
  }

  @Test
  void aTextFrameNotInUtf8_isClosedWith1007_andAReservedBitWith1002() throws Exception {
    try (RawFrames raw = RawFrames.open(server.port())) {
      raw.send(0, 1, new byte[] {'4', '0', (byte) 0xC3, (byte) 0x28}); // 0xC3 0x28: not UTF-8
      assertThat(raw.awaitCloseStatus()).isEqualTo(1007);
    }
    try (RawFrames raw = RawFrames.open(server.port())) {
      raw.send(4, 1, "40".getBytes(java.nio.charset.StandardCharsets.UTF_8)); // RSV1, no extension
      assertThat(raw.awaitCloseStatus()).isEqualTo(1002);
    }
    try (RawFrames raw = RawFrames.open(server.port())) {
      raw.send(0, 1, "40{\"userId\":\"zoë\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
      assertThat(raw.readText()).startsWith("40{\"sid\":");
    }
    assertEveryoneHealthy();
  }

  @Test
  void anEngineIoClosePacket_endsTheSession() {
    RawWebSocket x = connectedRawSocket();
    try (x) {
      assertThat(server.clients("x")).hasSize(1);
      x.send("1");
      x.awaitClosed();
      TestServers.awaitState("the server forgot x", () -> server.clients("x").isEmpty());
    }
    assertEveryoneHealthy();
  }

  @Test
  void ackIdsPastTheLargestInt_areRefusedByName_andSmallerOnesAnswered() {
    try (RawWebSocket x = connectedRawSocket()) {
      x.send("422147483647[\"dialogue:listRooms\"]");
      assertThat(ackBody(x.takePrefix("432147483647[")).path("ok").asBoolean()).isTrue();
      for (String id : java.util.List.of("2147483648", "9007199254740993")) {
        x.send("42" + id + "[\"dialogue:listRooms\"]");
        assertError(
            x.takePrefix("42[\"dialogue:error\""), "Ack ids are at most 2147483647; got " + id);
      }
      x.send("427[\"dialogue:listRooms\"]");
      assertThat(ackBody(x.takePrefix("437[")).path("ok").asBoolean()).isTrue();
      assertThat(x.isClosed()).isFalse();
    }
    assertEveryoneHealthy();
  }

  @Test
  void binaryEvent_getsInvalidRequest_andTheConnectionKeepsWorking() {
    try (RawWebSocket x = connectedRawSocket()) {
      x.send("451-[\"dialogue:trigger\",{\"_placeholder\":true,\"num\":0}]");
      x.sendBinary(new byte[] {1, 2, 3});
      assertError(
          x.takePrefix("42[\"dialogue:error\""),
          "Binary payloads are not supported; send base64 text inside JSON");

      x.send(
          "451-9[\"dialogue:trigger\",{\"roomId\":\"chat\",\"event\":\"message\",\"data\":{\"_placeholder\":true,\"num\":0}}]");
      x.sendBinary(new byte[] {(byte) 0xff, 0, 7});
      assertAckError(
          x.takePrefix("439["),
          "INVALID_REQUEST",
          "Binary payloads are not supported; send base64 text inside JSON");

      x.send("4210[\"dialogue:listRooms\"]");
      assertThat(ackBody(x.takePrefix("4310[")).path("ok").asBoolean()).isTrue();
      assertThat(x.isClosed()).isFalse();
    }
    assertEveryoneHealthy();
  }

  @Test
  void oversizedRequest_getsPayloadTooLarge_throughAckAndErrorEvent_andTheConnectionKeepsWorking() {
    String big = "y".repeat(10 * 1024);
    JsonNode ack = alice.request("dialogue:trigger", message(big));
    assertThat(ack.path("ok").asBoolean(true)).isFalse();
    assertThat(ack.path("error").path("code").asText()).isEqualTo("PAYLOAD_TOO_LARGE");
    assertThat(ack.path("error").path("message").asText())
        .matches("Payload of \\d+ bytes exceeds the limit of 4096 bytes");

    alice.emit("dialogue:trigger", message(big));
    JsonNode error = alice.take(Wire.ERROR).data();
    assertThat(error.path("code").asText()).isEqualTo("PAYLOAD_TOO_LARGE");
    assertThat(error.path("message").asText()).contains("exceeds the limit of 4096 bytes");

    assertThat(alice.isConnected()).isTrue();
    assertEveryoneHealthy();
    assertThat(server.room("chat").orElseThrow().history("message", 0, 50))
        .noneMatch(m -> m.data().path("text").asText().equals(big));
  }

  @Test
  void oversizedRequestOverLongPolling_getsPayloadTooLargeToo() {
    try (RawClient carol = RawClient.open(server.port(), Map.of("userId", "carol"), "polling")) {
      carol.awaitConnected();
      assertOk(carol.request("dialogue:join", Map.of("roomId", "chat")));
      JsonNode ack = carol.request("dialogue:trigger", message("z".repeat(10 * 1024)));
      assertThat(ack.path("error").path("code").asText()).isEqualTo("PAYLOAD_TOO_LARGE");
      assertOk(carol.request("dialogue:trigger", message("small from polling")));
      assertThat(bob.take("dialogue:event").data().path("data").path("text").asText())
          .isEqualTo("small from polling");
    }
    assertEveryoneHealthy();
  }

  @Test
  void messageAboveTheTransportLimit_closesOnlyThatConnection_withStatus1009() throws Exception {
    assertTransportLimitClosesOnly(false);
  }

  @Test
  void fragmentedMessageAboveTheTransportLimit_closesOnlyThatConnection_withStatus1009()
      throws Exception {
    assertTransportLimitClosesOnly(true);
  }

  @Test
  void pollingPostAboveTheTransportLimit_endsOnlyThatConnection() {
    int transportLimit = Internals.settings(server).transport().frameLimit();
    try (RawClient carol = RawClient.open(server.port(), Map.of("userId", "carol"), "polling")) {
      carol.awaitConnected();
      assertOk(carol.request("dialogue:join", Map.of("roomId", "chat")));
      carol.emit("dialogue:trigger", message("v".repeat(transportLimit + 1024)));
      assertThat(carol.take("disconnect").data().asText()).isEqualTo("transport error");
    }
    assertThat(
            bob.take(
                    r ->
                        r.name().equals(Wire.PRESENCE)
                            && r.data().path("leaves").toString().contains("\"carol\""),
                    "carol leaving")
                .data()
                .path("roomId")
                .asText())
        .isEqualTo("chat");
    assertThat(server.room("chat").orElseThrow().size()).isEqualTo(2);
    assertEveryoneHealthy();
  }

  private void assertTransportLimitClosesOnly(boolean fragmented) throws Exception {
    int transportLimit = Internals.settings(server).transport().frameLimit();
    assertThat(transportLimit).isGreaterThanOrEqualTo(2 * MAX_PAYLOAD);
    try (RawWebSocket x = connectedRawSocket()) {
      String huge =
          "42[\"dialogue:trigger\",{\"roomId\":\"chat\",\"event\":\"message\",\"data\":{\"text\":\""
              + "w".repeat(transportLimit + 1024)
              + "\"}}]";
      if (fragmented) {
        x.sendFragmented(huge, 8 * 1024);
      } else {
        x.send(huge);
      }
      int status = x.awaitClosed();
      assertThat(status).as("close status").isEqualTo(1009);
      assertThat(xDisconnected.await(10, TimeUnit.SECONDS))
          .as("the disconnected hook ran")
          .isTrue();
    }
    // The room drops x (bob sees the presence change) and keeps everyone else.
    assertThat(
            bob.take(
                    r ->
                        r.name().equals(Wire.PRESENCE)
                            && r.data().path("leaves").toString().contains("\"x\""),
                    "x leaving")
                .data()
                .path("roomId")
                .asText())
        .isEqualTo("chat");
    assertThat(server.room("chat").orElseThrow().size()).isEqualTo(2);
    assertEveryoneHealthy();
  }

  // ---- helpers ----

  /** A raw Engine.IO WebSocket, connected as user "x" (development mode) and joined to chat. */
  private RawWebSocket connectedRawSocket() {
    RawWebSocket x = RawWebSocket.open(server.port());
    assertThat(x.connect("{\"userId\":\"x\"}")).startsWith("40{\"sid\":");
    x.takePrefix("42[\"dialogue:connected\"");
    x.send("420[\"dialogue:join\",{\"roomId\":\"chat\"}]");
    assertThat(ackBody(x.takePrefix("430[")).path("ok").asBoolean()).isTrue();
    return x;
  }

  /**
   * The abuse changed nothing for anyone: alice and bob still exchange events, bob (who sent
   * nothing wrong) got no error and no disconnect, and the stored history is intact.
   */
  private void assertEveryoneHealthy() {
    String text = "after-" + afterCount.incrementAndGet();
    assertOk(alice.request("dialogue:trigger", message(text)));
    assertThat(
            bob.take(
                    r ->
                        r.name().equals("dialogue:event")
                            && r.data().path("data").path("text").asText().equals(text),
                    text)
                .data()
                .path("from")
                .asText())
        .isEqualTo("alice");
    bob.barrier();
    assertThat(bob.isConnected()).isTrue();
    assertThat(bob.received())
        .noneMatch(r -> r.name().equals(Wire.ERROR) || r.name().equals("disconnect"));

    JsonNode history =
        bob.request("dialogue:getHistory", Map.of("roomId", "chat", "eventName", "message"));
    List<String> texts = new ArrayList<>();
    history.path("events").forEach(e -> texts.add(e.path("data").path("text").asText()));
    assertThat(texts).endsWith("keep-3", "keep-2", "keep-1").startsWith(text);
  }

  private static Map<String, Object> message(String text) {
    return Map.of("roomId", "chat", "event", "message", "data", Map.of("text", text));
  }

  private static void assertOk(JsonNode ack) {
    assertThat(ack.path("ok").asBoolean()).as("ack %s", ack).isTrue();
  }

  /** {@code 42["dialogue:error",{code,message}]} with INVALID_REQUEST and {@code message}. */
  private static void assertError(String frame, String message) {
    JsonNode body = parse(frame.substring(2)).get(1);
    assertThat(body.path("code").asText()).as(frame).isEqualTo("INVALID_REQUEST");
    assertThat(body.path("message").asText()).as(frame).isEqualTo(message);
  }

  private static void assertAckError(String frame, String code, String message) {
    JsonNode body = ackBody(frame);
    assertThat(body.path("ok").asBoolean(true)).as(frame).isFalse();
    assertThat(body.path("error").path("code").asText()).as(frame).isEqualTo(code);
    assertThat(body.path("error").path("message").asText()).as(frame).isEqualTo(message);
  }

  /** The first argument of an ACK frame {@code 43<id>[...]}. */
  private static JsonNode ackBody(String frame) {
    return parse(frame.substring(frame.indexOf('['))).get(0);
  }

  private static JsonNode parse(String json) {
    try {
      return MAPPER.readTree(json);
    } catch (Exception e) {
      throw new AssertionError("not JSON: " + json, e);
    }
  }
}
