package dev.dialogue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dialogue.client.ClientRoom;
import dev.dialogue.client.ConnectionState;
import dev.dialogue.client.DialogueClient;
import dev.dialogue.client.DialogueClientException;
import dev.dialogue.client.PendingTrigger;
import dev.dialogue.client.Published;
import dev.dialogue.jdbc.JdbcHistoryStore;
import dev.dialogue.redis.RedisBroker;
import dev.dialogue.testing.Await;
import dev.dialogue.testing.Browser;
import dev.dialogue.testing.NodeClients;
import dev.dialogue.testing.TestRedis;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The interoperability matrix: the Java client ({@code dialogue-client}), the browser client
 * ({@code dialogue.js} in headless Chromium) and the official Node.js {@code socket.io-client} 4.x
 * (the driver of {@code dialogue-testing/node}), all connected at once to one real server and
 * joined to one room.
 *
 * <p>The harnesses are dialogue-testing's {@link Browser} and {@link NodeClients}, the ones the
 * core's own browser and Node tests drive.
 */
@Timeout(150)
class InteropMatrixTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(15);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String JAVA = "jules";
  private static final String BROWSER = "bea";
  private static final String NODE = "nora";

  private static Browser browser;

  private final Deque<AutoCloseable> closeables = new ArrayDeque<>();
  private NodeClients node;

  /**
   * One delivered event as every client must see it: the same fields, whatever the client. {@code
   * text} is {@code data.text}, {@code via} is {@code meta.via}.
   */
  record Seen(
      String event,
      Long offset,
      String from,
      String text,
      String id,
      long timestamp,
      String clientMessageId,
      String via) {

    static Seen of(JsonNode e) {
      return new Seen(
          text(e.path("event")),
          e.hasNonNull("offset") ? e.get("offset").asLong() : null,
          text(e.path("from")),
          text(e.path("data").path("text")),
          text(e.path("id")),
          e.path("timestamp").asLong(),
          text(e.path("clientMessageId")),
          text(e.path("meta").path("via")));
    }

    private static String text(JsonNode n) {
      return n.isMissingNode() || n.isNull() ? null : n.asText();
    }
  }

  /** The Java client joined to {@code chat}, recording what it receives there. */
  private static final class JavaSide {
    final DialogueClient client;
    final ClientRoom room;
    final LinkedBlockingQueue<Seen> seen = new LinkedBlockingQueue<>();
    final List<String> errors = new ArrayList<>();
    final List<Integer> histories = new ArrayList<>();

    JavaSide(DialogueClient client) throws Exception {
      this.client = client;
      client.onError(e -> record(errors, e.code()));
      client.onHistory((roomId, events) -> record(histories, events.size()));
      client.connect().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      room = await(client.join("chat"));
      room.onAny(e -> seen.add(Seen.of(JSON.valueToTree(e))));
    }

    List<Seen> take(int n) throws InterruptedException {
      List<Seen> taken = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        Seen next = seen.poll(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(next)
            .as("event %s of %s at the Java client, after %s", i + 1, n, taken)
            .isNotNull();
        taken.add(next);
      }
      return taken;
    }

    private static <T> void record(List<T> list, T value) {
      synchronized (list) {
        list.add(value);
      }
    }
  }

  @BeforeAll
  static void startBrowser() {
    browser = new Browser();
  }

  @AfterAll
  static void stopBrowser() {
    if (browser != null) {
      browser.close();
    }
  }

  @AfterEach
  void cleanUp() throws Exception {
    try {
      // The page's client would otherwise keep reconnecting to a stopped server until the next
      // test loads another page.
      browser.eval("window.client ? (window.client.disconnect(), true) : false");
    } finally {
      if (node != null) {
        node.close();
      }
      while (!closeables.isEmpty()) {
        closeables.pop().close();
      }
    }
  }

  @Test
  void everyClient_receivesEveryClientsEvents_andItsOwn_inOneOrder_withTheSameOffsetsAndSenders()
      throws Exception {
    Dialogue server = start(matrixServer());
    everyClientSeesEveryone(server.port(), server.port(), server.port());
  }

  @Test
  void inAClusterOnRedis_eachClientOnItsOwnNode_seesEveryonesEvents_inOneOrder() throws Exception {
    TestRedis redis = TestRedis.start();
    closeables.push(redis);
    List<Dialogue> nodes = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      nodes.add(start(matrixServer().broker(RedisBroker.create(redis.uri()))));
    }
    everyClientSeesEveryone(nodes.get(0).port(), nodes.get(1).port(), nodes.get(2).port());
  }

  /** Java, browser and Node clients, on the given ports, trigger at once and see one order. */
  private void everyClientSeesEveryone(int javaPort, int browserPort, int nodePort)
      throws Exception {
    JavaSide jules = javaClient(javaPort);
    String epoch = browserClient(browserPort);
    JsonNode nodeJoined = nodeClient(NODE, nodePort);
    assertThat(jules.room.epoch()).isEqualTo(epoch).isEqualTo(nodeJoined.path("epoch").asText());

    // All twelve triggers are in flight at once, four from each client.
    List<PendingTrigger> fromJava =
        IntStream.rangeClosed(1, 4)
            .mapToObj(
                i ->
                    jules.room.trigger(
                        "message",
                        Map.of("text", JAVA + " " + i),
                        i == 1 ? Map.of("via", "java") : null))
            .toList();
    browser.run(
        """
        window.sent = [1, 2, 3, 4].map((i) =>
            room.trigger('message', {text: 'bea ' + i}, i === 1 ? {via: 'browser'} : undefined));
        """);
    List<Integer> fromNode = new ArrayList<>();
    for (int i = 1; i <= 4; i++) {
      Map<String, Object> trigger = new LinkedHashMap<>();
      trigger.put("roomId", "chat");
      trigger.put("event", "message");
      trigger.put("data", Map.of("text", NODE + " " + i));
      trigger.put("clientMessageId", NODE + "-" + i);
      trigger.put("from", "mallory"); // ignored: the server sets from
      if (i == 1) {
        trigger.put("meta", Map.of("via", "node"));
      }
      fromNode.add(node.requestAsync(NODE, "dialogue:trigger", trigger));
    }

    List<Seen> atJava = jules.take(12);
    List<Seen> atBrowser = browserSeen(12);
    List<Seen> atNode = nodeSeen(NODE, 12);

    assertThat(atJava).extracting(Seen::offset).containsExactlyElementsOf(offsets(1, 12));
    assertThat(atBrowser).isEqualTo(atJava);
    assertThat(atNode).isEqualTo(atJava);
    assertThat(atJava)
        .allSatisfy(
            s -> {
              assertThat(s.event()).isEqualTo("message");
              assertThat(s.text()).startsWith(s.from() + " ");
              assertThat(s.id()).isNotBlank();
              assertThat(s.clientMessageId()).isNotBlank();
            });
    for (String sender : List.of(JAVA, BROWSER, NODE)) {
      assertThat(atJava.stream().filter(s -> s.from().equals(sender)).map(Seen::text))
          .as("%s's events keep its order", sender)
          .containsExactly(sender + " 1", sender + " 2", sender + " 3", sender + " 4");
    }
    assertThat(atJava.stream().filter(s -> s.via() != null))
        .extracting(Seen::text, Seen::via)
        .containsExactlyInAnyOrder(
            tuple("jules 1", "java"), tuple("bea 1", "browser"), tuple("nora 1", "node"));

    // Each sender's acknowledgement names the offset and client message id everyone received.
    Map<String, Seen> byText = atJava.stream().collect(Collectors.toMap(Seen::text, s -> s));
    for (int i = 0; i < 4; i++) {
      Published published = await(fromJava.get(i).result());
      Seen seen = byText.get(JAVA + " " + (i + 1));
      assertThat(published.offset()).isEqualTo(seen.offset());
      assertThat(published.id()).isEqualTo(seen.id());
      assertThat(fromJava.get(i).clientMessageId()).isEqualTo(seen.clientMessageId());
    }
    Object browserAcks =
        browser.run(
            """
            const results = await Promise.all(sent.map((s) => s.result));
            return results.map((r, i) => ({text: 'bea ' + (i + 1), offset: r.offset, id: r.id,
                                            clientMessageId: sent[i].clientMessageId}));
            """);
    for (Object ack : (List<?>) browserAcks) {
      Map<?, ?> a = (Map<?, ?>) ack;
      Seen seen = byText.get((String) a.get("text"));
      assertThat(a.get("offset")).isEqualTo(seen.offset());
      assertThat(a.get("id")).isEqualTo(seen.id());
      assertThat(a.get("clientMessageId")).isEqualTo(seen.clientMessageId());
    }
    for (int i = 0; i < 4; i++) {
      JsonNode ack = node.awaitAck(NODE, fromNode.get(i), "trigger " + (i + 1));
      Seen seen = byText.get(NODE + " " + (i + 1));
      assertThat(ack.path("ok").asBoolean()).isTrue();
      assertThat(ack.path("offset").asLong()).isEqualTo(seen.offset());
      assertThat(ack.path("id").asText()).isEqualTo(seen.id());
      assertThat(seen.clientMessageId()).isEqualTo(NODE + "-" + (i + 1));
    }
  }

  @Test
  void subscribedClients_receiveEveryonesEvents_includingTheirOwn_andUnsubscribedOnesNone()
      throws Exception {
    Dialogue server = start(matrixServer());
    JavaSide jules = javaClient(server.port());
    browserClient(server.port());
    nodeClient(NODE, server.port());
    // typing is not a default subscription: the Java and browser clients subscribe, Node does not.
    await(jules.room.subscribe("typing"));
    browser.run("await room.subscribe('typing');");

    await(jules.room.trigger("typing", Map.of("isTyping", true)).result());
    browser.run("await room.trigger('typing', {isTyping: true}).result;");
    JsonNode ack =
        node.request(
            NODE,
            "dialogue:trigger",
            Map.of("roomId", "chat", "event", "typing", "data", Map.of("isTyping", true)));
    assertThat(ack.path("ok").asBoolean()).isTrue();
    // A message everyone receives marks the end: each connection gets the room's events in order.
    node.request(
        NODE,
        "dialogue:trigger",
        Map.of("roomId", "chat", "event", "message", "data", Map.of("text", "nora done")));

    List<Seen> atJava = jules.take(4);
    assertThat(atJava)
        .extracting(Seen::event, Seen::from)
        .containsExactly(
            tuple("typing", JAVA),
            tuple("typing", BROWSER),
            tuple("typing", NODE),
            tuple("message", NODE));
    assertThat(atJava.subList(0, 3)).extracting(Seen::offset).containsOnlyNulls();
    assertThat(browserSeen(4)).isEqualTo(atJava);
    assertThat(nodeSeen(NODE, 1)).containsExactly(atJava.get(3));
    assertThat(node.pending(NODE)).noneMatch(l -> l.path("name").asText().equals("dialogue:event"));
  }

  @Test
  void typedErrors_reachOnlyTheClientThatCausedThem_withTheServersCode() throws Exception {
    Dialogue server = start(matrixServer());
    JavaSide jules = javaClient(server.port());
    browserClient(server.port());
    nodeClient(NODE, server.port());

    assertThat(failure(jules.client.join("nowhere")))
        .isEqualTo("ROOM_NOT_FOUND: Room 'nowhere' does not exist");
    assertThat(failure(jules.room.trigger("message", Map.of("text", "")).result()))
        .startsWith("VALIDATION_FAILED: Event 'message' validation failed: text");
    assertThat(failure(jules.room.trigger("dance", Map.of()).result()))
        .isEqualTo("EVENT_NOT_ALLOWED: Event 'dance' is not allowed in room 'chat'");

    Map<String, Object> atBrowser =
        browser.runMap(
            """
            const code = (p) => p.then(() => 'resolved',
                (e) => e instanceof Dialogue.DialogueError ? e.code + ': ' + e.message : String(e));
            return {
              notFound: await code(client.join('nowhere')),
              invalid: await code(room.trigger('message', {text: ''}).result),
              notAllowed: await code(room.trigger('dance', {}).result),
            };
            """);
    assertThat(atBrowser)
        .containsEntry("notFound", "ROOM_NOT_FOUND: Room 'nowhere' does not exist")
        .containsEntry(
            "notAllowed", "EVENT_NOT_ALLOWED: Event 'dance' is not allowed in room 'chat'");
    assertThat((String) atBrowser.get("invalid"))
        .startsWith("VALIDATION_FAILED: Event 'message' validation failed: text");

    // The Node client as a dialogue-ts client would use it (no ack: dialogue:error) and with acks.
    assertThat(nodeError(node.request(NODE, "dialogue:join", Map.of("roomId", "nowhere"))))
        .isEqualTo("ROOM_NOT_FOUND: Room 'nowhere' does not exist");
    assertThat(
            nodeError(
                node.request(
                    NODE,
                    "dialogue:trigger",
                    Map.of("roomId", "chat", "event", "dance", "data", Map.of()))))
        .isEqualTo("EVENT_NOT_ALLOWED: Event 'dance' is not allowed in room 'chat'");
    node.emit(NODE, "dialogue:join", Map.of("roomId", "nowhere"));
    assertThat(nodeError(node.takeEvent(NODE, "dialogue:error")))
        .isEqualTo("ROOM_NOT_FOUND: Room 'nowhere' does not exist");
    node.emit(
        NODE,
        "dialogue:trigger",
        Map.of("roomId", "chat", "event", "message", "data", Map.of("text", "")));
    assertThat(nodeError(node.takeEvent(NODE, "dialogue:error")))
        .startsWith("VALIDATION_FAILED: Event 'message' validation failed: text");

    // No failed trigger reached anyone or used an offset; no error reached another client.
    await(jules.room.trigger("message", Map.of("text", "jules done")).result());
    Seen done = jules.take(1).get(0);
    assertThat(done.offset()).isEqualTo(1L);
    assertThat(browserSeen(1)).containsExactly(done);
    assertThat(nodeSeen(NODE, 1)).containsExactly(done);
    assertThat(node.pending(NODE)).noneMatch(l -> l.path("name").asText().equals("dialogue:error"));
    assertThat(browser.eval("errors")).isEqualTo(List.of());
    synchronized (jules.errors) {
      assertThat(jules.errors).isEmpty();
    }
  }

  /**
   * The server stops; events are published through a server on the same store while the Java and
   * browser clients are away (on another port, so they cannot be back yet); then the server starts
   * again on its old port and both clients recover exactly the missed events, in order.
   */
  @Test
  void afterARestartOnTheSameStore_javaAndBrowserClientsRecoverEventsMissedWhileAway_exactlyOnce(
      @TempDir Path dir) throws Exception {
    String store = "jdbc:h2:file:" + dir.resolve("history");
    Dialogue first = start(matrixServer().historyStore(JdbcHistoryStore.builder(store).build()));
    int port = first.port();
    JavaSide jules = javaClient(port);
    String epoch = browserClient(port);
    nodeClient(NODE, port);
    await(jules.room.trigger("message", Map.of("text", "before jules")).result());
    browser.run("await room.trigger('message', {text: 'before bea'}).result;");
    node.request(
        NODE,
        "dialogue:trigger",
        Map.of("roomId", "chat", "event", "message", "data", Map.of("text", "before nora")));
    List<Seen> before = jules.take(3);
    assertThat(before)
        .extracting(Seen::text)
        .containsExactly("before jules", "before bea", "before nora");
    assertThat(browserSeen(3)).isEqualTo(before);
    assertThat(nodeSeen(NODE, 3)).isEqualTo(before);

    first.stop();
    Await.until(
        "the Java client reconnecting", () -> jules.client.state() == ConnectionState.RECONNECTING);
    browser.await("client.state === 'reconnecting'");

    try (Dialogue away =
        matrixServer().historyStore(JdbcHistoryStore.builder(store).build()).build().start()) {
      JsonNode joined = nodeClient("nora-away", away.port());
      assertThat(joined.path("epoch").asText()).isEqualTo(epoch);
      assertThat(joined.path("offset").asLong()).isEqualTo(3);
      for (int i = 1; i <= 3; i++) {
        JsonNode ack =
            node.request(
                "nora-away",
                "dialogue:trigger",
                Map.of(
                    "roomId",
                    "chat",
                    "event",
                    "message",
                    "data",
                    Map.of("text", "while away " + i)));
        assertThat(ack.path("offset").asLong()).isEqualTo(3 + i);
      }
    }
    assertThat(jules.client.state()).isEqualTo(ConnectionState.RECONNECTING);
    assertThat(browser.eval("client.state")).isEqualTo("reconnecting");

    start(matrixServer().port(port).historyStore(JdbcHistoryStore.builder(store).build()));
    List<Seen> missed = jules.take(3);
    assertThat(missed)
        .extracting(Seen::offset, Seen::from, Seen::text)
        .containsExactly(
            tuple(4L, NODE, "while away 1"),
            tuple(5L, NODE, "while away 2"),
            tuple(6L, NODE, "while away 3"));
    // The official Node client recovers the same events through the raw protocol (join + since).
    JsonNode rejoined =
        nodeClient(
            "nora-back",
            port,
            Map.of("roomId", "chat", "since", Map.of("offset", 3, "epoch", epoch)));
    assertThat(rejoined.path("recovered").asBoolean()).isTrue();
    assertThat(rejoined.path("missed")).hasSize(3);
    List<Seen> nodeMissed = new ArrayList<>();
    rejoined.path("missed").forEach(e -> nodeMissed.add(Seen.of(e)));
    assertThat(nodeMissed).isEqualTo(missed);

    node.request(
        "nora-back",
        "dialogue:trigger",
        Map.of("roomId", "chat", "event", "message", "data", Map.of("text", "after")));
    List<Seen> all = new ArrayList<>(before);
    all.addAll(missed);
    all.addAll(jules.take(1));
    assertThat(all).extracting(Seen::offset).containsExactlyElementsOf(offsets(1, 7));
    assertThat(all.get(6).text()).isEqualTo("after");
    assertThat(browserSeen(7)).isEqualTo(all);
    assertThat(nodeSeen("nora-back", 1)).containsExactly(all.get(6));

    assertThat(jules.room.epoch()).isEqualTo(epoch);
    assertThat(browser.eval("room.epoch")).isEqualTo(epoch);
    assertThat(jules.seen).isEmpty();
    // Recovered, not reloaded: neither client was handed the room's history instead.
    assertThat(browser.eval("histories")).isEqualTo(List.of());
    synchronized (jules.histories) {
      assertThat(jules.histories).isEmpty();
    }
  }

  record Message(@NotBlank @Size(max = 2000) String text) {}

  record Typing(@NotNull Boolean isTyping) {}

  /**
   * On loopback, port 0: the reference server's {@code chat} room (message with history, typing
   * without) and three users.
   */
  private static Dialogue.Builder matrixServer() {
    Map<String, String> users = Map.of("t-jules", JAVA, "t-bea", BROWSER, "t-nora", NODE);
    return Dialogue.builder()
        .host("127.0.0.1")
        .port(0)
        .room(
            RoomConfig.builder("chat", "Chat")
                .events(
                    EventDefinition.builder("message", Message.class).history(100).build(),
                    EventDefinition.of("typing", Typing.class))
                .defaultSubscriptions("message")
                .syncHistoryOnJoin(50)
                .presence(true)
                .build())
        .authenticator(
            handshake -> {
              String user = users.get(String.valueOf(handshake.auth().get("token")));
              return user == null ? AuthResult.reject("unknown token") : AuthResult.accept(user);
            });
  }

  private Dialogue start(Dialogue.Builder builder) {
    Dialogue server = builder.build();
    closeables.push(server);
    return server.start();
  }

  private JavaSide javaClient(int port) throws Exception {
    DialogueClient client =
        DialogueClient.builder("http://127.0.0.1:" + port)
            .auth(Map.of("token", "t-jules"))
            .reconnectBackoff(Duration.ofMillis(100), Duration.ofMillis(500), 0.5)
            .build();
    closeables.push(client);
    JavaSide side = new JavaSide(client);
    assertThat(client.userId()).isEqualTo(JAVA);
    return side;
  }

  /** Opens a page on the server, connects its client and joins; returns the room's epoch. */
  private String browserClient(int port) {
    browser.open(port);
    Map<String, Object> joined =
        browser.runMap(
            """
            const client = window.client = Dialogue.connect(server, {
              auth: () => ({token: 't-bea'}), reconnect: {initial: 100, max: 500, jitter: 0.5}});
            window.seen = []; window.errors = []; window.histories = [];
            client.onError((e) => errors.push(e.code));
            client.onHistory((roomId, events) => histories.push(events.length));
            await client.connect();
            const room = window.room = await client.join('chat');
            room.onAny((e) => seen.push(JSON.stringify(e)));
            return {userId: client.userId, epoch: room.epoch};
            """);
    assertThat(joined).containsEntry("userId", BROWSER);
    return (String) joined.get("epoch");
  }

  private JsonNode nodeClient(String name, int port) {
    return nodeClient(name, port, Map.of("roomId", "chat"));
  }

  /**
   * Connects a Node socket (default transports: polling, then the upgrade) and joins with an ack.
   */
  private JsonNode nodeClient(String name, int port, Map<String, ?> join) {
    if (node == null) {
      node = NodeClients.start();
      assertThat(node.ready().path("socketIoClient").asText()).startsWith("4.");
    }
    node.connect(name, port, Map.of("token", "t-nora"), null);
    node.awaitConnect(name);
    assertThat(node.takeEvent(name, "dialogue:connected").path("userId").asText()).isEqualTo(NODE);
    JsonNode joined = node.request(name, "dialogue:join", join);
    assertThat(joined.path("ok").asBoolean()).as("join answered %s", joined).isTrue();
    return joined;
  }

  private List<Seen> browserSeen(int n) {
    browser.await("seen.length >= " + n);
    List<Seen> seen = new ArrayList<>();
    for (Object json : (List<?>) browser.eval("seen")) {
      try {
        seen.add(Seen.of(JSON.readTree((String) json)));
      } catch (JsonProcessingException e) {
        throw new AssertionError("unparsable event from the page: " + json, e);
      }
    }
    assertThat(seen).as("events at the browser client").hasSize(n);
    return seen;
  }

  private List<Seen> nodeSeen(String name, int n) {
    return IntStream.range(0, n)
        .mapToObj(i -> Seen.of(node.takeEvent(name, "dialogue:event")))
        .toList();
  }

  private static List<Long> offsets(long first, long last) {
    return LongStream.rangeClosed(first, last).boxed().toList();
  }

  /** {@code "CODE: message"} of a Node client's error, from an ack or a dialogue:error event. */
  private static String nodeError(JsonNode answer) {
    JsonNode error = answer.has("error") ? answer.get("error") : answer;
    assertThat(answer.path("ok").asBoolean(false)).as("failed: %s", answer).isFalse();
    return error.path("code").asText() + ": " + error.path("message").asText();
  }

  /** {@code "CODE: message"} of a Java client's failed request. */
  private static String failure(CompletableFuture<?> future) throws Exception {
    try {
      Object value = future.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      throw new AssertionError("expected a failure, got " + value);
    } catch (ExecutionException e) {
      assertThat(e.getCause()).isInstanceOf(DialogueClientException.class);
      DialogueClientException failure = (DialogueClientException) e.getCause();
      return failure.code() + ": " + failure.getMessage();
    }
  }

  private static <T> T await(CompletableFuture<T> future)
      throws InterruptedException, ExecutionException, TimeoutException {
    return future.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
  }
}
