package dev.dialogue.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dialogue.CommandDefinition;
import dev.dialogue.CommandException;
import dev.dialogue.Dialogue;
import dev.dialogue.RoomConfig;
import dev.dialogue.client.DialogueClientException.Fate;
import dev.dialogue.testing.Await;
import dev.dialogue.testing.FaultProxy;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The Java client's commands ({@code request}) against a real server. */
@Timeout(60)
class ClientCommandsTest {
  public record Sum(@NotNull Integer a, @NotNull Integer b) {}

  public record Total(int sum) {}

  public record Negatives(int a, int b) {}

  public record Move(@NotNull Integer cell) {}

  public record Moved(String room, String by, int cell) {}

  static final CommandDefinition<Sum, Total> SUM =
      CommandDefinition.of("sum", Sum.class, Total.class);
  static final CommandDefinition<Void, Void> NEVER =
      CommandDefinition.of("never", Void.class, Void.class);
  static final CommandDefinition<Void, Void> EXPLODE =
      CommandDefinition.of("explode", Void.class, Void.class);
  static final CommandDefinition<Move, Moved> MOVE =
      CommandDefinition.of("move", Move.class, Moved.class);

  private final List<AutoCloseable> closeables = new ArrayList<>();
  private final AtomicInteger neverCalls = new AtomicInteger();

