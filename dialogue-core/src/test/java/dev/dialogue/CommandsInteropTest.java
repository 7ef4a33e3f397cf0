package dev.dialogue;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dialogue.testing.Browser;
import dev.dialogue.testing.NodeClients;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Commands from the official Node.js {@code socket.io-client} and from the browser client ({@code
 * dialogue.js} in headless Chromium), against the commands of {@link CommandsTest}.
 */
@Timeout(120)
class CommandsInteropTest {
  private static final List<String> THREADS = new CopyOnWriteArrayList<>();
  private static Dialogue server;
  private static Browser browser;

  @BeforeAll
  static void start() {
    server = CommandsTest.builder(THREADS).build().start();
    browser = new Browser();
  }

  @AfterAll
  static void stop() {
    if (browser != null) {
      browser.close();
    }
    if (server != null) {
      server.stop();
    }
  }

  @Test
  void nodeClient_getsResultsAndEveryKindOfError() {
    try (NodeClients node = NodeClients.start()) {
      node.connect("n", server.port(), Map.of("userId", "nina"), List.of("websocket"));
      node.awaitConnect("n");
      JsonNode ok =
          node.request(
              "n", "dialogue:request", Map.of("command", "sum", "data", Map.of("a", 2, "b", 40)));
      assertThat(ok.path("ok").asBoolean()).isTrue();
      assertThat(ok.path("result").path("sum").asInt()).isEqualTo(42);

      JsonNode negative = error(node, Map.of("command", "sum", "data", Map.of("a", -2, "b", 40)));
      assertThat(negative.path("code").asText()).isEqualTo("NEGATIVE");
      assertThat(negative.path("message").asText()).isEqualTo("a and b must not be negative");
      assertThat(negative.path("data").path("a").asInt()).isEqualTo(-2);

      JsonNode invalid = error(node, Map.of("command", "sum", "data", Map.of("a", 2)));
      assertThat(invalid.path("code").asText()).isEqualTo("VALIDATION_FAILED");
      assertThat(invalid.path("message").asText()).contains("b: must not be null");

      assertThat(error(node, Map.of("command", "nope")).path("code").asText())
          .isEqualTo("COMMAND_NOT_FOUND");
      JsonNode internal = error(node, Map.of("command", "explode"));
      assertThat(internal.path("code").asText()).isEqualTo("INTERNAL_ERROR");
      assertThat(internal.path("message").asText()).isEqualTo("Internal error");
      JsonNode notMember =
          error(node, Map.of("command", "move", "roomId", "game", "data", Map.of("cell", 1)));
      assertThat(notMember.path("code").asText()).isEqualTo("NOT_IN_ROOM");
      assertThat(error(node, Map.of("data", 1)).path("message").asText())
          .isEqualTo("command is required");

      // A command whose stage never completes: the client's own ack timeout ends the wait.
      int timedOut =
          node.requestAsync(
              "n",
              "dialogue:request",
              Map.of("command", "never"),
              java.time.Duration.ofMillis(300));
      assertThat(node.ackTimedOut("n", timedOut)).isTrue();

      // A command whose stage never completes holds no later answer.
      int never = node.requestAsync("n", "dialogue:request", Map.of("command", "never"));
      JsonNode after =
          node.request(
              "n", "dialogue:request", Map.of("command", "sum", "data", Map.of("a", 1, "b", 1)));
      assertThat(after.path("result").path("sum").asInt()).isEqualTo(2);
      assertThat(node.pending("n")).noneMatch(l -> l.path("seq").asInt() == never);

      // Without an ack, the failure comes as dialogue:error.
      node.emit("n", "dialogue:request", Map.of("command", "sum", "data", Map.of("a", -1, "b", 0)));
      JsonNode event = node.takeEvent("n", "dialogue:error");
      assertThat(event.path("code").asText()).isEqualTo("NEGATIVE");
      assertThat(event.path("data").path("a").asInt()).isEqualTo(-1);
    }
  }

