package dev.dialogue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.dialogue.internal.Wire;
import dev.dialogue.testing.RawClient;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Hooks: authenticator, listener calls, interceptors, and that hooks never block the network. */
@Timeout(60)
class HooksTest {

  @Test
  void authenticator_acceptsWithItsUserIdAndClaimsIgnoringAuthUserId() {
    Authenticator tokens =
        handshake ->
            "t-1".equals(handshake.auth().get("token"))
                ? AuthResult.accept("carol", Map.of("role", "editor"))
                : AuthResult.reject("bad token");
    try (Dialogue server = TestServers.builder().authenticator(tokens).build().start();
        RawClient client =
            RawClient.connect(server.port(), Map.of("token", "t-1", "userId", "mallory"))) {
      JsonNode connected = client.arrivals().get(0).data();

      assertThat(connected.path("userId").asText()).isEqualTo("carol");
      ClientConnection carol = server.clients("carol").get(0);
      assertThat(carol.claims()).containsEntry("role", "editor");
      assertThat(carol.meta()).isEmpty();
      assertThat(server.clients("mallory")).isEmpty();
    }
  }

  @Test
  void authenticator_rejection_reachesTheClientAsConnectErrorWithTheReason() {
    Authenticator nobody = handshake -> AuthResult.reject("bad token");
    try (Dialogue server = TestServers.builder().authenticator(nobody).build().start();
        RawClient client = RawClient.open(server.port(), Map.of("token", "nope"), true)) {
      assertThat(client.connectError()).isEqualTo("bad token");
      assertThat(client.arrivalNames()).doesNotContain(Wire.CONNECTED);
      assertThat(server.allClients()).isEmpty();
    }
  }

  @Test
  void authenticator_thatThrows_rejectsWithAuthenticationFailed() {
    Authenticator broken =
        handshake -> {
          throw new IllegalStateException("identity service down");
        };
    try (Dialogue server = TestServers.builder().authenticator(broken).build().start();
        RawClient client = RawClient.open(server.port(), Map.of("token", "t"), true)) {
      assertThat(client.connectError()).isEqualTo("Authentication failed");
    }
  }

  @Test
  void authenticator_receivesAnEmptyAuthWhenTheClientSendsNone() {
    BlockingQueue<Map<String, Object>> seen = new LinkedBlockingQueue<>();
    Authenticator recording =
        handshake -> {
          seen.add(handshake.auth());
          return AuthResult.reject("who are you?");
        };
    try (Dialogue server = TestServers.builder().authenticator(recording).build().start();
        RawClient client = RawClient.open(server.port(), null, true)) {
      assertThat(client.connectError()).isEqualTo("who are you?");
      assertThat(seen.poll()).isEmpty();
    }
  }

  @Test
  void connectionStillAuthenticating_receivesNoBroadcasts() throws Exception {
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Authenticator slow =
        handshake -> {
          entered.countDown();
          release.await(30, TimeUnit.SECONDS);
          return AuthResult.accept("late");
        };
    try (Dialogue server = TestServers.builder().authenticator(slow).build().start();
        RawClient late = RawClient.open(server.port(), Map.of(), true)) {
      assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();

      server.createRoom(RoomConfig.builder("news", "News").build());
      release.countDown();
      late.awaitConnected();
      late.barrier();

      assertThat(late.arrivalNames()).containsExactly(Wire.CONNECTED);
    }
  }

  @Test
  void disconnect_firesDisconnectedWhileRoomsAreListedThenLeftForEachRoom() throws Exception {
    List<String> calls = new CopyOnWriteArrayList<>();
    CountDownLatch done = new CountDownLatch(2);
    DialogueListener listener =
        new DialogueListener() {
          @Override
          public void onDisconnected(ClientConnection client, String reason) {
            calls.add("disconnected:" + client.rooms().stream().sorted().toList());
          }

          @Override
          public void onLeft(ClientConnection client, Room room) {
            calls.add("left:" + room.id());
            done.countDown();
          }
        };
    try (Dialogue server = TestServers.builder().listener(listener).build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      alice.join("chat");
      alice.join("lobby");

      alice.disconnect();

      assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
      assertThat(calls.get(0)).isEqualTo("disconnected:[chat, lobby]");
      assertThat(calls.subList(1, 3)).containsExactlyInAnyOrder("left:chat", "left:lobby");
      assertThat(server.room("chat").orElseThrow().size()).isZero();
    }
  }

  @Test
  void roomListeners_fireForConfigClientAndServerRooms() throws Exception {
    List<String> calls = new CopyOnWriteArrayList<>();
    CountDownLatch deleted = new CountDownLatch(2);
    DialogueListener listener =
        new DialogueListener() {
          @Override
          public void onRoomCreated(Room room) {
            calls.add("created:" + room.id() + ":" + room.createdById());
          }

          @Override
          public void onRoomDeleted(Room room) {
            calls.add("deleted:" + room.id());
            deleted.countDown();
          }
        };
    try (Dialogue server = TestServers.builder().listener(listener).build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      alice.request(Wire.CREATE_ROOM, Map.of("id", "den", "name", "Den"));
      server.createRoom(RoomConfig.builder("ops", "Ops").build());
      alice.request(Wire.DELETE_ROOM, Map.of("roomId", "den"));
      server.deleteRoom("ops");

      assertThat(deleted.await(10, TimeUnit.SECONDS)).isTrue();
      assertThat(calls.subList(0, 5))
          .containsExactly(
              "created:chat:null",
              "created:tiny:null",
              "created:lobby:null",
              "created:den:alice",
              "created:ops:null");
      // The client's deletion is acknowledged before its listener call, so the two may interleave.
      assertThat(calls.subList(5, calls.size()))
          .containsExactlyInAnyOrder("deleted:den", "deleted:ops");
    }
  }

