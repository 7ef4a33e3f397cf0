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

/** One or more tests per row of the event table in PROTOCOL.md section 3. */
@Timeout(60)
class ProtocolEventsTest {
  private static final EventDefinition<TestServers.Message> NOTE =
      EventDefinition.builder("note", TestServers.Message.class).history(10).build();

  @Test
  void connect_sendsConnectedWithClientIdAndUserId() {
    try (Dialogue server = TestServers.builder().build().start();
        RawClient alice = RawClient.open(server.port(), Map.of("userId", "alice"), true)) {
      JsonNode connected = alice.awaitConnected();

      assertThat(connected.path("userId").asText()).isEqualTo("alice");
      assertThat(connected.path("clientId").asText()).isNotBlank();
      assertThat(server.clients("alice"))
          .extracting(ClientConnection::id)
          .containsExactly(connected.path("clientId").asText());
      assertThat(alice.arrivalNames()).containsOnlyOnce(Wire.CONNECTED);
    }
  }

  @Test
  void connect_givesEachConnectionItsOwnClientId() {
    try (Dialogue server = TestServers.builder().build().start();
        RawClient first = RawClient.open(server.port(), Map.of("userId", "alice"), true);
        RawClient second = RawClient.open(server.port(), Map.of("userId", "alice"), true)) {
      String a = first.awaitConnected().path("clientId").asText();
      String b = second.awaitConnected().path("clientId").asText();

      assertThat(a).isNotEqualTo(b);
    }
  }

  @Test
  void join_sendsJoinedWithRoomIdAndRoomName() {
    try (Dialogue server = TestServers.builder().build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      alice.emit(Wire.JOIN, Map.of("roomId", "lobby"));

      JsonNode joined = alice.take(Wire.JOINED).data();
      assertThat(joined.path("roomId").asText()).isEqualTo("lobby");
      assertThat(joined.path("roomName").asText()).isEqualTo("Lobby");
      assertThat(server.isInRoom("alice", "lobby")).isTrue();
    }
  }

  @Test
  void join_whenSyncHistoryOnJoinIsTrue_sendsAllHistoryNewestFirstAfterJoined() {
    MutableClock clock = MutableClock.atFixedStart();
    RoomConfig board =
        RoomConfig.builder("board", "Board").events(NOTE).syncHistoryOnJoin(true).build();
    try (Dialogue server = TestServers.builder().clock(clock).room(board).build().start();
        RawClient writer = RawClient.connectAs(server.port(), "writer");
        RawClient reader = RawClient.connectAs(server.port(), "reader")) {
      writer.join("board");
      for (int i = 1; i <= 12; i++) {
        server.trigger("board", "note", Map.of("text", "n" + i));
        clock.advance(Duration.ofMillis(1));
      }

      reader.join("board");

      JsonNode history = reader.take(Wire.HISTORY).data();
      assertThat(history.path("roomId").asText()).isEqualTo("board");
      // history(10) keeps the newest 10 of 12; "true" sends them all.
      assertThat(texts(history.path("events")))
          .containsExactly("n12", "n11", "n10", "n9", "n8", "n7", "n6", "n5", "n4", "n3");
      assertThat(reader.arrivalNames()).containsSubsequence(Wire.JOINED, Wire.HISTORY);
    }
  }

  @Test
  void join_whenSyncHistoryOnJoinIsN_sendsNewestNAcrossEventNames() {
    MutableClock clock = MutableClock.atFixedStart();
    EventDefinition<TestServers.Message> other =
        EventDefinition.builder("other", TestServers.Message.class).history(10).build();
    RoomConfig board =
        RoomConfig.builder("board", "Board").events(NOTE, other).syncHistoryOnJoin(3).build();
    try (Dialogue server = TestServers.builder().clock(clock).room(board).build().start();
        RawClient reader = RawClient.connectAs(server.port(), "reader")) {
      server.trigger("board", "note", Map.of("text", "a"));
      clock.advance(Duration.ofMillis(1));
      server.trigger("board", "other", Map.of("text", "b"));
      clock.advance(Duration.ofMillis(1));
      server.trigger("board", "note", Map.of("text", "c"));
      clock.advance(Duration.ofMillis(1));
      server.trigger("board", "other", Map.of("text", "d"));

      reader.join("board");

      JsonNode events = reader.take(Wire.HISTORY).data().path("events");
      assertThat(texts(events)).containsExactly("d", "c", "b");
      assertThat(events.get(0).path("event").asText()).isEqualTo("other");
      assertThat(events.get(1).path("event").asText()).isEqualTo("note");
    }
  }

