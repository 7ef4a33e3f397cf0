package dev.dialogue.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dialogue.CommandException;
import dev.dialogue.Dialogue;
import dev.dialogue.EventDefinition;
import dev.dialogue.RoomConfig;
import dev.dialogue.client.DialogueClientException.Fate;
import jakarta.validation.constraints.NotNull;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The Java client against the application API of issue 14: a room's typed interceptor refuses a
 * trigger with the application's code and data, and the room's metadata comes with it.
 */
@Timeout(60)
class ClientAppApiTest {
  public record Move(@NotNull Integer cell) {}

  static final EventDefinition<Move> MOVE = EventDefinition.of("move", Move.class);

  private static <T> T await(CompletableFuture<T> future) throws Exception {
    return future.get(15, TimeUnit.SECONDS);
  }

  @Test
  void aRefusalOfTheRoomsInterceptor_reachesTheTrigger_withCodeAndData_andMetadataTheList()
      throws Exception {
    try (Dialogue server =
            Dialogue.builder()
                .host("127.0.0.1")
                .port(0)
                .room(
                    RoomConfig.builder("board", "Board")
                        .events(MOVE)
                        .metadata(Map.of("cells", 9))
                        .intercept(
                            MOVE,
                            (context, move) -> {
                              if (move.cell() >= 9) {
                                throw new CommandException(
                                    "OFF_BOARD", "Cells are 0 to 8", Map.of("max", 8));
                              }
                              return move;
                            })
                        .build())
                .build()
                .start();
        DialogueClient client =
            DialogueClient.builder("http://127.0.0.1:" + server.port())
                .auth(Map.of("userId", "alice"))
                .build()) {
      await(client.connect());
      ClientRoom board = await(client.join("board"));

      ExecutionException refused =
          org.assertj.core.api.Assertions.catchThrowableOfType(
              () -> await(board.trigger("move", new Move(12)).result()), ExecutionException.class);
      DialogueClientException e = (DialogueClientException) refused.getCause();
      assertThat(e.code()).isEqualTo("OFF_BOARD");
      assertThat(e.getMessage()).isEqualTo("Cells are 0 to 8");
      assertThat(e.fate()).isEqualTo(Fate.REFUSED);
      assertThat(e.data().path("max").asInt()).isEqualTo(8);

      assertThat(await(board.trigger("move", new Move(4)).result()).offset()).isNull();
      List<RoomInfo> rooms = await(client.listRooms());
      assertThat(rooms)
          .singleElement()
          .satisfies(r -> assertThat(r.metadata().path("cells").asInt()).isEqualTo(9));
    }
  }

  @Test
  void aTriggerUnderTheCallersId_isPublishedOnce_andItsRepeatIsADuplicate() throws Exception {
    EventDefinition<Move> stored = EventDefinition.builder("move", Move.class).history(10).build();
    try (Dialogue server =
            Dialogue.builder()
                .host("127.0.0.1")
                .port(0)
                .room(RoomConfig.builder("board", "Board").events(stored).build())
                .build()
                .start();
        DialogueClient client =
            DialogueClient.builder("http://127.0.0.1:" + server.port())
                .auth(Map.of("userId", "alice"))
                .build()) {
      await(client.connect());
      ClientRoom board = await(client.join("board"));
      PendingTrigger first = board.trigger("move", new Move(1), null, "move-1");
      assertThat(first.clientMessageId()).isEqualTo("move-1");
      Published published = await(first.result());
      Published again = await(board.trigger("move", new Move(1), null, "move-1").result());
      assertThat(again.duplicate()).isTrue();
      assertThat(again.id()).isEqualTo(published.id());
      assertThat(again.offset()).isEqualTo(published.offset());
      assertThat(server.room("board").orElseThrow().offset()).isEqualTo(1);
      org.assertj.core.api.Assertions.assertThatThrownBy(
              () -> board.trigger("move", new Move(2), null, ""))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("1 to 256");
    }
  }

  @Test
  void presence_listsTheUsersPresent_eachOnce_withItsConnections() throws Exception {
    try (Dialogue server =
            Dialogue.builder()
                .host("127.0.0.1")
                .port(0)
                .room(RoomConfig.builder("team", "Team").anyEvent().presence(true).build())
                .build()
                .start();
        DialogueClient alice = client(server, "alice");
        DialogueClient aliceTab = client(server, "alice");
        DialogueClient bob = client(server, "bob")) {
      for (DialogueClient c : List.of(alice, aliceTab, bob)) {
        await(c.connect());
        await(c.join("team"));
      }
      Map<String, Integer> present = await(await(bob.join("team")).presence());
      assertThat(present).containsOnly(Map.entry("alice", 2), Map.entry("bob", 1));
    }
  }

  private static DialogueClient client(Dialogue server, String userId) {
    return DialogueClient.builder("http://127.0.0.1:" + server.port())
        .auth(Map.of("userId", userId))
        .build();
  }
}
