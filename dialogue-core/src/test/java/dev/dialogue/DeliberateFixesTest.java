package dev.dialogue;

import static dev.dialogue.ErrorCodesTest.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dialogue.internal.Wire;
import dev.dialogue.testing.RawClient;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Every deliberate difference from the original, PROTOCOL.md section 7. */
@Timeout(60)
class DeliberateFixesTest {

  /** Records listener calls as "hook:user:room". */
  static final class Recorder implements DialogueListener {
    final List<String> calls = new CopyOnWriteArrayList<>();

    @Override
    public void onJoined(ClientConnection client, Room room) {
      calls.add("joined:" + client.userId() + ":" + room.id());
    }

    @Override
    public void onLeft(ClientConnection client, Room room) {
      calls.add("left:" + client.userId() + ":" + room.id());
    }
  }

  @Test
  void trigger_intoRoomNeverJoined_isNotInRoomAndReachesNobody() {
    try (Dialogue server = TestServers.builder().build().start();
        RawClient member = RawClient.connectAs(server.port(), "member");
        RawClient outsider = RawClient.connectAs(server.port(), "outsider")) {
      member.join("lobby");

      outsider.trigger("lobby", "spam", Map.of("buy", "now"));

      assertError(outsider.takeError(), "NOT_IN_ROOM", "Join room 'lobby' first");
      member.barrier();
      assertThat(member.received(Wire.EVENT)).isEmpty();
    }
  }

  @Test
  void trigger_afterLeaving_isNotInRoom() {
    try (Dialogue server = TestServers.builder().build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      alice.join("lobby");
      alice.emit(Wire.LEAVE, Map.of("roomId", "lobby"));
      alice.take(Wire.LEFT);

      alice.trigger("lobby", "wave", Map.of());

      assertError(alice.takeError(), "NOT_IN_ROOM", "Join room 'lobby' first");
    }
  }

  @Test
  void getHistory_ofRoomNeverJoined_isNotInRoom() {
    try (Dialogue server = TestServers.builder().build().start();
        RawClient outsider = RawClient.connectAs(server.port(), "outsider")) {
      server.trigger("chat", "message", Map.of("text", "private"));

      outsider.emit(Wire.GET_HISTORY, Map.of("roomId", "chat", "eventName", "message"));

      assertError(outsider.takeError(), "NOT_IN_ROOM", "Join room 'chat' first");
      assertThat(outsider.received(Wire.HISTORY_RESPONSE)).isEmpty();
    }
  }

  @Test
  void deleteRoom_ofConfigRoom_isPermissionDeniedAndRoomStays() {
    try (Dialogue server = TestServers.builder().build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice");
        RawClient bob = RawClient.connectAs(server.port(), "bob")) {
      bob.join("chat");

      alice.emit(Wire.DELETE_ROOM, Map.of("roomId", "chat"));

      JsonNode error = alice.takeError();
      assertThat(error.path("code").asText()).isEqualTo("PERMISSION_DENIED");
      assertThat(server.room("chat")).isPresent();
      assertThat(server.isInRoom("bob", "chat")).isTrue();
      bob.barrier();
      assertThat(bob.received(Wire.ROOM_DELETED)).isEmpty();
    }
  }

  @Test
  void clientCreatedRoom_acceptsAnyEventByDefault() {
    try (Dialogue server = TestServers.builder().build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      alice.request(Wire.CREATE_ROOM, Map.of("id", "den", "name", "Den"));
      alice.join("den");
      alice.emit(Wire.SUBSCRIBE_ALL, Map.of("roomId", "den"));

      alice.trigger("den", "whatever", Map.of("x", 1));

      JsonNode event = alice.take(Wire.EVENT).data();
      assertThat(event.path("event").asText()).isEqualTo("whatever");
      assertThat(event.path("roomId").asText()).isEqualTo("den");
    }
  }

  @Test
  void clientCreatedRoom_validatesAgainstGlobalEventDefinitions() {
    try (Dialogue server = TestServers.builder().event(TestServers.MESSAGE).build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      alice.request(Wire.CREATE_ROOM, Map.of("id", "den", "name", "Den"));
      alice.join("den");

      alice.trigger("den", "message", Map.of("text", ""));

      assertThat(alice.takeError().path("code").asText()).isEqualTo("VALIDATION_FAILED");
    }
  }

  @Test
  void clientCreatedRoom_honoursClientRoomEvents() {
    try (Dialogue server =
            TestServers.builder().clientRoomEvents(TestServers.MESSAGE).build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      alice.request(Wire.CREATE_ROOM, Map.of("id", "den", "name", "Den"));
      alice.join("den");
      alice.emit(Wire.SUBSCRIBE_ALL, Map.of("roomId", "den"));

      alice.trigger("den", "whatever", Map.of());
      assertError(
          alice.takeError(), "EVENT_NOT_ALLOWED", "Event 'whatever' is not allowed in room 'den'");
      alice.trigger("den", "message", Map.of("text", ""));
      assertThat(alice.takeError().path("code").asText()).isEqualTo("VALIDATION_FAILED");
      alice.trigger("den", "message", Map.of("text", "fine"));
      assertThat(alice.take(Wire.EVENT).data().path("data").path("text").asText())
          .isEqualTo("fine");
    }
  }