  @Test
  void join_whenHistoryIsEmpty_sendsNoHistory() {
    try (Dialogue server = TestServers.builder().build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      alice.join("chat");
      alice.barrier();

      assertThat(alice.received(Wire.HISTORY)).isEmpty();
    }
  }

  @Test
  void join_whenSyncHistoryOnJoinIsOff_sendsNoHistory() {
    RoomConfig board = RoomConfig.builder("board", "Board").events(NOTE).build();
    try (Dialogue server = TestServers.builder().room(board).build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      server.trigger("board", "note", Map.of("text", "kept"));

      alice.join("board");
      alice.barrier();

      assertThat(alice.received(Wire.HISTORY)).isEmpty();
      assertThat(server.room("board").orElseThrow().history("note", 0, 10)).hasSize(1);
    }
  }

  @Test
  void join_whenAlreadyJoined_sendsJoinedAgainWithoutHistory() {
    try (Dialogue server = TestServers.builder().build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      alice.join("chat");
      alice.trigger("chat", "message", Map.of("text", "hello"));
      alice.take(Wire.EVENT);

      alice.join("chat");
      alice.barrier();

      assertThat(alice.received(Wire.HISTORY)).isEmpty();
      assertThat(server.room("chat").orElseThrow().size()).isEqualTo(1);
    }
  }

  @Test
  void leave_whenInRoom_sendsLeft() {
    try (Dialogue server = TestServers.builder().build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      alice.join("lobby");

      alice.emit(Wire.LEAVE, Map.of("roomId", "lobby"));

      assertThat(alice.take(Wire.LEFT).data().path("roomId").asText()).isEqualTo("lobby");
      assertThat(server.isInRoom("alice", "lobby")).isFalse();
    }
  }

  @Test
  void leave_whenNotInRoom_sendsNothing() {
    try (Dialogue server = TestServers.builder().build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      alice.emit(Wire.LEAVE, Map.of("roomId", "lobby"));
      alice.barrier();

      assertThat(alice.received(Wire.LEFT)).isEmpty();
      assertThat(alice.received(Wire.ERROR)).isEmpty();
    }
  }

  @Test
  void subscribe_addsAnEventToWhatTheConnectionReceives() {
    try (Dialogue server = TestServers.builder().build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      alice.join("chat");
      alice.emit(Wire.SUBSCRIBE, Map.of("roomId", "chat", "eventName", "typing"));

      alice.trigger("chat", "typing", Map.of("isTyping", true));

      JsonNode event = alice.take(Wire.EVENT).data();
      assertThat(event.path("event").asText()).isEqualTo("typing");
      assertThat(event.path("data").path("isTyping").asBoolean()).isTrue();
    }
  }

  @Test
  void subscribe_sendsNoReply() {
    try (Dialogue server = TestServers.builder().build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      alice.join("chat");
      alice.barrier();
      int before = alice.arrivals().size();

      alice.emit(Wire.SUBSCRIBE, Map.of("roomId", "chat", "eventName", "typing"));
      alice.emit(Wire.SUBSCRIBE_ALL, Map.of("roomId", "chat"));
      alice.emit(Wire.UNSUBSCRIBE, Map.of("roomId", "chat", "eventName", "typing"));
      alice.barrier();

      assertThat(alice.arrivals()).hasSize(before);
    }
  }

  @Test
  void subscribeAll_deliversEveryEventOfTheRoom() {
    try (Dialogue server = TestServers.builder().build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      alice.join("chat");
      alice.emit(Wire.SUBSCRIBE_ALL, Map.of("roomId", "chat"));

      alice.trigger("chat", "typing", Map.of("isTyping", false));
      alice.trigger("chat", "ping", Map.of("n", 1));

      assertThat(alice.take(Wire.EVENT).data().path("event").asText()).isEqualTo("typing");
      assertThat(alice.take(Wire.EVENT).data().path("event").asText()).isEqualTo("ping");
      assertThat(server.clients("alice").get(0).subscriptions("chat")).contains("*");
    }
  }

  @Test
  void unsubscribe_stopsDeliveryOfThatEvent() {
    try (Dialogue server = TestServers.builder().build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice");
        RawClient bob = RawClient.connectAs(server.port(), "bob")) {
      alice.join("chat");
      bob.join("chat");
      bob.emit(Wire.UNSUBSCRIBE, Map.of("roomId", "chat", "eventName", "message"));
      bob.barrier();

      alice.trigger("chat", "message", Map.of("text", "hi"));
      alice.take(Wire.EVENT);
      bob.barrier();

      assertThat(bob.received(Wire.EVENT)).isEmpty();
    }
  }