  @Test
  void triggeredAndAfterEach_seeTheDeliveredMessageAndRecipientCount() throws Exception {
    BlockingQueue<String> calls = new LinkedBlockingQueue<>();
    DialogueListener listener =
        new DialogueListener() {
          @Override
          public void onTriggered(Room room, EventMessage message) {
            calls.add("triggered:" + message.event() + ":" + message.from());
          }
        };
    EventInterceptor counting =
        new EventInterceptor() {
          @Override
          public EventDecision beforeEach(Room room, EventMessage message) {
            return EventDecision.proceed(message);
          }

          @Override
          public void afterEach(Room room, EventMessage message, int recipientCount) {
            calls.add("after:" + message.event() + ":" + recipientCount);
          }
        };
    try (Dialogue server =
            TestServers.builder().listener(listener).interceptor(counting).build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice");
        RawClient bob = RawClient.connectAs(server.port(), "bob");
        RawClient carol = RawClient.connectAs(server.port(), "carol")) {
      alice.join("chat");
      bob.join("chat");
      carol.join("chat");
      carol.request(Wire.UNSUBSCRIBE, Map.of("roomId", "chat", "eventName", "message"));

      alice.request(
          Wire.TRIGGER, Map.of("roomId", "chat", "event", "message", "data", Map.of("text", "x")));

      assertThat(calls.poll(10, TimeUnit.SECONDS)).isEqualTo("triggered:message:alice");
      assertThat(calls.poll(10, TimeUnit.SECONDS)).isEqualTo("after:message:2");
    }
  }

  @Test
  void interceptor_mayRewriteTheMessageButNotItsEventOrRoom() {
    EventInterceptor rewriter =
        (room, message) ->
            EventDecision.proceed(
                new EventMessage(
                    "other",
                    "lobby",
                    JsonNodeFactory.instance.objectNode().put("text", "[redacted]"),
                    "moderator",
                    message.timestamp(),
                    null,
                    message.id(),
                    null,
                    null));
    try (Dialogue server = TestServers.builder().interceptor(rewriter).build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice");
        RawClient lobby = RawClient.connectAs(server.port(), "lobbyist")) {
      alice.join("chat");
      lobby.join("lobby");

      alice.trigger("chat", "message", Map.of("text", "secret"));

      JsonNode event = alice.take(Wire.EVENT).data();
      assertThat(event.path("event").asText()).isEqualTo("message");
      assertThat(event.path("roomId").asText()).isEqualTo("chat");
      assertThat(event.path("data").path("text").asText()).isEqualTo("[redacted]");
      assertThat(event.path("from").asText()).isEqualTo("moderator");
      lobby.barrier();
      assertThat(lobby.received(Wire.EVENT)).isEmpty();
      assertThat(server.room("chat").orElseThrow().history("message", 0, 10))
          .extracting(m -> m.data().path("text").asText())
          .containsExactly("[redacted]");
    }
  }

  @Test
  void interceptor_alsoSeesServerTriggers() {
    EventInterceptor closed = (room, message) -> EventDecision.reject("closed for maintenance");
    try (Dialogue server = TestServers.builder().interceptor(closed).build().start()) {
      DialogueException e =
          assertThrows(
              DialogueException.class, () -> server.trigger("lobby", "announce", Map.of()));

      assertThat(e.code()).isEqualTo(ErrorCode.EVENT_REJECTED);
      assertThat(e.getMessage()).isEqualTo("closed for maintenance");
    }
  }

  @Test
  void blockingHook_doesNotDelayAnotherConnection() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch entered = new CountDownLatch(1);
    JoinPolicy slow =
        (client, room) -> {
          if (client.userId().equals("slow")) {
            entered.countDown();
            release.await(30, TimeUnit.SECONDS);
          }
          return Decision.allow();
        };
    try (Dialogue server = TestServers.builder().joinPolicy(slow).build().start();
        RawClient slowClient = RawClient.connectAs(server.port(), "slow");
        RawClient fast = RawClient.connectAs(server.port(), "fast")) {
      slowClient.emit(Wire.JOIN, Map.of("roomId", "lobby"));
      assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();

      fast.join("lobby");
      JsonNode rooms = fast.request(Wire.LIST_ROOMS, null);
      assertThat(rooms.path("ok").asBoolean()).isTrue();
      assertThat(server.isInRoom("slow", "lobby")).isFalse();

      release.countDown();
      assertThat(slowClient.take(Wire.JOINED).data().path("roomId").asText()).isEqualTo("lobby");
    }
  }

  @Test
  void listenerCalls_forOneConnectionComeInRequestOrder() {
    List<String> calls = new CopyOnWriteArrayList<>();
    DialogueListener listener =
        new DialogueListener() {
          @Override
          public void onConnected(ClientConnection client) {
            calls.add("connected");
          }

          @Override
          public void onJoined(ClientConnection client, Room room) {
            calls.add("joined:" + room.id());
          }

          @Override
          public void onLeft(ClientConnection client, Room room) {
            calls.add("left:" + room.id());
          }
        };
    try (Dialogue server = TestServers.builder().listener(listener).build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      for (String room : List.of("chat", "lobby", "tiny")) {
        alice.emit(Wire.JOIN, Map.of("roomId", room));
        alice.emit(Wire.LEAVE, Map.of("roomId", room));
      }
      alice.barrier();

      assertThat(calls)
          .containsExactly(
              "connected",
              "joined:chat",
              "left:chat",
              "joined:lobby",
              "left:lobby",
              "joined:tiny",
              "left:tiny");
      assertThat(Set.copyOf(server.clients("alice").get(0).rooms())).isEmpty();
    }
  }
}