  @AfterEach
  void closeAll() throws Exception {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      closeables.get(i).close();
    }
  }

  private Dialogue server() {
    Dialogue server =
        Dialogue.builder()
            .host("127.0.0.1")
            .port(0)
            .command(
                SUM,
                (context, request) -> {
                  if (request.a() < 0 || request.b() < 0) {
                    throw new CommandException(
                        "NEGATIVE",
                        "a and b must not be negative",
                        new Negatives(request.a(), request.b()));
                  }
                  return new Total(request.a() + request.b());
                })
            .commandAsync(
                NEVER,
                (context, request) -> {
                  neverCalls.incrementAndGet();
                  return new CompletableFuture<>();
                })
            .command(
                EXPLODE,
                (context, request) -> {
                  throw new IllegalStateException("boom");
                })
            .room(
                RoomConfig.builder("game", "Game")
                    .anyEvent()
                    .command(
                        MOVE,
                        (context, request) ->
                            new Moved(
                                context.room().id(), context.sender().userId(), request.cell()))
                    .build())
            .build()
            .start();
    closeables.add(server);
    return server;
  }

  private DialogueClient connected(int port, String userId) throws Exception {
    DialogueClient client =
        DialogueClient.builder("http://127.0.0.1:" + port)
            .auth(Map.of("userId", userId))
            .requestTimeout(Duration.ofMillis(700))
            .reconnectBackoff(Duration.ofMillis(50), Duration.ofMillis(200), 0.5)
            .build();
    closeables.add(client);
    await(client.connect());
    return client;
  }

  /** Polls a condition that has no signal of its own, up to 15 s. */
  private static void until(String description, java.util.function.BooleanSupplier condition) {
    Await.until(description, Duration.ofSeconds(15), condition);
  }

  private static <T> T await(CompletableFuture<T> future) throws Exception {
    return future.get(15, TimeUnit.SECONDS);
  }

  private static DialogueClientException failure(CompletableFuture<?> future) throws Exception {
    try {
      Object value = future.get(15, TimeUnit.SECONDS);
      throw new AssertionError("expected a failure, got " + value);
    } catch (ExecutionException e) {
      assertThat(e.getCause()).isInstanceOf(DialogueClientException.class);
      return (DialogueClientException) e.getCause();
    }
  }

  @Test
  void request_completesWithTheTypedResult() throws Exception {
    DialogueClient client = connected(server().port(), "alice");
    assertThat(await(client.request("sum", Map.of("a", 2, "b", 3), Total.class)))
        .isEqualTo(new Total(5));
    assertThat(await(client.request("sum", new Sum(20, 22), JsonNode.class)).path("sum").asInt())
        .isEqualTo(42);
  }

  @Test
  void applicationError_isRefused_withCodeMessageAndData() throws Exception {
    DialogueClient client = connected(server().port(), "alice");
    DialogueClientException e = failure(client.request("sum", new Sum(-1, 2), Total.class));
    assertThat(e.code()).isEqualTo("NEGATIVE");
    assertThat(e.getMessage()).isEqualTo("a and b must not be negative");
    assertThat(e.fate()).isEqualTo(Fate.REFUSED);
    assertThat(e.data(Negatives.class)).isEqualTo(new Negatives(-1, 2));
    assertThat(e.data().path("a").asInt()).isEqualTo(-1);
  }

  @Test
  void serverErrors_areRefused_withTheirCodes_andNoData() throws Exception {
    DialogueClient client = connected(server().port(), "alice");
    DialogueClientException invalid = failure(client.request("sum", Map.of("a", 1), Total.class));
    assertThat(invalid.code()).isEqualTo("VALIDATION_FAILED");
    assertThat(invalid.getMessage())
        .isEqualTo("Command 'sum' validation failed: b: must not be null");
    assertThat(invalid.data()).isNull();
    assertThat(invalid.data(Negatives.class)).isNull();
    DialogueClientException unknown = failure(client.request("nope", null, Void.class));
    assertThat(unknown.code()).isEqualTo("COMMAND_NOT_FOUND");
    assertThat(unknown.fate()).isEqualTo(Fate.REFUSED);
    DialogueClientException internal = failure(client.request("explode", null, Void.class));
    assertThat(internal.code()).isEqualTo("INTERNAL_ERROR");
    assertThat(internal.getMessage()).isEqualTo("Internal error");
  }

  @Test
  void unansweredRequest_timesOut_withFateUnknown() throws Exception {
    DialogueClient client = connected(server().port(), "alice");
    DialogueClientException e = failure(client.request("never", null, Void.class));
    assertThat(e.code()).isEqualTo("TIMEOUT");
    assertThat(e.fate()).isEqualTo(Fate.UNKNOWN);
    assertThat(neverCalls).hasValue(1);
    assertThat(await(client.request("sum", new Sum(1, 1), Total.class))).isEqualTo(new Total(2));
  }

  @Test
  void roomRequest_reachesTheRoomsHandler_andANonMemberIsNotInRoom() throws Exception {
    Dialogue server = server();
    DialogueClient client = connected(server.port(), "alice");
    ClientRoom game = await(client.join("game"));
    assertThat(await(game.request("move", new Move(7), Moved.class)))
        .isEqualTo(new Moved("game", "alice", 7));
    server.clients("alice").get(0).leave("game");
    DialogueClientException e = failure(game.request("move", new Move(7), Moved.class));
    assertThat(e.code()).isEqualTo("NOT_IN_ROOM");
    assertThat(e.fate()).isEqualTo(Fate.REFUSED);
  }

  @Test
  void requestWhileDisconnected_isNotSent() {
    DialogueClient client =
        DialogueClient.builder("http://127.0.0.1:1").auth(Map.of("userId", "x")).build();
    closeables.add(client);
    CompletableFuture<Total> future = client.request("sum", new Sum(1, 2), Total.class);
    assertThatThrownBy(() -> future.get(5, TimeUnit.SECONDS))
        .cause()
        .isInstanceOfSatisfying(
            DialogueClientException.class,
            e -> {
              assertThat(e.code()).isEqualTo("NOT_CONNECTED");
              assertThat(e.fate()).isEqualTo(Fate.NOT_SENT);
            });
    assertThatThrownBy(() -> client.request("", null, Void.class))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("command is empty");
  }

  @Test
  void lostConnection_failsASentRequestWithFateUnknown_andDoesNotSendItAgain() throws Exception {
    Dialogue server = server();
    try (FaultProxy proxy = FaultProxy.to(server.port())) {
      DialogueClient client = connected(proxy.port(), "alice");
      CompletableFuture<Void> pending = client.request("never", null, Void.class);
      until("the handler ran", () -> neverCalls.get() == 1);
      proxy.reset();
      DialogueClientException e = failure(pending);
      assertThat(e.code()).isEqualTo("DISCONNECTED");
      assertThat(e.fate()).isEqualTo(Fate.UNKNOWN);
      until("reconnected", () -> client.state() == ConnectionState.CONNECTED);
      // Answered after anything sent earlier on the new connection: a repeat would have run first.
      assertThat(await(client.request("sum", new Sum(1, 1), Total.class))).isEqualTo(new Total(2));
      assertThat(neverCalls).hasValue(1);
    }
  }
}