  @Test
  void unsubscribe_doesNotRemoveWildcardSubscription() {
    try (Dialogue server = TestServers.builder().build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      alice.join("lobby");
      alice.emit(Wire.UNSUBSCRIBE, Map.of("roomId", "lobby", "eventName", "wave"));

      alice.trigger("lobby", "wave", Map.of("hand", "left"));

      assertThat(alice.take(Wire.EVENT).data().path("event").asText()).isEqualTo("wave");
    }
  }

  @Test
  void trigger_sendsEnvelopeWithServerSetFields() {
    try (Dialogue server = TestServers.builder().build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice");
        RawClient bob = RawClient.connectAs(server.port(), "bob")) {
      alice.join("chat");
      bob.join("chat");
      long before = System.currentTimeMillis();

      alice.trigger("chat", "message", Map.of("text", "hello"));

      JsonNode envelope = bob.take(Wire.EVENT).data();
      long after = System.currentTimeMillis();
      assertThat(envelope.path("event").asText()).isEqualTo("message");
      assertThat(envelope.path("roomId").asText()).isEqualTo("chat");
      assertThat(envelope.path("data").path("text").asText()).isEqualTo("hello");
      assertThat(envelope.path("from").asText()).isEqualTo("alice");
      assertThat(envelope.path("timestamp").asLong()).isBetween(before, after);
      assertThat(envelope.path("id").asText()).isNotBlank();
      assertThat(envelope.path("offset").asLong()).isEqualTo(1);
      assertThat(envelope.has("meta")).as("meta omitted, not null").isFalse();
      assertThat(envelope.has("clientMessageId")).isFalse();
    }
  }

  @Test
  void getHistory_returnsNewestFirstWithEndExclusive() {
    try (Dialogue server = TestServers.builder().build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      alice.join("chat");
      for (int i = 1; i <= 5; i++) {
        alice.trigger("chat", "message", Map.of("text", "m" + i));
        alice.take(Wire.EVENT);
      }

      alice.emit(
          Wire.GET_HISTORY, Map.of("roomId", "chat", "eventName", "message", "start", 1, "end", 3));

      JsonNode response = alice.take(Wire.HISTORY_RESPONSE).data();
      assertThat(response.path("roomId").asText()).isEqualTo("chat");
      assertThat(response.path("eventName").asText()).isEqualTo("message");
      assertThat(response.path("start").asInt()).isEqualTo(1);
      assertThat(response.path("end").asInt()).isEqualTo(3);
      assertThat(texts(response.path("events"))).containsExactly("m4", "m3");
    }
  }

  @Test
  void getHistory_withoutStartAndEnd_usesZeroAndFifty() {
    try (Dialogue server = TestServers.builder().build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      alice.join("chat");
      for (int i = 1; i <= 55; i++) {
        server.trigger("chat", "message", Map.of("text", "m" + i));
      }

      alice.emit(Wire.GET_HISTORY, Map.of("roomId", "chat", "eventName", "message"));

      JsonNode response = alice.take(Wire.HISTORY_RESPONSE).data();
      assertThat(response.path("start").asInt()).isZero();
      assertThat(response.path("end").asInt()).isEqualTo(50);
      assertThat(response.path("events")).hasSize(50);
      assertThat(response.path("events").get(0).path("data").path("text").asText())
          .isEqualTo("m55");
    }
  }

  @Test
  void getHistory_withoutEventName_returnsEmptyPageWithNullEventName() {
    try (Dialogue server = TestServers.builder().build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      alice.join("chat");
      server.trigger("chat", "message", Map.of("text", "stored"));

      alice.emit(Wire.GET_HISTORY, Map.of("roomId", "chat"));

      JsonNode response = alice.take(Wire.HISTORY_RESPONSE).data();
      assertThat(response.has("eventName")).isTrue();
      assertThat(response.get("eventName").isNull()).isTrue();
      assertThat(response.path("events").isArray()).isTrue();
      assertThat(response.path("events")).isEmpty();
      assertThat(response.path("start").asInt()).isZero();
      assertThat(response.path("end").asInt()).isEqualTo(50);
    }
  }

