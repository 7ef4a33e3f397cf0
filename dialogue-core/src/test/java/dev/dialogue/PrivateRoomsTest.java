package dev.dialogue;

import static dev.dialogue.ErrorCodesTest.assertError;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dialogue.internal.Wire;
import dev.dialogue.testing.NodeClients;
import dev.dialogue.testing.RawClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Private rooms: a connection the room's policy does not admit (and that is not a member) finds it
 * in no listing, gets none of its announcements, and every request naming it is answered exactly as
 * for a room that does not exist. Raw Socket.IO clients (the Java socket.io-client) and the Node
 * socket.io-client.
 */
@Timeout(120)
class PrivateRoomsTest {
  static final RoomVisibilityPolicy ADMINS =
      (client, room) -> "admin".equals(client.meta().get("role"));

  private final AtomicInteger creationPolicyCalls = new AtomicInteger();
  private Dialogue server;
  private final List<AutoCloseable> open = new ArrayList<>();

  @BeforeEach
  void start() {
    server =
        TestServers.builder()
            .room(
                RoomConfig.builder("vault", "Vault")
                    .anyEvent()
                    .defaultSubscriptions("*")
                    .presence(true)
                    .visibleTo(ADMINS)
                    .build(),
                RoomConfig.builder("hideout", "Hideout")
                    .anyEvent()
                    .visibility(RoomVisibility.PRIVATE)
                    .build())
            .roomCreationPolicy(
                (client, requested) -> {
                  creationPolicyCalls.incrementAndGet();
                  return requested.id().startsWith("v")
                      ? Decision.deny("ids starting with v are reserved")
                      : Decision.allow();
                })
            .build()
            .start();
  }

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable c : open) {
      c.close();
    }
    server.stop();
  }

  private RawClient connect(String userId, String role) {
    RawClient client = RawClient.connect(server.port(), Map.of("userId", userId, "role", role));
    open.add(client);
    // dialogue:connected can arrive before the server counts the connection in for announcements
    // (Hub#connected); a request on its serial executor runs after that.
    client.barrier();
    return client;
  }

  private static List<String> roomIds(JsonNode rooms) {
    List<String> ids = new ArrayList<>();
    rooms.forEach(r -> ids.add(r.path("id").asText()));
    return ids;
  }

  /** The answer to {@code payload}, asked with an ack, for {@code roomId} and a missing room. */
  private static void assertAnsweredAsMissing(
      RawClient client, String request, Map<String, Object> payload, String roomId) {
    JsonNode hidden = client.request(request, payload);
    Map<String, Object> missingPayload = new java.util.HashMap<>(payload);
    missingPayload.replaceAll((k, v) -> roomId.equals(v) ? "no-such-room" : v);
    JsonNode missing = client.request(request, missingPayload);

    assertError(hidden.path("error"), "ROOM_NOT_FOUND", "Room '" + roomId + "' does not exist");
    assertThat(hidden.toString().replace(roomId, "no-such-room"))
        .as(request + " for a hidden room answers as for a missing one")
        .isEqualTo(missing.toString());
  }

  @Test
  void listRooms_showsAPrivateRoomOnlyToWhomItIsVisible() {
    RawClient admin = connect("ann", "admin");
    RawClient user = connect("bob", "user");

    assertThat(roomIds(admin.request(Wire.LIST_ROOMS, null).path("rooms")))
        .containsExactly("chat", "tiny", "lobby", "vault");
    assertThat(roomIds(user.request(Wire.LIST_ROOMS, null).path("rooms")))
        .containsExactly("chat", "tiny", "lobby");

    user.emit(Wire.LIST_ROOMS, null);
    assertThat(roomIds(user.take(Wire.ROOMS).data())).containsExactly("chat", "tiny", "lobby");
    // Server code sees every room.
    assertThat(server.rooms()).extracting(Room::id).contains("vault", "hideout");
  }

  @Test
  void everyRequestNamingAHiddenRoom_isAnsweredAsForAMissingRoom() {
    RawClient user = connect("bob", "user");

    assertAnsweredAsMissing(user, Wire.JOIN, Map.of("roomId", "vault"), "vault");
    assertAnsweredAsMissing(
        user,
        Wire.JOIN,
        Map.of("roomId", "vault", "since", Map.of("offset", 0, "epoch", "e")),
        "vault");
    assertAnsweredAsMissing(
        user,
        Wire.TRIGGER,
        Map.of("roomId", "vault", "event", "note", "data", Map.of("x", 1)),
        "vault");
    assertAnsweredAsMissing(
        user,
        Wire.TRIGGER,
        Map.of("roomId", "vault", "event", "note", "data", Map.of(), "clientMessageId", "m1"),
        "vault");
    assertAnsweredAsMissing(
        user, Wire.GET_HISTORY, Map.of("roomId", "vault", "eventName", "note"), "vault");
    assertAnsweredAsMissing(
        user, Wire.SUBSCRIBE, Map.of("roomId", "vault", "eventName", "note"), "vault");
    assertAnsweredAsMissing(user, Wire.SUBSCRIBE_ALL, Map.of("roomId", "vault"), "vault");
    assertAnsweredAsMissing(
        user, Wire.UNSUBSCRIBE, Map.of("roomId", "vault", "eventName", "note"), "vault");
    assertAnsweredAsMissing(user, Wire.GET_PRESENCE, Map.of("roomId", "vault"), "vault");
    assertAnsweredAsMissing(user, Wire.DELETE_ROOM, Map.of("roomId", "vault"), "vault");
    assertAnsweredAsMissing(user, Wire.JOIN, Map.of("roomId", "hideout"), "hideout");

    // Without an ack: the same dialogue:error a missing room gets.
    user.emit(Wire.JOIN, Map.of("roomId", "vault"));
    assertError(user.takeError(), "ROOM_NOT_FOUND", "Room 'vault' does not exist");
    user.trigger("vault", "note", Map.of("x", 1));
    assertError(user.takeError(), "ROOM_NOT_FOUND", "Room 'vault' does not exist");
    assertThat(server.isInRoom("bob", "vault")).isFalse();

    // Leaving a room one is not in is NOT_IN_ROOM, hidden or missing alike.
    JsonNode leave = user.request(Wire.LEAVE, Map.of("roomId", "vault"));
    JsonNode leaveMissing = user.request(Wire.LEAVE, Map.of("roomId", "no-such-room"));
    assertThat(leave.toString().replace("vault", "no-such-room"))
        .isEqualTo(leaveMissing.toString());
  }

  @Test
  void whomThePolicyAdmits_usesThePrivateRoomLikeAPublicOne() {
    RawClient admin = connect("ann", "admin");

    JsonNode notYet =
        admin.request(
            Wire.TRIGGER, Map.of("roomId", "vault", "event", "note", "data", Map.of("x", 1)));
    assertError(notYet.path("error"), "NOT_IN_ROOM", "Join room 'vault' first");

    assertThat(admin.request(Wire.JOIN, Map.of("roomId", "vault")).path("ok").asBoolean()).isTrue();
    admin.trigger("vault", "note", Map.of("x", 1));
    assertThat(admin.take(Wire.EVENT).data().path("data").path("x").asInt()).isEqualTo(1);
    assertThat(admin.request(Wire.GET_PRESENCE, Map.of("roomId", "vault")).path("ok").asBoolean())
        .isTrue();
  }

  @Test
  void aMemberSeatedByServerCode_seesTheRoomUntilItLeaves() {
    RawClient user = connect("bob", "user");
    ClientConnection bob = server.clients("bob").get(0);

    bob.join("hideout");
    user.take(Wire.JOINED);
    assertThat(roomIds(user.request(Wire.LIST_ROOMS, null).path("rooms"))).contains("hideout");
    JsonNode sent =
        user.request(
            Wire.TRIGGER, Map.of("roomId", "hideout", "event", "note", "data", Map.of("x", 2)));
    assertThat(sent.path("ok").asBoolean()).as("ack %s", sent).isTrue();

    assertThat(user.request(Wire.LEAVE, Map.of("roomId", "hideout")).path("ok").asBoolean())
        .isTrue();
    assertThat(roomIds(user.request(Wire.LIST_ROOMS, null).path("rooms")))
        .doesNotContain("hideout");
    assertAnsweredAsMissing(user, Wire.JOIN, Map.of("roomId", "hideout"), "hideout");
  }

  @Test
  void roomCreatedAndRoomDeleted_ofAPrivateRoom_reachOnlyWhoMaySeeIt() {
    RawClient admin = connect("ann", "admin");
    RawClient user = connect("bob", "user");
    RawClient seated = connect("cid", "user");

    server.createRoom(RoomConfig.builder("match-1", "Match").anyEvent().visibleTo(ADMINS).build());
    server.createRoom(RoomConfig.builder("open-1", "Open").anyEvent().build());

    assertThat(admin.take(Wire.ROOM_CREATED).data().path("id").asText()).isEqualTo("match-1");
    assertThat(admin.take(Wire.ROOM_CREATED).data().path("id").asText()).isEqualTo("open-1");
    // Announcements reach a connection in order, so the private one would have come first.
    assertThat(user.take(Wire.ROOM_CREATED).data().path("id").asText()).isEqualTo("open-1");
    assertThat(seated.take(Wire.ROOM_CREATED).data().path("id").asText()).isEqualTo("open-1");

    server.clients("cid").get(0).join("match-1");
    seated.take(Wire.JOINED);
    server.deleteRoom("match-1");
    server.deleteRoom("open-1");

    // Each deletion is announced from its own room's serial executor: two rooms' announcements
    // may arrive in either order.
    assertThat(deletedRooms(admin, 2)).containsExactlyInAnyOrder("match-1", "open-1");
    assertThat(deletedRooms(seated, 2))
        .as("a member is told, although the policy does not admit it")
        .containsExactlyInAnyOrder("match-1", "open-1");
    assertThat(user.take(Wire.ROOM_DELETED).data().path("roomId").asText()).isEqualTo("open-1");
    user.barrier();
    assertThat(user.arrivals())
        .as("bob heard nothing of match-1")
        .noneMatch(r -> r.data().toString().contains("match-1"));
  }

  @Test
  void createRoom_withAHiddenRoomsId_asksTheCreationPolicyAsForAFreeId() {
    RawClient user = connect("bob", "user");

    JsonNode hidden = user.request(Wire.CREATE_ROOM, Map.of("id", "vault", "name", "Mine"));
    JsonNode free = user.request(Wire.CREATE_ROOM, Map.of("id", "vfree", "name", "Mine"));

    assertError(hidden.path("error"), "PERMISSION_DENIED", "ids starting with v are reserved");
    assertThat(hidden).isEqualTo(free);
    assertThat(creationPolicyCalls.get()).isEqualTo(2);
    // A visible room's id is refused before the policy, as always.
    assertError(
        user.request(Wire.CREATE_ROOM, Map.of("id", "chat", "name", "Mine")).path("error"),
        "ROOM_EXISTS",
        "Room 'chat' already exists");
    assertThat(creationPolicyCalls.get()).isEqualTo(2);
  }

  @Test
  void aPolicyThatThrows_hidesTheRoom_andTheConnectionKeepsWorking() {
    server.createRoom(
        RoomConfig.builder("broken", "Broken")
            .anyEvent()
            .visibleTo(
                (client, room) -> {
                  throw new IllegalStateException("directory down");
                })
            .build());
    RawClient user = connect("bob", "user");

    assertAnsweredAsMissing(user, Wire.JOIN, Map.of("roomId", "broken"), "broken");
    assertThat(roomIds(user.request(Wire.LIST_ROOMS, null).path("rooms"))).doesNotContain("broken");
    assertThat(user.request(Wire.JOIN, Map.of("roomId", "chat")).path("ok").asBoolean()).isTrue();
  }

  @Test
  void builder_refusesAPolicyOnAPublicRoom() {
    assertThatThrownBy(
            () ->
                RoomConfig.builder("x", "X")
                    .visibleTo(ADMINS)
                    .visibility(RoomVisibility.PUBLIC)
                    .build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("room 'x' is public");
    RoomConfig config = RoomConfig.builder("x", "X").visibleTo(ADMINS).build();
    assertThat(config.visibility()).isEqualTo(RoomVisibility.PRIVATE);
    assertThat(config.toBuilder().build().visibleTo()).isSameAs(ADMINS);
    assertThat(RoomConfig.builder("y", "Y").build().visibility()).isEqualTo(RoomVisibility.PUBLIC);
  }

  @Test
  void nodeSocketIoClient_seesNothingOfAHiddenRoom_andAnAdminSeesIt() {
    try (NodeClients node = NodeClients.start()) {
      node.connect(
          "bob", server.port(), Map.of("userId", "bob", "role", "user"), List.of("websocket"));
      node.connect(
          "ann", server.port(), Map.of("userId", "ann", "role", "admin"), List.of("websocket"));
      node.takeEvent("bob", "dialogue:connected");
      node.takeEvent("ann", "dialogue:connected");

      assertThat(roomIds(node.request("bob", Wire.LIST_ROOMS, Map.of()).path("rooms")))
          .containsExactly("chat", "tiny", "lobby");
      assertThat(roomIds(node.request("ann", Wire.LIST_ROOMS, Map.of()).path("rooms")))
          .containsExactly("chat", "tiny", "lobby", "vault");

      node.emit("bob", Wire.JOIN, Map.of("roomId", "vault"));
      JsonNode error = node.takeEvent("bob", "dialogue:error");
      assertThat(error.path("code").asText()).isEqualTo("ROOM_NOT_FOUND");
      assertThat(error.path("message").asText()).isEqualTo("Room 'vault' does not exist");
      for (String request : List.of(Wire.JOIN, Wire.GET_HISTORY, Wire.SUBSCRIBE_ALL)) {
        JsonNode ack = node.request("bob", request, Map.of("roomId", "vault", "eventName", "note"));
        assertThat(ack.path("error").path("code").asText()).as(request).isEqualTo("ROOM_NOT_FOUND");
        assertThat(ack.path("error").path("message").asText())
            .as(request)
            .isEqualTo("Room 'vault' does not exist");
      }
      JsonNode trigger =
          node.request(
              "bob",
              Wire.TRIGGER,
              Map.of("roomId", "vault", "event", "note", "data", Map.of("x", 1)));
      assertThat(trigger.path("error").path("message").asText())
          .isEqualTo("Room 'vault' does not exist");

      server.createRoom(
          RoomConfig.builder("match-2", "Match").anyEvent().visibleTo(ADMINS).build());
      server.createRoom(RoomConfig.builder("open-2", "Open").anyEvent().build());
      assertThat(node.takeEvent("ann", Wire.ROOM_CREATED).path("id").asText()).isEqualTo("match-2");
      assertThat(node.takeEvent("bob", Wire.ROOM_CREATED).path("id").asText()).isEqualTo("open-2");
      server.deleteRoom("match-2");
      server.deleteRoom("open-2");
      // Each announced from its own room's serial executor: in either order.
      assertThat(
              List.of(
                  node.takeEvent("ann", Wire.ROOM_DELETED).path("roomId").asText(),
                  node.takeEvent("ann", Wire.ROOM_DELETED).path("roomId").asText()))
          .containsExactlyInAnyOrder("match-2", "open-2");
      assertThat(node.takeEvent("bob", Wire.ROOM_DELETED).path("roomId").asText())
          .isEqualTo("open-2");
      assertThat(node.pending("bob")).noneMatch(l -> l.toString().contains("match-2"));

      JsonNode joined = node.request("ann", Wire.JOIN, Map.of("roomId", "vault"));
      assertThat(joined.path("ok").asBoolean()).as("ack %s", joined).isTrue();
      assertThat(joined.path("roomName").asText()).isEqualTo("Vault");
    }
  }

  private static java.util.List<String> deletedRooms(RawClient client, int n) {
    java.util.List<String> ids = new java.util.ArrayList<>();
    for (int i = 0; i < n; i++) {
      ids.add(client.take(Wire.ROOM_DELETED).data().path("roomId").asText());
    }
    return ids;
  }
}
