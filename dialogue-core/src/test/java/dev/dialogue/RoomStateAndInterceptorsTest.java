package dev.dialogue;

import static dev.dialogue.TestServers.MESSAGE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dialogue.TestServers.Message;
import dev.dialogue.testing.RawClient;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Typed per-event interceptors with the sender's connection, typed attributes on rooms and
 * connections, and room metadata that clients see (docs/rooms-and-events.md).
 */
@Timeout(60)
class RoomStateAndInterceptorsTest {
  private static final AttributeKey<String> NICK = AttributeKey.of("nick", String.class);
  private static final AttributeKey<Integer> TURN = AttributeKey.of("turn", Integer.class);

  private static Map<String, Object> trigger(String room, String text) {
    return Map.of("roomId", room, "event", "message", "data", Map.of("text", text));
  }

  @Test
  void anInterceptorOfTheRoomsConfiguration_refusesWithTheApplicationsCode_andSeesTheSender() {
    List<String> senders = new CopyOnWriteArrayList<>();
    RoomConfig guarded =
        RoomConfig.builder("guarded", "Guarded")
            .events(MESSAGE)
            .intercept(
                MESSAGE,
                (context, message) -> {
                  senders.add(
                      (context.sender() == null
                              ? "server"
                              : context.sender().attributes().get(NICK))
                          + "/"
                          + context.from());
                  if (message.text().startsWith("!")) {
                    throw new CommandException(
                        "NO_COMMANDS", "Messages may not start with !", Map.of("at", 0));
                  }
                  return message;
                })
            .build();
    DialogueListener nick =
        new DialogueListener() {
          @Override
          public void onConnected(ClientConnection client) {
            client.attributes().set(NICK, "nick-" + client.userId());
          }
        };
    try (Dialogue server = TestServers.builder().room(guarded).listener(nick).build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      alice.request("dialogue:join", Map.of("roomId", "guarded"));

      JsonNode refused = alice.request("dialogue:trigger", trigger("guarded", "!kick bob"));
      assertThat(refused.path("ok").asBoolean()).isFalse();
      assertThat(refused.path("error").path("code").asText()).isEqualTo("NO_COMMANDS");
      assertThat(refused.path("error").path("message").asText())
          .isEqualTo("Messages may not start with !");
      assertThat(refused.path("error").path("data").path("at").asInt()).isZero();

      JsonNode passed = alice.request("dialogue:trigger", trigger("guarded", "hello"));
      assertThat(passed.path("ok").asBoolean()).isTrue();
      assertThat(passed.path("offset").asLong()).isEqualTo(1); // nothing refused took one
      assertThat(senders).containsExactly("nick-alice/alice", "nick-alice/alice");

      // Server code meets the same interceptor, with no sender.
      assertThatThrownBy(() -> server.trigger("guarded", "message", new Message("!x"), "bot"))
          .isInstanceOf(CommandException.class)
          .hasMessage("Messages may not start with !");
      assertThat(senders).last().isEqualTo("server/bot");
    }
  }

  @Test
  void serverOnly_refusesClients_andLetsServerCodeThrough() {
    RoomConfig news =
        RoomConfig.builder("news", "News")
            .events(MESSAGE)
            .defaultSubscriptions("message")
            .intercept(MESSAGE, TriggerInterceptor.serverOnly())
            .build();
    try (Dialogue server = TestServers.builder().room(news).build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      alice.request("dialogue:join", Map.of("roomId", "news"));
      JsonNode refused = alice.request("dialogue:trigger", trigger("news", "fake"));
      assertThat(refused.path("error").path("code").asText()).isEqualTo("SERVER_ONLY");
      assertThat(refused.path("error").path("message").asText())
          .isEqualTo("'message' events are sent by the server");
      server.trigger("news", "message", new Message("real"));
      assertThat(alice.take("dialogue:event").data().path("data").path("text").asText())
          .isEqualTo("real");
    }
  }

