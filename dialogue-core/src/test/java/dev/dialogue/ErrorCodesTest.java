package dev.dialogue;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dialogue.internal.Wire;
import dev.dialogue.testing.MutableClock;
import dev.dialogue.testing.RawClient;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Every error code of PROTOCOL.md section 6, with its exact message where the protocol gives one.
 */
@Timeout(60)
class ErrorCodesTest {

  @Test
  void join_whenRoomUnknown_sendsRoomNotFound() {
    try (Dialogue server = TestServers.builder().build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      alice.emit(Wire.JOIN, Map.of("roomId", "nowhere"));

      assertError(alice.takeError(), "ROOM_NOT_FOUND", "Room 'nowhere' does not exist");
    }
  }

  @Test
  void trigger_whenRoomUnknown_sendsRoomNotFound() {
    try (Dialogue server = TestServers.builder().build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      alice.trigger("nowhere", "message", Map.of("text", "hi"));

      assertError(alice.takeError(), "ROOM_NOT_FOUND", "Room 'nowhere' does not exist");
    }
  }

  @Test
  void join_whenPolicyDenies_sendsJoinDeniedWithReason() {
    JoinPolicy adminsOnly =
        (client, room) ->
            room.id().equals("lobby") && !"admin".equals(client.meta().get("role"))
                ? Decision.deny("admins only")
                : Decision.allow();
    try (Dialogue server = TestServers.builder().joinPolicy(adminsOnly).build().start();
        RawClient bob = RawClient.connect(server.port(), Map.of("userId", "bob", "role", "user"));
        RawClient root =
            RawClient.connect(server.port(), Map.of("userId", "root", "role", "admin"))) {
      bob.emit(Wire.JOIN, Map.of("roomId", "lobby"));

      assertError(bob.takeError(), "JOIN_DENIED", "admins only");
      assertThat(server.isInRoom("bob", "lobby")).isFalse();
      assertThat(root.join("lobby").path("roomId").asText()).isEqualTo("lobby");
    }
  }

  @Test
  void join_whenRoomFull_sendsRoomFull() {
    try (Dialogue server = TestServers.builder().build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice");
        RawClient bob = RawClient.connectAs(server.port(), "bob")) {
      alice.join("tiny");

      bob.emit(Wire.JOIN, Map.of("roomId", "tiny"));

      assertError(bob.takeError(), "ROOM_FULL", "Room 'tiny' is at capacity");
      assertThat(server.room("tiny").orElseThrow().participants())
          .extracting(ClientConnection::userId)
          .containsExactly("alice");
    }
  }

  @Test
  void join_whenAlreadyInFullRoom_sendsJoinedNotRoomFull() {
    try (Dialogue server = TestServers.builder().build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      alice.join("tiny");

      alice.join("tiny");
      alice.barrier();

      assertThat(alice.received(Wire.ERROR)).isEmpty();
    }
  }

  @Test
  void trigger_whenEventNotInRoom_sendsEventNotAllowed() {
    try (Dialogue server = TestServers.builder().build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      alice.join("chat");

      alice.trigger("chat", "dance", Map.of());

      assertError(
          alice.takeError(), "EVENT_NOT_ALLOWED", "Event 'dance' is not allowed in room 'chat'");
    }
  }

  @Test
  void trigger_whenRoomListsNoEvents_sendsEventNotAllowed() {
    RoomConfig mute = RoomConfig.builder("mute", "Mute").build();
    try (Dialogue server = TestServers.builder().room(mute).build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      alice.join("mute");

      alice.trigger("mute", "anything", Map.of());

      assertError(
          alice.takeError(), "EVENT_NOT_ALLOWED", "Event 'anything' is not allowed in room 'mute'");
    }
  }

  @Test
  void trigger_whenPayloadInvalid_sendsValidationFailedNamingPathAndRule() {
    try (Dialogue server = TestServers.builder().build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      alice.join("chat");

      alice.trigger("chat", "message", Map.of("text", "  "));

      assertError(
          alice.takeError(),
          "VALIDATION_FAILED",
          "Event 'message' validation failed: text: must not be blank");
    }
  }