  private static JsonNode error(NodeClients node, Map<String, ?> request) {
    JsonNode answer = node.request("n", "dialogue:request", request);
    assertThat(answer.path("ok").asBoolean(true)).as(answer.toString()).isFalse();
    return answer.path("error");
  }

  @Test
  void browserClient_requestResolvesWithTheResult_andRejectsWithDialogueErrors() {
    browser.open(server.port());
    Map<String, Object> result =
        browser.runMap(
            """
        const client = Dialogue.connect(server, {auth: {userId: 'bea'}, requestTimeout: 500});
        const failure = (p) => p.then((v) => ({resolved: v}), (e) => ({
            isDialogueError: e instanceof Dialogue.DialogueError, code: e.code, message: e.message,
            data: e.data === undefined ? 'none' : e.data, fate: e.fate}));
        const notConnected = await failure(client.request('sum', {a: 1, b: 2}));
        await client.connect();
        const sum = await client.request('sum', {a: 1, b: 2});
        const nothing = await client.request('nothing');
        const negative = await failure(client.request('sum', {a: -1, b: 2}));
        const invalid = await failure(client.request('sum', {a: 1}));
        const unknown = await failure(client.request('nope', {}));
        const internal = await failure(client.request('explode'));
        const timeout = await failure(client.request('never', 1));
        const outsider = await failure(client._command('move', 'game', {cell: 3}));
        const game = await client.join('game');
        const moved = await game.request('move', {cell: 3});
        return {notConnected, sum, nothing: nothing === undefined, negative, invalid, unknown,
                internal, timeout, outsider, moved};
        """);
    assertThat(result.get("notConnected"))
        .asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
        .containsEntry("code", "NOT_CONNECTED")
        .containsEntry("fate", "not-sent");
    assertThat(result.get("sum")).isEqualTo(Map.of("sum", 3L));
    assertThat(result.get("nothing")).isEqualTo(true);
    assertThat(result.get("negative"))
        .isEqualTo(
            Map.of(
                "isDialogueError", true,
                "code", "NEGATIVE",
                "message", "a and b must not be negative",
                "data", Map.of("a", -1L, "b", 2L),
                "fate", "refused"));
    assertThat(result.get("invalid"))
        .asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
        .containsEntry("code", "VALIDATION_FAILED")
        .containsEntry("message", "Command 'sum' validation failed: b: must not be null")
        .containsEntry("data", "none");
    assertThat(result.get("unknown"))
        .asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
        .containsEntry("code", "COMMAND_NOT_FOUND");
    assertThat(result.get("internal"))
        .asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
        .containsEntry("code", "INTERNAL_ERROR")
        .containsEntry("message", "Internal error");
    assertThat(result.get("timeout"))
        .asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
        .containsEntry("code", "TIMEOUT")
        .containsEntry("fate", "unknown");
    assertThat(result.get("outsider"))
        .asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
        .containsEntry("code", "NOT_IN_ROOM")
        .containsEntry("fate", "refused");
    assertThat(result.get("moved"))
        .isEqualTo(Map.of("room", "game", "by", "bea", "command", "move", "cell", 3L));
  }

  @Test
  void browserClient_reportsACommandsFailureWithoutAck_throughOnError() {
    browser.open(server.port());
    Map<String, Object> result =
        browser.runMap(
            """
        const client = Dialogue.connect(server, {auth: {userId: 'bo'}});
        const errors = [];
        client.onError((e) => errors.push({code: e.code, data: e.data}));
        await client.connect();
        client._ws.send('42' + client._nsp() + JSON.stringify(['dialogue:request', {command: 'sum', data: {a: -3, b: 1}}]));
        await until(() => errors.length > 0);
        return errors[0];
        """);
    assertThat(result).isEqualTo(Map.of("code", "NEGATIVE", "data", Map.of("a", -3L, "b", 1L)));
  }
}
