package dev.dialogue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dialogue.testing.RawClient;
import jakarta.validation.constraints.NotNull;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Commands over the wire ({@code dialogue:request}), with a raw Socket.IO client. */
@Timeout(60)
class CommandsTest {
  record Sum(@NotNull Integer a, @NotNull Integer b) {}

  record Total(int sum) {}

  record Move(@NotNull Integer cell) {}

  static final CommandDefinition<Sum, Total> SUM =
      CommandDefinition.of("sum", Sum.class, Total.class);
  static final CommandDefinition<JsonNode, JsonNode> NEVER =
      CommandDefinition.of("never", JsonNode.class, JsonNode.class);
  static final CommandDefinition<Void, String> EXPLODE =
      CommandDefinition.of("explode", Void.class, String.class);
  static final CommandDefinition<Void, Void> NOTHING =
      CommandDefinition.of("nothing", Void.class, Void.class);
  static final CommandDefinition<Sum, Total> LATER =
      CommandDefinition.of("later", Sum.class, Total.class);

  record Moved(String room, String by, String command, int cell) {}

  static final CommandDefinition<Move, Moved> MOVE =
      CommandDefinition.builder("move", Move.class, Moved.class)
          .description("a move in the game")
          .build();

  private final List<String> handlerThreads = new CopyOnWriteArrayList<>();
  private final List<CompletableFuture<JsonNode>> neverAnswered = new CopyOnWriteArrayList<>();
  private Dialogue server;