  @Test
  void trigger_whenNestedFieldInvalid_namesTheDottedPath() {
    try (Dialogue server = TestServers.builder().build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      alice.join("chat");

      alice.trigger("chat", "post", Map.of("author", Map.of("name", "")));

      assertError(
          alice.takeError(),
          "VALIDATION_FAILED",
          "Event 'post' validation failed: author.name: must not be blank");
    }
  }

  @Test
  void getHistory_overTheLimit_sendsRateLimitedUntilTheFixedWindowResets() {
    MutableClock clock = MutableClock.atFixedStart();
    Instant windowStart = clock.instant();
    try (Dialogue server = TestServers.builder().clock(clock).build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      alice.join("chat");
      for (int i = 0; i < 20; i++) {
        assertThat(historyAck(alice).path("ok").asBoolean()).as("request %s", i + 1).isTrue();
        clock.advance(Duration.ofSeconds(1));
      }

      JsonNode limited = historyAck(alice);
      assertThat(limited.path("ok").asBoolean()).isFalse();
      assertThat(limited.path("error").path("code").asText()).isEqualTo("RATE_LIMITED");
      String message = limited.path("error").path("message").asText();
      assertThat(message)
          .startsWith("Too many history requests. Please wait before trying again.")
          .contains("20 per 60 s")
          .contains(windowStart.plusSeconds(60).toString())
          .contains("in 40 s");

      // A fixed window: still limited just before it ends, whatever happened in between.
      clock.advance(Duration.ofMillis(39_999));
      assertThat(historyAck(alice).path("ok").asBoolean()).isFalse();
      clock.advance(Duration.ofMillis(1));
      assertThat(historyAck(alice).path("ok").asBoolean()).isTrue();
    }
  }

  @Test
  void getHistory_overTheLimitWithoutAck_sendsRateLimitedEvent() {
    MutableClock clock = MutableClock.atFixedStart();
    try (Dialogue server = TestServers.builder().clock(clock).build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      alice.join("chat");
      for (int i = 0; i < 21; i++) {
        alice.emit(Wire.GET_HISTORY, Map.of("roomId", "chat", "eventName", "message"));
      }
      alice.barrier();

      assertThat(alice.received(Wire.HISTORY_RESPONSE)).hasSize(20);
      assertThat(alice.takeError().path("code").asText()).isEqualTo("RATE_LIMITED");
    }
  }

  @Test
  void getHistory_limitIsPerConnection() {
    MutableClock clock = MutableClock.atFixedStart();
    try (Dialogue server =
            TestServers.builder()
                .clock(clock)
                .historyRateLimit(2, Duration.ofSeconds(10))
                .build()
                .start();
        RawClient alice = RawClient.connectAs(server.port(), "alice");
        RawClient bob = RawClient.connectAs(server.port(), "bob")) {
      alice.join("chat");
      bob.join("chat");
      historyAck(alice);
      historyAck(alice);
      JsonNode limited = historyAck(alice);

      assertThat(limited.path("error").path("code").asText()).isEqualTo("RATE_LIMITED");
      assertThat(limited.path("error").path("message").asText()).contains("2 per 10 s");
      assertThat(historyAck(bob).path("ok").asBoolean()).isTrue();
    }
  }

  @Test
  void getHistory_withoutRoomId_sendsInvalidRequest() {
    try (Dialogue server = TestServers.builder().build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      alice.emit(Wire.GET_HISTORY, Map.of("eventName", "message"));

      assertError(alice.takeError(), "INVALID_REQUEST", "roomId is required");
    }
  }

  @Test
  void getHistory_withNonIntegerStart_sendsInvalidRequestNamingStart() {
    try (Dialogue server = TestServers.builder().build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      alice.join("chat");

      alice.emit(
          Wire.GET_HISTORY, Map.of("roomId", "chat", "eventName", "message", "start", "zero"));
      assertError(alice.takeError(), "INVALID_REQUEST", "start must be an integer, got string");
      alice.emit(Wire.GET_HISTORY, Map.of("roomId", "chat", "eventName", "message", "end", 2.5));
      assertError(alice.takeError(), "INVALID_REQUEST", "end must be an integer, got 2.5");
    }
  }

