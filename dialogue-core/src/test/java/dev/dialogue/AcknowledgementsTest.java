package dev.dialogue;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dialogue.internal.Wire;
import dev.dialogue.testing.MutableClock;
import dev.dialogue.testing.RawClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** PROTOCOL.md 8.1: with an ack, the reply comes only through it; result shapes. */
@Timeout(60)
class AcknowledgementsTest {

  private static JsonNode json(String text) {
    return RawClient.toJson(new org.json.JSONObject(text));
  }

  @Test
  void join_withAck_answersOnlyThroughTheAck() {
    try (Dialogue server = TestServers.builder().build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      JsonNode result = alice.request(Wire.JOIN, Map.of("roomId", "lobby"));
      alice.barrier();

      assertThat(result.path("ok").asBoolean()).isTrue();
      assertThat(result.path("roomId").asText()).isEqualTo("lobby");
      assertThat(result.path("roomName").asText()).isEqualTo("Lobby");
      assertThat(result.path("offset").asLong()).isZero();
      assertThat(result.path("epoch").asText())
          .isEqualTo(server.room("lobby").orElseThrow().epoch())
          .isNotBlank();
      assertThat(result.has("history")).isFalse();
      assertThat(alice.received(Wire.JOINED)).isEmpty();
    }
  }

  @Test
  void join_withAck_carriesHistoryAndLatestOffsetInTheResult() {
    MutableClock clock = MutableClock.atFixedStart();
    try (Dialogue server = TestServers.builder().clock(clock).build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      for (int i = 1; i <= 3; i++) {
        server.trigger("chat", "message", Map.of("text", "m" + i));
        clock.advance(Duration.ofMillis(5));
      }

      JsonNode result = alice.request(Wire.JOIN, Map.of("roomId", "chat"));
      alice.barrier();

      assertThat(result.path("offset").asLong()).isEqualTo(3);
      assertThat(ProtocolEventsTest.texts(result.path("history")))
          .containsExactly("m3", "m2", "m1");
      assertThat(alice.received(Wire.HISTORY)).isEmpty();
      assertThat(alice.received(Wire.JOINED)).isEmpty();
    }
  }

  @Test
  void join_withAckWhenAlreadyJoined_answersOkWithoutHistory() {
    try (Dialogue server = TestServers.builder().build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      server.trigger("chat", "message", Map.of("text", "m1"));
      alice.request(Wire.JOIN, Map.of("roomId", "chat"));

      JsonNode again = alice.request(Wire.JOIN, Map.of("roomId", "chat"));

      assertThat(again.path("ok").asBoolean()).isTrue();
      assertThat(again.path("roomId").asText()).isEqualTo("chat");
      assertThat(again.path("offset").asLong()).isEqualTo(1);
      assertThat(again.has("history")).isFalse();
    }
  }

  @Test
  void leave_withAck_answersRoomIdOnly() {
    try (Dialogue server = TestServers.builder().build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      alice.join("lobby");

      JsonNode result = alice.request(Wire.LEAVE, Map.of("roomId", "lobby"));
      alice.barrier();

      assertThat(result).isEqualTo(json("{\"ok\":true,\"roomId\":\"lobby\"}"));
      assertThat(alice.received(Wire.LEFT)).isEmpty();
    }
  }

  @Test
  void subscriptionRequests_withAck_answerAnEmptyResult() {
    try (Dialogue server = TestServers.builder().build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      alice.join("chat");

      JsonNode subscribe =
          alice.request(Wire.SUBSCRIBE, Map.of("roomId", "chat", "eventName", "typing"));
      JsonNode unsubscribe =
          alice.request(Wire.UNSUBSCRIBE, Map.of("roomId", "chat", "eventName", "message"));
      JsonNode all = alice.request(Wire.SUBSCRIBE_ALL, Map.of("roomId", "chat"));

      assertThat(List.of(subscribe.toString(), unsubscribe.toString(), all.toString()))
          .containsOnly("{\"ok\":true}");
      assertThat(server.clients("alice").get(0).subscriptions("chat"))
          .containsExactlyInAnyOrder("typing", "*");
    }
  }

  @Test
  void trigger_withAck_answersIdOffsetAndTimestampOfTheDeliveredEnvelope() {
    try (Dialogue server = TestServers.builder().build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice");
        RawClient bob = RawClient.connectAs(server.port(), "bob")) {
      alice.join("chat");
      bob.join("chat");
      server.trigger("chat", "message", Map.of("text", "first"));
      bob.take(Wire.EVENT);

      JsonNode result =
          alice.request(
              Wire.TRIGGER,
              Map.of("roomId", "chat", "event", "message", "data", Map.of("text", "hi")));

      JsonNode delivered = bob.take(Wire.EVENT).data();
      assertThat(result.path("ok").asBoolean()).isTrue();
      assertThat(result.path("id").asText()).isEqualTo(delivered.path("id").asText());
      assertThat(result.path("offset").asLong())
          .isEqualTo(2)
          .isEqualTo(delivered.path("offset").asLong());
      assertThat(result.path("timestamp").asLong()).isEqualTo(delivered.path("timestamp").asLong());
    }
  }

  @Test
  void trigger_withAckOfEventWithoutHistory_omitsOffset() {
    try (Dialogue server = TestServers.builder().build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      alice.join("lobby");

      JsonNode result =
          alice.request(Wire.TRIGGER, Map.of("roomId", "lobby", "event", "wave", "data", Map.of()));

      assertThat(result.path("ok").asBoolean()).isTrue();
      assertThat(result.path("id").asText()).isNotBlank();
      assertThat(result.has("offset")).isFalse();
    }
  }