  @Test
  void anInterceptorAddedAtRuntime_replacesThePayload_whichIsValidatedAgain_untilClosed() {
    try (Dialogue server = TestServers.builder().build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      Room chat = server.room("chat").orElseThrow();
      Registration shout =
          chat.intercept(
              MESSAGE,
              (context, message) ->
                  message.text().equals("empty")
                      ? new Message("")
                      : new Message(message.text().toUpperCase()));
      alice.request("dialogue:join", Map.of("roomId", "chat"));

      assertThat(alice.request("dialogue:trigger", trigger("chat", "hi")).path("ok").asBoolean())
          .isTrue();
      assertThat(alice.take("dialogue:event").data().path("data").path("text").asText())
          .isEqualTo("HI");
      JsonNode invalid = alice.request("dialogue:trigger", trigger("chat", "empty"));
      assertThat(invalid.path("error").path("code").asText()).isEqualTo("VALIDATION_FAILED");

      shout.close();
      alice.request("dialogue:trigger", trigger("chat", "hi"));
      assertThat(alice.take("dialogue:event").data().path("data").path("text").asText())
          .isEqualTo("hi");
    }
  }

  @Test
  void attributes_areTyped_sharedByTheRoomsCode_andClearedWithTheirOwner() {
    AtomicReference<ClientConnection> aliceConnection = new AtomicReference<>();
    try (Dialogue server = TestServers.builder().build().start()) {
      Room game = server.createRoom(RoomConfig.builder("game", "Game").anyEvent().build());
      game.attributes().set(TURN, 1);
      assertThat(game.attributes().computeIfAbsent(TURN, () -> 7)).isEqualTo(1);
      assertThat(game.attributes().get(NICK)).isNull();
      try (RawClient alice = RawClient.connectAs(server.port(), "alice")) {
        alice.request("dialogue:join", Map.of("roomId", "game"));
        ClientConnection connection = server.clients("alice").get(0);
        aliceConnection.set(connection);
        connection.attributes().set(NICK, "Al");
        assertThat(connection.attributes().get(NICK)).isEqualTo("Al");
        assertThat(game.attributes().set(TURN, 2)).isEqualTo(1);
      }
      TestServers.awaitState(
          "alice's attributes cleared once she is gone",
          () -> aliceConnection.get().attributes().get(NICK) == null);

      server.deleteRoom("game");
      TestServers.awaitState(
          "the room's attributes cleared with it", () -> game.attributes().get(TURN) == null);
    }
  }

  @Test
  void metadata_isShownWithTheRoom_inTheList_theAnnouncement_andTheJoinAnswer_andIsBounded() {
    try (Dialogue server =
            TestServers.builder()
                .room(
                    RoomConfig.builder("general", "General")
                        .anyEvent()
                        .metadata(Map.of("topic", "Anything goes"))
                        .build())
                .build()
                .start();
        RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      JsonNode rooms = alice.request("dialogue:listRooms", null).path("rooms");
      JsonNode general = null;
      for (JsonNode room : rooms) {
        if (room.path("id").asText().equals("general")) {
          general = room;
        }
      }
      assertThat(general).isNotNull();
      assertThat(general.path("metadata").path("topic").asText()).isEqualTo("Anything goes");

      JsonNode joined = alice.request("dialogue:join", Map.of("roomId", "general"));
      assertThat(joined.path("metadata").path("topic").asText()).isEqualTo("Anything goes");

      server.createRoom(
          RoomConfig.builder("match", "Match")
              .anyEvent()
              .metadata(Map.of("mode", "blitz"))
              .build());
      JsonNode created = alice.take("dialogue:roomCreated").data();
      assertThat(created.path("metadata").path("mode").asText()).isEqualTo("blitz");

      JsonNode tooBig =
          alice.request(
              "dialogue:createRoom",
              Map.of("id", "big", "name", "Big", "metadata", Map.of("x", "y".repeat(5000))));
      assertThat(tooBig.path("error").path("code").asText()).isEqualTo("INVALID_REQUEST");
      assertThat(tooBig.path("error").path("message").asText())
          .isEqualTo("metadata of room 'big' is 5008 bytes of JSON; the limit is 4096");
      assertThat(alice.request("dialogue:listRooms", null).path("ok").asBoolean()).isTrue();
    }
    assertThatThrownBy(() -> RoomConfig.builder("r", "R").metadata(List.of(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("metadata of room 'r' must be a JSON object, not ARRAY");
  }
}