  @Test
  void createRoom_whenCreationPolicyDenies_isPermissionDeniedWithReason() {
    RoomCreationPolicy staffOnly =
        (client, requested) ->
            client.userId().startsWith("staff-")
                ? Decision.allow()
                : Decision.deny("only staff create rooms");
    try (Dialogue server = TestServers.builder().roomCreationPolicy(staffOnly).build().start();
        RawClient guest = RawClient.connectAs(server.port(), "guest");
        RawClient staff = RawClient.connectAs(server.port(), "staff-1")) {
      guest.emit(Wire.CREATE_ROOM, Map.of("id", "den", "name", "Den"));

      assertError(guest.takeError(), "PERMISSION_DENIED", "only staff create rooms");
      assertThat(server.room("den")).isEmpty();
      assertThat(
              staff
                  .request(Wire.CREATE_ROOM, Map.of("id", "den", "name", "Den"))
                  .path("ok")
                  .asBoolean())
          .isTrue();
    }
  }

  @Test
  void joinedHook_doesNotFireForFailedOrRepeatedJoins() {
    Recorder recorder = new Recorder();
    try (Dialogue server = TestServers.builder().listener(recorder).build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice");
        RawClient bob = RawClient.connectAs(server.port(), "bob")) {
      alice.join("tiny");
      alice.join("tiny");
      alice.barrier();
      bob.emit(Wire.JOIN, Map.of("roomId", "tiny"));
      bob.takeError();
      bob.emit(Wire.JOIN, Map.of("roomId", "nowhere"));
      bob.takeError();

      assertThat(recorder.calls).containsExactly("joined:alice:tiny");
    }
  }

  @Test
  void leftHook_firesOnlyWhenTheConnectionWasInTheRoom() {
    Recorder recorder = new Recorder();
    try (Dialogue server = TestServers.builder().listener(recorder).build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      alice.emit(Wire.LEAVE, Map.of("roomId", "lobby"));
      alice.join("lobby");
      alice.emit(Wire.LEAVE, Map.of("roomId", "lobby"));
      alice.take(Wire.LEFT);
      alice.emit(Wire.LEAVE, Map.of("roomId", "lobby"));
      alice.barrier();

      assertThat(recorder.calls).containsExactly("joined:alice:lobby", "left:alice:lobby");
    }
  }

  @Test
  void deleteRoom_removesItFromParticipantsState() {
    Recorder recorder = new Recorder();
    try (Dialogue server = TestServers.builder().listener(recorder).build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice");
        RawClient bob = RawClient.connectAs(server.port(), "bob")) {
      alice.request(Wire.CREATE_ROOM, Map.of("id", "den", "name", "Den"));
      alice.join("den");
      bob.join("den");
      bob.take(Wire.ROOM_CREATED);

      alice.emit(Wire.DELETE_ROOM, Map.of("roomId", "den"));
      bob.take(Wire.ROOM_DELETED);
      alice.take(Wire.ROOM_DELETED);

      assertThat(server.clientRooms("bob")).isEmpty();
      assertThat(server.isInRoom("bob", "den")).isFalse();
      assertThat(server.clients("bob").get(0).rooms()).isEmpty();
      assertThat(server.clients("bob").get(0).subscriptions("den")).isEmpty();
      assertThat(recorder.calls).contains("left:alice:den", "left:bob:den");
    }
  }

  @Test
  void deleteRoom_thenRecreateSameId_startsClean() {
    try (Dialogue server = TestServers.builder().build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice");
        RawClient bob = RawClient.connectAs(server.port(), "bob")) {
      alice.request(Wire.CREATE_ROOM, Map.of("id", "den", "name", "Den"));
      bob.join("den");
      alice.request(Wire.DELETE_ROOM, Map.of("roomId", "den"));
      bob.take(Wire.ROOM_DELETED);

      alice.request(Wire.CREATE_ROOM, Map.of("id", "den", "name", "Den again"));
      JsonNode joined = bob.join("den");
      alice.join("den");
      bob.emit(Wire.SUBSCRIBE_ALL, Map.of("roomId", "den"));
      bob.barrier();
      alice.trigger("den", "hello", Map.of());

      assertThat(joined.path("roomName").asText()).isEqualTo("Den again");
      assertThat(bob.take(Wire.EVENT).data().path("event").asText()).isEqualTo("hello");
      assertThat(server.room("den").orElseThrow().size()).isEqualTo(2);
    }
  }