  @Test
  void getHistory_withAck_answersTheHistoryResponseFields() {
    try (Dialogue server = TestServers.builder().build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      alice.join("chat");
      server.trigger("chat", "message", Map.of("text", "a"));
      server.trigger("chat", "message", Map.of("text", "b"));

      JsonNode result =
          alice.request(
              Wire.GET_HISTORY, Map.of("roomId", "chat", "eventName", "message", "end", 1));
      alice.barrier();

      assertThat(result.path("ok").asBoolean()).isTrue();
      assertThat(result.path("roomId").asText()).isEqualTo("chat");
      assertThat(result.path("eventName").asText()).isEqualTo("message");
      assertThat(result.path("start").asInt()).isZero();
      assertThat(result.path("end").asInt()).isEqualTo(1);
      assertThat(ProtocolEventsTest.texts(result.path("events"))).containsExactly("b");
      assertThat(alice.received(Wire.HISTORY_RESPONSE)).isEmpty();
    }
  }

  @Test
  void listRooms_withAck_answersRooms() {
    try (Dialogue server = TestServers.builder().build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      JsonNode result = alice.request(Wire.LIST_ROOMS, null);
      alice.barrier();

      List<String> ids = new ArrayList<>();
      result.path("rooms").forEach(r -> ids.add(r.path("id").asText()));
      assertThat(result.path("ok").asBoolean()).isTrue();
      assertThat(ids).containsExactly("chat", "tiny", "lobby");
      assertThat(alice.received(Wire.ROOMS)).isEmpty();
    }
  }

  @Test
  void createRoom_withAck_answersTheRoomInfoAndStillBroadcastsToOthers() {
    try (Dialogue server = TestServers.builder().build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice");
        RawClient bob = RawClient.connectAs(server.port(), "bob")) {
      JsonNode result =
          alice.request(
              Wire.CREATE_ROOM,
              Map.of("id", "den", "name", "Den", "description", "d", "maxSize", 2));
      alice.barrier();

      assertThat(result)
          .isEqualTo(
              json(
                  "{\"ok\":true,\"id\":\"den\",\"name\":\"Den\",\"description\":\"d\",\"maxSize\":2,\"createdById\":\"alice\"}"));
      assertThat(alice.received(Wire.ROOM_CREATED)).isEmpty();
      assertThat(bob.take(Wire.ROOM_CREATED).data().path("id").asText()).isEqualTo("den");
    }
  }

  @Test
  void deleteRoom_withAck_answersRoomIdAndStillBroadcastsToOthers() {
    try (Dialogue server = TestServers.builder().build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice");
        RawClient bob = RawClient.connectAs(server.port(), "bob")) {
      alice.request(Wire.CREATE_ROOM, Map.of("id", "den", "name", "Den"));

      JsonNode result = alice.request(Wire.DELETE_ROOM, Map.of("roomId", "den"));
      alice.barrier();

      assertThat(result).isEqualTo(json("{\"ok\":true,\"roomId\":\"den\"}"));
      assertThat(alice.received(Wire.ROOM_DELETED)).isEmpty();
      assertThat(bob.take(Wire.ROOM_DELETED).data().path("roomId").asText()).isEqualTo("den");
    }
  }

  @Test
  void error_withAck_answersOkFalseWithCodeAndMessageAndSendsNoErrorEvent() {
    try (Dialogue server = TestServers.builder().build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      JsonNode result = alice.request(Wire.JOIN, Map.of("roomId", "nowhere"));
      alice.barrier();

      assertThat(result)
          .isEqualTo(
              json(
                  "{\"ok\":false,\"error\":{\"code\":\"ROOM_NOT_FOUND\",\"message\":\"Room 'nowhere' does not exist\"}}"));
      assertThat(alice.received(Wire.ERROR)).isEmpty();
    }
  }

  @Test
  void trigger_withAckWhenInvalid_answersTheErrorThroughTheAck() {
    try (Dialogue server = TestServers.builder().build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      alice.join("chat");

      JsonNode result =
          alice.request(
              Wire.TRIGGER, Map.of("roomId", "chat", "event", "message", "data", Map.of()));
      alice.barrier();

      assertThat(result.path("ok").asBoolean()).isFalse();
      assertThat(result.path("error").path("code").asText()).isEqualTo("VALIDATION_FAILED");
      assertThat(result.path("error").path("message").asText())
          .startsWith("Event 'message' validation failed: text:");
      assertThat(alice.received(Wire.ERROR)).isEmpty();
    }
  }

  @Test
  void malformedRequest_withAck_answersInvalidRequestThroughTheAck() {
    try (Dialogue server = TestServers.builder().build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      JsonNode result = alice.request(Wire.GET_HISTORY, Map.of("eventName", "message"));

      assertThat(result.path("error").path("code").asText()).isEqualTo("INVALID_REQUEST");
      assertThat(result.path("error").path("message").asText()).isEqualTo("roomId is required");
    }
  }

  @Test
  void leave_withAckWhenNotInRoom_answersNotInRoom() {
    try (Dialogue server = TestServers.builder().build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      JsonNode result = alice.request(Wire.LEAVE, Map.of("roomId", "lobby"));

      assertThat(result)
          .isEqualTo(
              json(
                  "{\"ok\":false,\"error\":{\"code\":\"NOT_IN_ROOM\",\"message\":\"Join room 'lobby' first\"}}"));
    }
  }
}