  @Test
  void getHistory_withNegativeStartOrEndBeforeStart_sendsInvalidRequest() {
    try (Dialogue server = TestServers.builder().build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      alice.join("chat");

      alice.emit(Wire.GET_HISTORY, Map.of("roomId", "chat", "eventName", "message", "start", -1));
      assertError(alice.takeError(), "INVALID_REQUEST", "start must be >= 0, got -1");
      alice.emit(
          Wire.GET_HISTORY, Map.of("roomId", "chat", "eventName", "message", "start", 5, "end", 4));
      assertError(
          alice.takeError(), "INVALID_REQUEST", "end must be >= start, got start 5 and end 4");
    }
  }

  @Test
  void getHistory_beyondThePageCap_sendsInvalidRequest() {
    try (Dialogue server = TestServers.builder().build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      alice.join("chat");

      JsonNode atCap =
          alice.request(
              Wire.GET_HISTORY,
              Map.of("roomId", "chat", "eventName", "message", "start", 10, "end", 510));
      alice.emit(
          Wire.GET_HISTORY,
          Map.of("roomId", "chat", "eventName", "message", "start", 10, "end", 511));

      assertThat(atCap.path("ok").asBoolean()).isTrue();
      assertError(alice.takeError(), "INVALID_REQUEST", "end - start must be at most 500, got 501");
    }
  }

  @Test
  void getHistory_pageCapIsConfigurable() {
    try (Dialogue server = TestServers.builder().maxHistoryPage(5).build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      alice.join("chat");

      alice.emit(Wire.GET_HISTORY, Map.of("roomId", "chat", "eventName", "message", "end", 6));

      assertError(alice.takeError(), "INVALID_REQUEST", "end - start must be at most 5, got 6");
    }
  }

  @Test
  void requests_withMissingOrMistypedFields_sendInvalidRequestNamingTheField() {
    try (Dialogue server = TestServers.builder().build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      alice.join("chat");

      alice.emit(Wire.JOIN, Map.of("roomId", 123));
      assertError(alice.takeError(), "INVALID_REQUEST", "roomId must be a string, got number");
      alice.emit(Wire.JOIN, Map.of());
      assertError(alice.takeError(), "INVALID_REQUEST", "roomId is required");
      alice.emit(Wire.JOIN, "chat");
      assertError(
          alice.takeError(),
          "INVALID_REQUEST",
          "dialogue:join expects an object like {roomId}, got string");
      alice.emit(Wire.TRIGGER, Map.of("roomId", "chat", "data", Map.of()));
      assertError(alice.takeError(), "INVALID_REQUEST", "event is required");
      alice.emit(Wire.SUBSCRIBE, Map.of("roomId", "chat"));
      assertError(alice.takeError(), "INVALID_REQUEST", "eventName is required");
      alice.emit(
          Wire.TRIGGER,
          Map.of(
              "roomId", "chat", "event", "message", "data", Map.of("text", "x"), "meta", "nope"));
      assertError(alice.takeError(), "INVALID_REQUEST", "meta must be an object, got string");
      alice.emit(Wire.LEAVE, Map.of("roomId", false));
      assertError(alice.takeError(), "INVALID_REQUEST", "roomId must be a string, got boolean");
      // The connection keeps working.
      assertThat(alice.request(Wire.LIST_ROOMS, null).path("ok").asBoolean()).isTrue();
    }
  }

  @Test
  void createRoom_withoutIdOrName_sendsInvalidRequest() {
    try (Dialogue server = TestServers.builder().build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      alice.emit(Wire.CREATE_ROOM, Map.of("id", "den"));
      assertError(alice.takeError(), "INVALID_REQUEST", "Room id and name are required");
      alice.emit(Wire.CREATE_ROOM, Map.of("name", "Den"));
      assertError(alice.takeError(), "INVALID_REQUEST", "Room id and name are required");
      alice.emit(Wire.CREATE_ROOM, Map.of("id", 7, "name", "Den"));
      assertError(alice.takeError(), "INVALID_REQUEST", "Room id and name are required");

      assertThat(server.rooms()).hasSize(3);
    }
  }