  /** Test commands: sum (refuses negatives), a stage never completed, a throwing handler, ... */
  static Dialogue.Builder builder(List<String> threads) {
    return TestServers.builder()
        .command(
            SUM,
            (context, request) -> {
              threads.add(Thread.currentThread().getName());
              if (request.a() < 0 || request.b() < 0) {
                throw new CommandException(
                    "NEGATIVE",
                    "a and b must not be negative",
                    Map.of("a", request.a(), "b", request.b()));
              }
              return new Total(request.a() + request.b());
            })
        .commandAsync(NEVER, (context, request) -> new CompletableFuture<>())
        .command(
            EXPLODE,
            (context, request) -> {
              throw new IllegalStateException("the secret detail");
            })
        .command(NOTHING, (context, request) -> null)
        .commandAsync(
            LATER,
            (context, request) ->
                CompletableFuture.supplyAsync(
                    () -> {
                      if (request.a() < 0) {
                        throw new CommandException("NEGATIVE", "a is negative");
                      }
                      return new Total(request.a() + request.b());
                    },
                    CompletableFuture.delayedExecutor(
                        50, java.util.concurrent.TimeUnit.MILLISECONDS)))
        .room(
            RoomConfig.builder("game", "Game")
                .anyEvent()
                .command(
                    MOVE,
                    (context, request) ->
                        new Moved(
                            context.room().id(),
                            context.sender().userId(),
                            context.command(),
                            request.cell()))
                .build());
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.stop();
    }
  }

  private RawClient start(String userId) {
    server = builder(handlerThreads).build().start();
    return RawClient.connectAs(server.port(), userId);
  }

  private static Map<String, Object> sum(Object a, Object b) {
    java.util.HashMap<String, Object> data = new java.util.HashMap<>();
    if (a != null) {
      data.put("a", a);
    }
    if (b != null) {
      data.put("b", b);
    }
    return Map.of("command", "sum", "data", data);
  }

  @Test
  void request_withAck_answersTheHandlersResult_onAHookThread() {
    try (RawClient alice = start("alice")) {
      JsonNode answer = alice.request("dialogue:request", sum(2, 3));
      assertThat(answer.path("ok").asBoolean()).isTrue();
      assertThat(answer.path("result").toString()).isEqualTo("{\"sum\":5}");
      assertThat(answer.size()).isEqualTo(2);
      assertThat(handlerThreads).singleElement().asString().startsWith("dialogue-hook-");
    }
  }

  @Test
  void applicationError_carriesItsCodeMessageAndData() {
    try (RawClient alice = start("alice")) {
      JsonNode answer = alice.request("dialogue:request", sum(-1, 2));
      assertThat(answer.path("ok").asBoolean(true)).isFalse();
      JsonNode error = answer.path("error");
      assertThat(error.path("code").asText()).isEqualTo("NEGATIVE");
      assertThat(error.path("message").asText()).isEqualTo("a and b must not be negative");
      assertThat(error.path("data").path("a").asInt()).isEqualTo(-1);
      assertThat(error.path("data").path("b").asInt()).isEqualTo(2);
    }
  }

  @Test
  void invalidRequest_isValidationFailed_namingTheField_andNeverReachesTheHandler() {
    try (RawClient alice = start("alice")) {
      JsonNode missing = alice.request("dialogue:request", sum(1, null)).path("error");
      assertThat(missing.path("code").asText()).isEqualTo("VALIDATION_FAILED");
      assertThat(missing.path("message").asText())
          .isEqualTo("Command 'sum' validation failed: b: must not be null");
      assertThat(missing.has("data")).isFalse();
      JsonNode wrongType = alice.request("dialogue:request", sum("one", 2)).path("error");
      assertThat(wrongType.path("code").asText()).isEqualTo("VALIDATION_FAILED");
      assertThat(wrongType.path("message").asText()).contains("Command 'sum'").contains("a");
      JsonNode noData = alice.request("dialogue:request", Map.of("command", "sum")).path("error");
      assertThat(noData.path("code").asText()).isEqualTo("VALIDATION_FAILED");
      assertThat(handlerThreads).isEmpty();
    }
  }

  @Test
  void unknownCommand_isCommandNotFound() {
    try (RawClient alice = start("alice")) {
      JsonNode error =
          alice
              .request("dialogue:request", Map.of("command", "nope", "data", Map.of()))
              .path("error");
      assertThat(error.path("code").asText()).isEqualTo("COMMAND_NOT_FOUND");
      assertThat(error.path("message").asText()).isEqualTo("Command 'nope' does not exist");
    }
  }

  @Test
  void handlerException_isInternalError_withoutItsMessage() {
    try (RawClient alice = start("alice")) {
      JsonNode error =
          alice.request("dialogue:request", Map.of("command", "explode")).path("error");
      assertThat(error.path("code").asText()).isEqualTo("INTERNAL_ERROR");
      assertThat(error.path("message").asText()).isEqualTo("Internal error");
      assertThat(error.toString()).doesNotContain("secret");
      // The connection keeps working.
      assertThat(alice.request("dialogue:request", sum(1, 1)).path("ok").asBoolean()).isTrue();
    }
  }

  @Test
  void malformedRequest_isInvalidRequest_namingTheField() {
    try (RawClient alice = start("alice")) {
      assertThat(error(alice, "just text"))
          .isEqualTo(
              "INVALID_REQUEST: dialogue:request expects an object like {command, roomId?, data},"
                  + " got string");
      assertThat(error(alice, Map.of("data", Map.of())))
          .isEqualTo("INVALID_REQUEST: command is required");
      assertThat(error(alice, Map.of("command", 7)))
          .isEqualTo("INVALID_REQUEST: command must be a string, got number");
      assertThat(error(alice, Map.of("command", "sum", "roomId", 3)))
          .isEqualTo("INVALID_REQUEST: roomId must be a string, got number");
      assertThat(error(alice, Map.of("command", "sum", "roomId", "")))
          .isEqualTo("INVALID_REQUEST: roomId must not be empty");
    }
  }

  private static String error(RawClient client, Object payload) {
    JsonNode error = client.request("dialogue:request", payload).path("error");
    return error.path("code").asText() + ": " + error.path("message").asText();
  }

  @Test
  void withoutAck_failureComesAsDialogueError_andSuccessSendsNothing() {
    try (RawClient alice = start("alice")) {
      alice.emit("dialogue:request", sum(1, 2));
      alice.emit("dialogue:request", sum(-5, 2));
      JsonNode error = alice.takeError();
      assertThat(error.path("code").asText()).isEqualTo("NEGATIVE");
      assertThat(error.path("data").path("a").asInt()).isEqualTo(-5);
      alice.emit("dialogue:request", Map.of("command", "nope"));
      assertThat(alice.takeError().path("code").asText()).isEqualTo("COMMAND_NOT_FOUND");
      alice.barrier();
      assertThat(alice.received())
          .extracting(RawClient.Received::name)
          .doesNotContain("dialogue:error");
      assertThat(handlerThreads).hasSize(2);
    }
  }

  @Test
  void nullResult_isOkWithoutResult() {
    try (RawClient alice = start("alice")) {
      JsonNode answer = alice.request("dialogue:request", Map.of("command", "nothing"));
      assertThat(answer.path("ok").asBoolean()).isTrue();
      assertThat(answer.has("result")).isFalse();
    }
  }

  @Test
  void asyncHandler_answersWhenItsStageCompletes_andAPendingOneHoldsNoLaterAnswer() {
    try (RawClient alice = start("alice")) {
      CompletableFuture<JsonNode> never =
          alice.requestAsync("dialogue:request", Map.of("command", "never", "data", 1));
      CompletableFuture<JsonNode> later =
          alice.requestAsync(
              "dialogue:request", Map.of("command", "later", "data", Map.of("a", 4, "b", 5)));
      JsonNode quick = alice.request("dialogue:request", sum(1, 2));
      assertThat(quick.path("result").path("sum").asInt()).isEqualTo(3);
      assertThat(later.join().path("result").path("sum").asInt()).isEqualTo(9);
      JsonNode refused =
          alice.request(
              "dialogue:request", Map.of("command", "later", "data", Map.of("a", -4, "b", 5)));
      assertThat(refused.path("error").path("code").asText()).isEqualTo("NEGATIVE");
      assertThat(never).isNotDone();
      neverAnswered.add(never);
    }
  }

  @Test
  void roomCommand_answersMembers_withTheRoom() {
    try (RawClient alice = start("alice")) {
      Map<String, Object> move =
          Map.of("command", "move", "roomId", "game", "data", Map.of("cell", 4));
      assertThat(error(alice, move)).isEqualTo("NOT_IN_ROOM: Join room 'game' first");
      alice.join("game");
      JsonNode result = alice.request("dialogue:request", move).path("result");
      assertThat(result.path("room").asText()).isEqualTo("game");
      assertThat(result.path("by").asText()).isEqualTo("alice");
      assertThat(result.path("command").asText()).isEqualTo("move");
      assertThat(result.path("cell").asInt()).isEqualTo(4);

      assertThat(error(alice, Map.of("command", "move", "roomId", "nowhere")))
          .isEqualTo("ROOM_NOT_FOUND: Room 'nowhere' does not exist");
      assertThat(error(alice, Map.of("command", "sum", "roomId", "game", "data", Map.of())))
          .isEqualTo("COMMAND_NOT_FOUND: Command 'sum' does not exist in room 'game'");
      assertThat(error(alice, Map.of("command", "move", "data", Map.of("cell", 1))))
          .isEqualTo("COMMAND_NOT_FOUND: Command 'move' does not exist");
    }
  }

  @Test
  void roomOnCommand_addsACommandAtRuntime_untilClosed() {
    try (RawClient alice = start("alice")) {
      Room chat = server.room("chat").orElseThrow();
      Registration registration =
          chat.onCommand(SUM, (context, request) -> new Total(100 * (request.a() + request.b())));
      assertThatThrownBy(() -> chat.onCommand(SUM, (context, request) -> null))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("command 'sum' is already handled in room 'chat'");
      Room game = server.room("game").orElseThrow();
      assertThatThrownBy(() -> game.onCommand(MOVE, (context, request) -> null))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("command 'move' is already handled in room 'game'");
      alice.join("chat");
      Map<String, Object> inChat =
          Map.of("command", "sum", "roomId", "chat", "data", Map.of("a", 1, "b", 2));
      assertThat(alice.request("dialogue:request", inChat).path("result").path("sum").asInt())
          .isEqualTo(300);
      registration.close();
      assertThat(error(alice, inChat))
          .isEqualTo("COMMAND_NOT_FOUND: Command 'sum' does not exist in room 'chat'");
    }
  }

  @Test
  void registration_checksItsArguments() {
    Dialogue.Builder builder = Dialogue.builder().command(SUM, (context, request) -> null);
    assertThatThrownBy(() -> builder.command(SUM, (context, request) -> null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("command 'sum' was already registered");
    assertThatThrownBy(
            () ->
                RoomConfig.builder("r", "R")
                    .command(SUM, (context, request) -> null)
                    .command(SUM, (context, request) -> null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("command 'sum' is already handled in room 'r'");
    assertThatThrownBy(() -> CommandDefinition.of(" ", Sum.class, Total.class))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("command name is blank");
    assertThatThrownBy(() -> new CommandException(" ", "no code"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("code must be 1 to 100 characters");
    RoomConfig copy =
        RoomConfig.builder("r", "R").command(SUM, (c, r) -> null).build().toBuilder().build();
    assertThat(copy.commands()).containsExactly(SUM);
    assertThat(copy.commandHandler("sum")).isNotNull();
  }
}