  @Test
  void listRooms_sendsEveryRoomWithItsInfo() {
    try (Dialogue server = TestServers.builder().build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      alice.join("tiny");

      alice.emit(Wire.LIST_ROOMS, null);

      JsonNode rooms = alice.take(Wire.ROOMS).data();
      assertThat(rooms.isArray()).isTrue();
      List<String> ids = new ArrayList<>();
      rooms.forEach(r -> ids.add(r.path("id").asText()));
      assertThat(ids).containsExactly("chat", "tiny", "lobby");
      JsonNode tiny = rooms.get(1);
      assertThat(tiny.path("name").asText()).isEqualTo("Tiny");
      assertThat(tiny.path("size").asInt()).isEqualTo(1);
      assertThat(tiny.path("maxSize").asInt()).isEqualTo(1);
      JsonNode chat = rooms.get(0);
      assertThat(chat.path("size").asInt()).isZero();
      assertThat(chat.has("maxSize")).isFalse();
      assertThat(chat.has("description")).isFalse();
      assertThat(chat.has("createdById")).isFalse();
    }
  }

  @Test
  void listRooms_includesCreatorOfClientCreatedRooms() {
    try (Dialogue server = TestServers.builder().build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      alice.emit(
          Wire.CREATE_ROOM,
          Map.of("id", "den", "name", "Den", "description", "quiet", "maxSize", 4));
      alice.take(Wire.ROOM_CREATED);

      alice.emit(Wire.LIST_ROOMS, null);

      JsonNode den = alice.take(Wire.ROOMS).data().get(3);
      assertThat(den.path("id").asText()).isEqualTo("den");
      assertThat(den.path("description").asText()).isEqualTo("quiet");
      assertThat(den.path("maxSize").asInt()).isEqualTo(4);
      assertThat(den.path("createdById").asText()).isEqualTo("alice");
    }
  }

  @Test
  void createRoom_sendsRoomCreatedToEveryAuthenticatedConnection() {
    try (Dialogue server = TestServers.builder().build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice");
        RawClient bob = RawClient.connectAs(server.port(), "bob")) {
      alice.emit(Wire.CREATE_ROOM, Map.of("id", "den", "name", "Den", "maxSize", 3));

      for (RawClient c : List.of(alice, bob)) {
        JsonNode created = c.take(Wire.ROOM_CREATED).data();
        assertThat(created.path("id").asText()).isEqualTo("den");
        assertThat(created.path("name").asText()).isEqualTo("Den");
        assertThat(created.path("maxSize").asInt()).isEqualTo(3);
        assertThat(created.path("createdById").asText()).isEqualTo("alice");
        assertThat(created.has("description")).isFalse();
      }
      assertThat(server.room("den")).isPresent();
    }
  }

  @Test
  void deleteRoom_sendsRoomDeletedToEveryAuthenticatedConnection() {
    try (Dialogue server = TestServers.builder().build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice");
        RawClient bob = RawClient.connectAs(server.port(), "bob")) {
      alice.emit(Wire.CREATE_ROOM, Map.of("id", "den", "name", "Den"));
      alice.take(Wire.ROOM_CREATED);
      bob.take(Wire.ROOM_CREATED);

      alice.emit(Wire.DELETE_ROOM, Map.of("roomId", "den"));

      assertThat(alice.take(Wire.ROOM_DELETED).data().path("roomId").asText()).isEqualTo("den");
      assertThat(bob.take(Wire.ROOM_DELETED).data().path("roomId").asText()).isEqualTo("den");
      assertThat(server.room("den")).isEmpty();
    }
  }

  @Test
  void error_goesOnlyToTheOffendingConnection() {
    try (Dialogue server = TestServers.builder().build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice");
        RawClient bob = RawClient.connectAs(server.port(), "bob")) {
      alice.join("chat");
      bob.join("chat");

      alice.trigger("chat", "message", Map.of("text", ""));

      JsonNode error = alice.takeError();
      assertThat(error.path("code").asText()).isEqualTo("VALIDATION_FAILED");
      assertThat(error.path("message").asText()).isNotBlank();
      bob.barrier();
      assertThat(bob.received(Wire.ERROR)).isEmpty();
    }
  }

  @Test
  void serverSend_reachesTheClientAsANamedEvent() {
    try (Dialogue server = TestServers.builder().build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice");
        RawClient bob = RawClient.connectAs(server.port(), "bob")) {
      server.clients("alice").get(0).send("notice", Map.of("text", "just you", "n", 7));

      JsonNode notice = alice.take("notice").data();
      assertThat(notice.path("text").asText()).isEqualTo("just you");
      assertThat(notice.path("n").asInt()).isEqualTo(7);
      bob.barrier();
      assertThat(bob.received("notice")).isEmpty();
    }
  }

  static List<String> texts(JsonNode events) {
    List<String> texts = new ArrayList<>();
    events.forEach(e -> texts.add(e.path("data").path("text").asText()));
    return texts;
  }
}
