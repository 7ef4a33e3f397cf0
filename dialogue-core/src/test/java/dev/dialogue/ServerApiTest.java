package dev.dialogue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dialogue.internal.Wire;
import dev.dialogue.testing.RawClient;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The server-side API (Dialogue, Room, ClientConnection) as clients observe it on the wire. */
@Timeout(60)
class ServerApiTest {
  @Test
  void stop_freesThePort_soThatAServerCanStartOnItAgain() throws Exception {
    // Failed about one time in three on Netty 4.2 until stop closed the listening channel itself.
    for (int round = 0; round < 5; round++) {
      int port;
      try (Dialogue first = Dialogue.builder().host("127.0.0.1").port(0).build().start()) {
        port = first.port();
      }
      try (java.net.ServerSocket again =
          new java.net.ServerSocket(port, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
        assertThat(again.getLocalPort()).as("round %s", round).isEqualTo(port);
      }
    }
  }

  @Test
  void trigger_fromServer_reachesSubscribersAsSystem() {
    try (Dialogue server = TestServers.builder().build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      alice.join("chat");

      EventMessage sent =
          server.trigger("chat", TestServers.MESSAGE, new TestServers.Message("maintenance at 5"));

      JsonNode event = alice.take(Wire.EVENT).data();
      assertThat(event.path("from").asText()).isEqualTo("system");
      assertThat(event.path("data").path("text").asText()).isEqualTo("maintenance at 5");
      assertThat(event.path("id").asText()).isEqualTo(sent.id());
      assertThat(sent.offset()).isEqualTo(1L);
    }
  }

  @Test
  void trigger_fromServer_withSenderNameAndMeta() {
    try (Dialogue server = TestServers.builder().build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      alice.join("lobby");

      server.trigger("lobby", "news", Map.of("headline", "h"), "newsbot", Map.of("source", "wire"));

      JsonNode event = alice.take(Wire.EVENT).data();
      assertThat(event.path("from").asText()).isEqualTo("newsbot");
      assertThat(event.path("meta").path("source").asText()).isEqualTo("wire");
    }
  }

  @Test
  void roomTrigger_reachesSubscribers() {
    try (Dialogue server = TestServers.builder().build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      alice.join("chat");
      Room chat = server.room("chat").orElseThrow();

      chat.trigger(TestServers.MESSAGE, new TestServers.Message("from the room"));
      chat.trigger("message", Map.of("text", "as bot"), "bot");

      assertThat(alice.take(Wire.EVENT).data().path("data").path("text").asText())
          .isEqualTo("from the room");
      assertThat(alice.take(Wire.EVENT).data().path("from").asText()).isEqualTo("bot");
    }
  }

  @Test
  void trigger_fromServer_intoUnknownRoomOrWithUnknownEvent_throwsWithCode() {
    try (Dialogue server = TestServers.builder().build().start()) {
      DialogueException notFound =
          assertThrows(DialogueException.class, () -> server.trigger("nowhere", "x", Map.of()));
      DialogueException notAllowed =
          assertThrows(DialogueException.class, () -> server.trigger("chat", "dance", Map.of()));

      assertThat(notFound.code()).isEqualTo(ErrorCode.ROOM_NOT_FOUND);
      assertThat(notAllowed.code()).isEqualTo(ErrorCode.EVENT_NOT_ALLOWED);
      assertThat(notAllowed.getMessage()).isEqualTo("Event 'dance' is not allowed in room 'chat'");
    }
  }

  @Test
  void on_typedHandler_receivesClientEventsAsTheirType() throws Exception {
    BlockingQueue<String> seen = new LinkedBlockingQueue<>();
    try (Dialogue server = TestServers.builder().build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      server.on(
          "chat",
          TestServers.MESSAGE,
          (message, envelope) -> seen.add(message.text() + " from " + envelope.from()));
      alice.join("chat");

      alice.trigger("chat", "message", Map.of("text", "hello server"));
      alice.trigger("chat", "typing", Map.of("isTyping", true));

      assertThat(seen.poll(10, TimeUnit.SECONDS)).isEqualTo("hello server from alice");
      alice.barrier();
      assertThat(seen).isEmpty();
    }
  }

  @Test
  void on_registrationClosed_stopsTheHandler() throws Exception {
    BlockingQueue<String> seen = new LinkedBlockingQueue<>();
    try (Dialogue server = TestServers.builder().build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      Registration registration =
          server.on("lobby", "wave", (data, envelope) -> seen.add(data.path("n").asText()));
      alice.join("lobby");
      alice.request(
          Wire.TRIGGER, Map.of("roomId", "lobby", "event", "wave", "data", Map.of("n", 1)));

      // Handlers run after delivery, so the ack can come first: wait for the first call.
      assertThat(seen.poll(10, TimeUnit.SECONDS)).isEqualTo("1");
      registration.close();
      BlockingQueue<String> witness = new LinkedBlockingQueue<>();
      server.on("lobby", "wave", (data, envelope) -> witness.add(data.path("n").asText()));
      alice.request(
          Wire.TRIGGER, Map.of("roomId", "lobby", "event", "wave", "data", Map.of("n", 2)));

      // A handler still registered saw the second wave, so the closed one would have by now.
      assertThat(witness.poll(10, TimeUnit.SECONDS)).isEqualTo("2");
      assertThat(seen).isEmpty();
    }
  }

  @Test
  void createRoom_fromServer_broadcastsRoomCreatedWithoutCreator() {
    try (Dialogue server = TestServers.builder().build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      Room room =
          server.createRoom(
              RoomConfig.builder("ops", "Ops").description("internal").maxSize(5).build());

      JsonNode created = alice.take(Wire.ROOM_CREATED).data();
      assertThat(created.path("id").asText()).isEqualTo("ops");
      assertThat(created.path("name").asText()).isEqualTo("Ops");
      assertThat(created.path("description").asText()).isEqualTo("internal");
      assertThat(created.path("maxSize").asInt()).isEqualTo(5);
      assertThat(created.has("createdById")).isFalse();
      assertThat(server.rooms())
          .extracting(Room::id)
          .containsExactly("chat", "tiny", "lobby", "ops");
      assertThat(room.createdById()).isNull();
    }
  }

  @Test
  void createRoom_fromServer_whenIdTaken_throwsRoomExists() {
    try (Dialogue server = TestServers.builder().build().start()) {
      DialogueException e =
          assertThrows(
              DialogueException.class,
              () -> server.createRoom(RoomConfig.builder("chat", "Again").build()));

      assertThat(e.code()).isEqualTo(ErrorCode.ROOM_EXISTS);
    }
  }

  @Test
  void deleteRoom_fromServer_broadcastsRoomDeletedAndRemovesParticipants() {
    try (Dialogue server = TestServers.builder().build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice");
        RawClient bob = RawClient.connectAs(server.port(), "bob")) {
      alice.join("lobby");

      assertThat(server.deleteRoom("lobby")).isTrue();

      assertThat(alice.take(Wire.ROOM_DELETED).data().path("roomId").asText()).isEqualTo("lobby");
      assertThat(bob.take(Wire.ROOM_DELETED).data().path("roomId").asText()).isEqualTo("lobby");
      assertThat(server.isInRoom("alice", "lobby")).isFalse();
      assertThat(server.deleteRoom("lobby")).isFalse();
    }
  }

  @Test
  void clients_listsEveryConnectionOfAUser() {
    try (Dialogue server = TestServers.builder().build().start();
        RawClient phone = RawClient.connectAs(server.port(), "alice");
        RawClient laptop = RawClient.connectAs(server.port(), "alice");
        RawClient bob = RawClient.connectAs(server.port(), "bob")) {
      List<ClientConnection> alices = server.clients("alice");

      assertThat(alices).hasSize(2).extracting(ClientConnection::userId).containsOnly("alice");
      assertThat(alices).extracting(ClientConnection::id).doesNotHaveDuplicates();
      assertThat(server.clients("nobody")).isEmpty();
      assertThat(server.allClients()).hasSize(3);
    }
  }

  @Test
  void clientRoomsAndIsInRoom_coverEveryConnectionOfTheUser() {
    try (Dialogue server = TestServers.builder().build().start();
        RawClient phone = RawClient.connectAs(server.port(), "alice");
        RawClient laptop = RawClient.connectAs(server.port(), "alice")) {
      phone.join("chat");
      laptop.join("lobby");

      assertThat(server.clientRooms("alice")).containsExactlyInAnyOrder("chat", "lobby");
      assertThat(server.isInRoom("alice", "chat")).isTrue();
      assertThat(server.isInRoom("alice", "tiny")).isFalse();

      laptop.request(Wire.LEAVE, Map.of("roomId", "lobby"));
      assertThat(server.clientRooms("alice")).containsExactly("chat");
      assertThat(server.isInRoom("alice", "lobby")).isFalse();
    }
  }

  @Test
  void connectionJoin_skipsTheJoinPolicyAndSendsJoinedAndHistory() throws Exception {
    CountDownLatch joinedHook = new CountDownLatch(1);
    DialogueListener listener =
        new DialogueListener() {
          @Override
          public void onJoined(ClientConnection client, Room room) {
            joinedHook.countDown();
          }
        };
    try (Dialogue server =
            TestServers.builder()
                .joinPolicy((client, room) -> Decision.deny("clients may not join"))
                .listener(listener)
                .build()
                .start();
        RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      server.trigger("chat", "message", Map.of("text", "earlier"));
      alice.emit(Wire.JOIN, Map.of("roomId", "chat"));
      assertThat(alice.takeError().path("code").asText()).isEqualTo("JOIN_DENIED");

      server.clients("alice").get(0).join("chat");

      assertThat(alice.take(Wire.JOINED).data().path("roomId").asText()).isEqualTo("chat");
      assertThat(ProtocolEventsTest.texts(alice.take(Wire.HISTORY).data().path("events")))
          .containsExactly("earlier");
      assertThat(joinedHook.await(10, TimeUnit.SECONDS)).isTrue();
      assertThat(server.isInRoom("alice", "chat")).isTrue();
    }
  }

  @Test
  void connectionJoin_whenAlreadyInTheRoom_isANoOp() {
    List<String> joins = new java.util.concurrent.CopyOnWriteArrayList<>();
    DialogueListener listener =
        new DialogueListener() {
          @Override
          public void onJoined(ClientConnection client, Room room) {
            joins.add(room.id());
          }
        };
    try (Dialogue server = TestServers.builder().listener(listener).build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      alice.join("lobby");
      alice.barrier();

      server.clients("alice").get(0).join("lobby");
      alice.barrier();

      assertThat(alice.received(Wire.JOINED)).isEmpty();
      assertThat(joins).containsExactly("lobby");
    }
  }

  @Test
  void connectionJoin_ofUnknownRoom_throwsRoomNotFound() {
    try (Dialogue server = TestServers.builder().build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      DialogueException e =
          assertThrows(
              DialogueException.class, () -> server.clients("alice").get(0).join("nowhere"));

      assertThat(e.code()).isEqualTo(ErrorCode.ROOM_NOT_FOUND);
    }
  }

  @Test
  void connectionJoin_ofFullRoom_throwsRoomFull() {
    try (Dialogue server = TestServers.builder().build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice");
        RawClient bob = RawClient.connectAs(server.port(), "bob")) {
      alice.join("tiny");

      DialogueException e =
          assertThrows(DialogueException.class, () -> server.clients("bob").get(0).join("tiny"));

      assertThat(e.code()).isEqualTo(ErrorCode.ROOM_FULL);
      assertThat(e.getMessage()).isEqualTo("Room 'tiny' is at capacity");
    }
  }

  @Test
  void connectionLeave_sendsLeftAndReportsWhetherItWasIn() {
    try (Dialogue server = TestServers.builder().build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      alice.join("lobby");
      ClientConnection connection = server.clients("alice").get(0);

      assertThat(connection.leave("lobby")).isTrue();
      assertThat(alice.take(Wire.LEFT).data().path("roomId").asText()).isEqualTo("lobby");
      assertThat(connection.leave("lobby")).isFalse();
      assertThat(connection.rooms()).isEmpty();
    }
  }

  @Test
  void connectionSubscriptions_changeWhatTheClientReceives() {
    try (Dialogue server = TestServers.builder().build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      alice.join("chat");
      ClientConnection connection = server.clients("alice").get(0);

      connection.unsubscribe("chat", "message");
      connection.subscribe("chat", "typing");
      server.trigger("chat", "message", Map.of("text", "missed"));
      server.trigger("chat", "typing", Map.of("isTyping", true));

      assertThat(alice.take(Wire.EVENT).data().path("event").asText()).isEqualTo("typing");
      alice.barrier();
      assertThat(alice.received(Wire.EVENT)).isEmpty();
      assertThat(connection.subscriptions("chat")).containsExactly("typing");
    }
  }

  @Test
  void connectionDisconnect_closesTheClientAndForgetsTheConnection() throws Exception {
    CountDownLatch gone = new CountDownLatch(1);
    DialogueListener listener =
        new DialogueListener() {
          @Override
          public void onDisconnected(ClientConnection client, String reason) {
            gone.countDown();
          }
        };
    try (Dialogue server = TestServers.builder().listener(listener).build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      alice.join("lobby");
      ClientConnection connection = server.clients("alice").get(0);

      connection.disconnect();

      alice.take("disconnect");
      assertThat(gone.await(10, TimeUnit.SECONDS)).isTrue();
      assertThat(alice.isConnected()).isFalse();
      assertThat(connection.connected()).isFalse();
      TestServers.awaitState("alice forgotten", () -> server.clients("alice").isEmpty());
      assertThat(server.room("lobby").orElseThrow().size()).isZero();
    }
  }
}