  @Test
  void createRoom_withBadMaxSize_sendsInvalidRequestNamingMaxSize() {
    try (Dialogue server = TestServers.builder().build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      alice.emit(Wire.CREATE_ROOM, Map.of("id", "den", "name", "Den", "maxSize", "big"));
      assertThat(alice.takeError().path("message").asText())
          .startsWith("maxSize must be an integer");
      alice.emit(Wire.CREATE_ROOM, Map.of("id", "den", "name", "Den", "maxSize", 0));
      assertError(
          alice.takeError(), "INVALID_REQUEST", "maxSize must be a positive integer, got 0");

      assertThat(server.room("den")).isEmpty();
    }
  }

  @Test
  void createRoom_whenIdTaken_sendsRoomExists() {
    try (Dialogue server = TestServers.builder().build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      alice.emit(Wire.CREATE_ROOM, Map.of("id", "chat", "name", "Another chat"));

      assertError(alice.takeError(), "ROOM_EXISTS", "Room 'chat' already exists");
      assertThat(server.room("chat").orElseThrow().name()).isEqualTo("Chat");
    }
  }

  @Test
  void deleteRoom_byAnotherUser_sendsPermissionDenied() {
    try (Dialogue server = TestServers.builder().build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice");
        RawClient bob = RawClient.connectAs(server.port(), "bob")) {
      alice.request(Wire.CREATE_ROOM, Map.of("id", "den", "name", "Den"));

      bob.emit(Wire.DELETE_ROOM, Map.of("roomId", "den"));

      assertError(
          bob.takeError(), "PERMISSION_DENIED", "Only the room creator can delete this room");
      assertThat(server.room("den")).isPresent();
    }
  }

  @Test
  void deleteRoom_whenRoomUnknown_sendsRoomNotFound() {
    try (Dialogue server = TestServers.builder().build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      alice.emit(Wire.DELETE_ROOM, Map.of("roomId", "nowhere"));

      assertError(alice.takeError(), "ROOM_NOT_FOUND", "Room 'nowhere' does not exist");
    }
  }

  @Test
  void trigger_whenNotInRoom_sendsNotInRoom() {
    try (Dialogue server = TestServers.builder().build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      alice.trigger("chat", "message", Map.of("text", "hi"));

      assertError(alice.takeError(), "NOT_IN_ROOM", "Join room 'chat' first");
    }
  }

  @Test
  void trigger_whenInterceptorRejects_sendsEventRejectedWithReason() {
    EventInterceptor noShouting =
        (room, message) ->
            message
                    .data()
                    .path("text")
                    .asText()
                    .equals(message.data().path("text").asText().toUpperCase())
                ? EventDecision.reject("no shouting")
                : EventDecision.proceed(message);
    try (Dialogue server = TestServers.builder().interceptor(noShouting).build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      alice.join("chat");

      alice.trigger("chat", "message", Map.of("text", "HELLO"));

      assertError(alice.takeError(), "EVENT_REJECTED", "no shouting");
      alice.barrier();
      assertThat(alice.received(Wire.EVENT)).isEmpty();
    }
  }

  @Test
  void join_whenPolicyThrows_sendsInternalErrorWithoutDetails() {
    JoinPolicy broken =
        (client, room) -> {
          throw new IllegalStateException("database password is hunter2");
        };
    try (Dialogue server = TestServers.builder().joinPolicy(broken).build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      alice.emit(Wire.JOIN, Map.of("roomId", "chat"));

      JsonNode error = alice.takeError();
      assertThat(error.path("code").asText()).isEqualTo("INTERNAL_ERROR");
      assertThat(error.path("message").asText()).doesNotContain("hunter2");
      assertThat(server.isInRoom("alice", "chat")).isFalse();
    }
  }

  @Test
  void unknownDialogueRequest_sendsInvalidRequestNamingIt() {
    try (Dialogue server = TestServers.builder().build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      alice.emit("dialogue:dance", new HashMap<>());

      assertError(alice.takeError(), "INVALID_REQUEST", "Unknown request 'dialogue:dance'");
    }
  }

  private static JsonNode historyAck(RawClient client) {
    return client.request(Wire.GET_HISTORY, Map.of("roomId", "chat", "eventName", "message"));
  }

  static void assertError(JsonNode error, String code, String message) {
    assertThat(error.path("code").asText()).as("code of %s", error).isEqualTo(code);
    assertThat(error.path("message").asText()).as("message of %s", error).isEqualTo(message);
  }
}