  @Test
  void serverDeleteOfConfigRoom_thenRecreate_letsFormerParticipantsRejoinForReal() {
    try (Dialogue server = TestServers.builder().build().start();
        RawClient bob = RawClient.connectAs(server.port(), "bob")) {
      bob.join("lobby");
      assertThat(server.deleteRoom("lobby")).isTrue();
      bob.take(Wire.ROOM_DELETED);

      server.createRoom(
          RoomConfig.builder("lobby", "Lobby 2").anyEvent().defaultSubscriptions("*").build());
      bob.join("lobby");
      server.trigger("lobby", "hello", Map.of());

      assertThat(bob.take(Wire.EVENT).data().path("event").asText()).isEqualTo("hello");
      assertThat(server.room("lobby").orElseThrow().participants())
          .extracting(ClientConnection::userId)
          .containsExactly("bob");
    }
  }

  @Test
  void syncHistoryOnJoin_worksForRoomsCreatedAtRuntime() {
    try (Dialogue server = TestServers.builder().build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      server.createRoom(
          RoomConfig.builder("live", "Live")
              .events(TestServers.MESSAGE)
              .syncHistoryOnJoin(true)
              .build());
      server.trigger("live", "message", Map.of("text", "before you came"));

      alice.join("live");

      JsonNode history = alice.take(Wire.HISTORY).data();
      assertThat(history.path("roomId").asText()).isEqualTo("live");
      assertThat(ProtocolEventsTest.texts(history.path("events")))
          .containsExactly("before you came");
    }
  }

  @Test
  void withoutAuthenticator_tokenNeverBecomesTheUserId() {
    try (Dialogue server = TestServers.builder().build().start();
        RawClient anon =
            RawClient.connect(server.port(), Map.of("token", "secret-token", "role", "guest"));
        RawClient bob = RawClient.connectAs(server.port(), "bob")) {
      String userId =
          server.allClients().stream()
              .map(ClientConnection::userId)
              .filter(u -> !u.equals("bob"))
              .findFirst()
              .orElseThrow();
      anon.join("lobby");
      bob.join("lobby");

      anon.trigger("lobby", "hi", Map.of());

      JsonNode event = bob.take(Wire.EVENT).data();
      assertThat(userId).isNotEqualTo("secret-token").startsWith("anon-");
      assertThat(event.path("from").asText()).isEqualTo(userId);
      assertThat(event.toString()).doesNotContain("secret-token");
      ClientConnection connection = server.clients(userId).get(0);
      assertThat(connection.meta()).containsEntry("role", "guest").doesNotContainKey("token");
    }
  }

  @Test
  void withoutAuthenticatorOrAuth_eachConnectionGetsItsOwnAnonymousId() {
    try (Dialogue server = TestServers.builder().build().start();
        RawClient first = RawClient.connect(server.port(), null);
        RawClient second = RawClient.connect(server.port(), Map.of("userId", ""))) {
      List<String> users = server.allClients().stream().map(ClientConnection::userId).toList();

      assertThat(users).hasSize(2).allMatch(u -> u.startsWith("anon-")).doesNotHaveDuplicates();
    }
  }

  @Test
  void interceptorRejection_isEventRejectedNotValidationFailed() {
    EventInterceptor closed = (room, message) -> EventDecision.reject("room is read-only");
    try (Dialogue server = TestServers.builder().interceptor(closed).build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      alice.join("lobby");

      alice.trigger("lobby", "hi", Map.of());

      JsonNode error = alice.takeError();
      assertThat(error.path("code").asText())
          .isEqualTo("EVENT_REJECTED")
          .isNotEqualTo("VALIDATION_FAILED");
      assertThat(error.path("message").asText()).isEqualTo("room is read-only");
    }
  }

  @Test
  void hookException_isInternalErrorAndTheConnectionKeepsWorking() {
    EventInterceptor fragile =
        (room, message) -> {
          if (message.event().equals("boom")) {
            throw new IllegalStateException("interceptor bug");
          }
          return EventDecision.proceed(message);
        };
    try (Dialogue server = TestServers.builder().interceptor(fragile).build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice");
        RawClient bob = RawClient.connectAs(server.port(), "bob")) {
      alice.join("lobby");
      bob.join("lobby");

      alice.trigger("lobby", "boom", Map.of());
      JsonNode error = alice.takeError();
      alice.trigger("lobby", "fine", Map.of());

      assertError(error, "INTERNAL_ERROR", "Internal error");
      assertThat(alice.take(Wire.EVENT).data().path("event").asText()).isEqualTo("fine");
      assertThat(bob.take(Wire.EVENT).data().path("event").asText()).isEqualTo("fine");
      assertThat(alice.isConnected()).isTrue();
    }
  }

  @Test
  void listenerException_isContainedAndTheJoinStillSucceeds() {
    DialogueListener throwing =
        new DialogueListener() {
          @Override
          public void onJoined(ClientConnection client, Room room) {
            throw new IllegalStateException("listener bug");
          }
        };
    try (Dialogue server = TestServers.builder().listener(throwing).build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      alice.join("lobby");
      alice.barrier();

      assertThat(alice.received(Wire.ERROR)).isEmpty();
      assertThat(server.isInRoom("alice", "lobby")).isTrue();
      assertThat(
              alice
                  .request(Wire.TRIGGER, Map.of("roomId", "lobby", "event", "x", "data", Map.of()))
                  .path("ok")
                  .asBoolean())
          .isTrue();
    }
  }
}
