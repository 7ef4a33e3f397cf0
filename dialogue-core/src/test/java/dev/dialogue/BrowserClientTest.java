package dev.dialogue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dialogue.testing.Browser;
import dev.dialogue.testing.RawClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The browser client ({@code dialogue.js}) in a real headless Chromium against a real server. */
@Timeout(120)
class BrowserClientTest {
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static Browser browser;

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

  @Test
  void server_servesScript_withTypeAndEtag_andLeavesOtherPathsAlone() throws Exception {
    try (Dialogue server = TestServers.builder().build().start()) {
      HttpResponse<String> script = get(server.port(), "/dialogue.js", null);
      assertThat(script.statusCode()).isEqualTo(200);
      assertThat(script.headers().firstValue("Content-Type"))
          .hasValue("application/javascript; charset=utf-8");
      assertThat(script.body()).contains("window").contains("EIO=4");
      String etag = script.headers().firstValue("ETag").orElseThrow();
      assertThat(get(server.port(), "/dialogue.js", etag).statusCode()).isEqualTo(304);
      assertThat(get(server.port(), "/other.js", null).statusCode()).isEqualTo(400);
      HttpResponse<String> polling =
          get(server.port(), "/socket.io/?EIO=4&transport=polling", null);
      assertThat(polling.statusCode()).isEqualTo(200);
      assertThat(polling.body()).startsWith("0{");
    }
  }

  @Test
  void server_browserClientPath_movesOrTurnsOffTheScript() throws Exception {
    try (Dialogue moved = TestServers.builder().browserClientPath("/js/d.js").build().start();
        Dialogue off = TestServers.builder().browserClientPath(null).build().start()) {
      assertThat(get(moved.port(), "/js/d.js", null).statusCode()).isEqualTo(200);
      assertThat(get(moved.port(), "/dialogue.js", null).statusCode()).isEqualTo(400);
      assertThat(get(off.port(), "/dialogue.js", null).statusCode()).isEqualTo(400);
    }
    assertThatThrownBy(() -> Dialogue.builder().browserClientPath("dialogue.js"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("dialogue.js");
    assertThatThrownBy(() -> Dialogue.builder().browserClientPath("/socket.io/d.js").build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("/socket.io");
  }

  @Test
  void originCheck_stillGuardsTheSocket_butNotTheScript() {
    try (Dialogue strict =
            TestServers.builder().allowedOrigins("https://app.example.com").build().start();
        Dialogue allowing =
            TestServers.builder().allowedOrigins(browser.pageOrigin()).build().start()) {
      String attempt =
          """
          const client = Dialogue.connect(server, {auth: {userId: 'oz'}, reconnect: false});
          try { await client.connect(); return 'connected'; } catch (e) { return e.code; }
          """;
      browser.open(strict.port());
      assertThat(browser.run(attempt)).isEqualTo("DISCONNECTED");
      browser.open(allowing.port());
      assertThat(browser.run(attempt)).isEqualTo("connected");
    }
  }

  @Test
  void connect_join_trigger_andReceiveFromJavaSide() {
    try (Dialogue server = TestServers.builder().build().start();
        RawClient bob = RawClient.connectAs(server.port(), "bob")) {
      bob.request("dialogue:join", Map.of("roomId", "chat"));
      browser.open(server.port());
      Map<String, Object> result =
          browser.runMap(
              """
          const client = window.client = Dialogue.connect(server, {auth: () => ({userId: 'alice'})});
          const states = [];
          client.onStateChange((s) => states.push(s));
          await client.connect();
          const room = await client.join('chat');
          room.on('message', (data, e) => log.push(e.from + ':' + data.text + ':' + e.offset));
          const t = room.trigger('message', {text: 'hi'});
          const published = await t.result;
          return {userId: client.userId, state: client.state, states, name: room.name,
                  cmid: t.clientMessageId, offset: published.offset, hasId: typeof published.id === 'string'};
          """);
      assertThat(result)
          .containsEntry("userId", "alice")
          .containsEntry("state", "connected")
          .containsEntry("name", "Chat")
          .containsEntry("offset", 1L)
          .containsEntry("hasId", true);
      assertThat(result.get("states")).isEqualTo(List.of("connecting", "connected"));
      RawClient.Received atBob = bob.take("dialogue:event");
      assertThat(atBob.data().path("from").asText()).isEqualTo("alice");
      assertThat(atBob.data().path("clientMessageId").asText()).isEqualTo(result.get("cmid"));

      bob.request(
          "dialogue:trigger",
          Map.of("roomId", "chat", "event", "message", "data", Map.of("text", "yo")));
      server.trigger("chat", "message", Map.of("text", "welcome"));
      browser.await("log.length === 3");
      assertThat(browser.eval("log"))
          .isEqualTo(List.of("alice:hi:1", "bob:yo:2", "system:welcome:3"));
    }
  }

  @Test
  void requests_failWithServerCodes() {
    try (Dialogue server = TestServers.builder().build().start()) {
      browser.open(server.port());
      Map<String, Object> result =
          browser.runMap(
              """
          const client = Dialogue.connect(server, {auth: {userId: 'carol'}});
          const code = (p) => p.then(() => 'resolved', (e) => e instanceof Dialogue.DialogueError && e.code + ': ' + e.message);
          const before = await code(client.listRooms());
          await client.connect();
          const room = await client.join('chat');
          return {
            before,
            notFound: await code(client.join('nope')),
            invalid: await code(room.trigger('message', {text: ''}).result),
            notAllowed: await code(room.trigger('dance', {}).result),
            rooms: (await client.listRooms()).map((r) => r.id).join(','),
            created: (await client.createRoom({id: 'r1', name: 'Room one'})).createdById,
            exists: await code(client.createRoom({id: 'r1', name: 'Again'})),
            history: (await room.getHistory('message', 0, 10)).events.length,
          };
          """);
      assertThat(result)
          .containsEntry("before", "NOT_CONNECTED: dialogue:listRooms: not connected");
      assertThat((String) result.get("notFound"))
          .isEqualTo("ROOM_NOT_FOUND: Room 'nope' does not exist");
      assertThat((String) result.get("invalid"))
          .startsWith("VALIDATION_FAILED: Event 'message' validation failed: text");
      assertThat((String) result.get("notAllowed")).startsWith("EVENT_NOT_ALLOWED");
      assertThat(result)
          .containsEntry("rooms", "chat,tiny,lobby")
          .containsEntry("created", "carol")
          .containsEntry("history", 0L);
      assertThat((String) result.get("exists")).isEqualTo("ROOM_EXISTS: Room 'r1' already exists");
    }
  }

  @Test
  void connect_whenAuthenticatorRefuses_rejectsWithItsReason_andDoesNotRetry() {
    List<Object> seen = new ArrayList<>();
    Authenticator auth =
        handshake -> {
          synchronized (seen) {
            seen.add(handshake.auth().get("token"));
          }
          return "good".equals(handshake.auth().get("token"))
              ? AuthResult.accept("dave")
              : AuthResult.reject("bad token");
        };
    try (Dialogue server = TestServers.builder().authenticator(auth).build().start()) {
      browser.open(server.port());
      Map<String, Object> result =
          browser.runMap(
              """
          const client = Dialogue.connect(server, {auth: () => ({token: 'stale'})});
          const errors = [];
          client.onError((e) => errors.push(e.code));
          try {
            await client.connect();
            return {connected: true};
          } catch (e) {
            return {code: e.code, message: e.message, state: client.state, errors};
          }
          """);
      assertThat(result)
          .containsEntry("code", "CONNECT_REFUSED")
          .containsEntry("message", "bad token")
          .containsEntry("state", "disconnected");
      assertThat(result.get("errors")).isEqualTo(List.of("CONNECT_REFUSED"));
      Map<String, Object> retried =
          browser.runMap(
              """
          const client = Dialogue.connect(server, {auth: async () => ({token: 'good'})});
          await client.connect();
          return {userId: client.userId};
          """);
      assertThat(retried).containsEntry("userId", "dave");
      synchronized (seen) {
        assertThat(seen).containsExactly("stale", "good");
      }
    }
  }

  @Test
  void disconnect_byServer_isFinal() {
    try (Dialogue server = TestServers.builder().build().start()) {
      browser.open(server.port());
      browser.run(
          """
          const client = window.client = Dialogue.connect(server, {
            auth: {userId: 'ivy'}, reconnect: {initial: 50, max: 50, jitter: 0}});
          client.onDisconnect((reason) => log.push(reason));
          await client.connect();
          """);
      server.clients("ivy").get(0).disconnect();
      browser.await("client.state === 'disconnected'");
      assertThat(browser.eval("log")).isEqualTo(List.of("io server disconnect"));
      assertThat(server.clients("ivy")).isEmpty();
    }
  }

  @Test
  void reconnect_afterServerRestart_rejoinsAndSendsOfflineQueueInOrder() {
    try (Dialogue first = TestServers.builder().build().start()) {
      reconnectAfterRestart(first);
    }
  }

  private void reconnectAfterRestart(Dialogue first) {
    int port = first.port();
    browser.open(port);
    browser.run(
        """
        let authCalls = 0;
        const client = window.client = Dialogue.connect(server, {
          auth: () => ({userId: 'erin', attempt: String(++authCalls)}),
          reconnect: {initial: 100, max: 400, jitter: 0.2}});
        window.authCalls = () => authCalls;
        client.onDisconnect((reason) => log.push('disconnect:' + reason));
        client.onConnect(() => log.push('connect'));
        await client.connect();
        const room = window.room = await client.join('chat');
        room.on('message', (data, e) => log.push(data.text + '@' + e.offset));
        await room.trigger('message', {text: 'm0'}).result;
        """);
    browser.await("log.includes('m0@1')");
    String firstEpoch = (String) browser.eval("room.epoch");
    first.stop();
    browser.await("client.state === 'reconnecting'");
    browser.run(
        """
        window.results = ['m1', 'm2', 'm3'].map((text) => room.trigger('message', {text}).result);
        """);
    assertThat(browser.eval("client.pendingTriggers")).isEqualTo(3L);

    List<String> atServer = new ArrayList<>();
    try (Dialogue second = TestServers.builder().port(port).build()) {
      second.start();
      second.on(
          "chat",
          "message",
          (data, envelope) -> {
            synchronized (atServer) {
              atServer.add(data.path("text").asText() + "@" + envelope.offset());
            }
          });
      Object offsets = browser.run("return (await Promise.all(results)).map((r) => r.offset);");
      assertThat(offsets).isEqualTo(List.of(1L, 2L, 3L));
      browser.await("log.includes('m3@3')");
      assertThat(browser.eval("log"))
          .isEqualTo(
              List.of(
                  "connect",
                  "m0@1",
                  "disconnect:transport close",
                  "connect",
                  "m1@1",
                  "m2@2",
                  "m3@3"));
      assertThat(browser.eval("room.epoch")).isNotEqualTo(firstEpoch);
      assertThat((Long) browser.eval("authCalls()")).isGreaterThanOrEqualTo(2L);
      assertThat(browser.eval("client.pendingTriggers")).isEqualTo(0L);
      synchronized (atServer) {
        assertThat(atServer).containsExactly("m1@1", "m2@2", "m3@3");
      }
    }
  }

  @Test
  void reconnect_afterTransportDrop_sameEpoch_deliversEachOffsetOnce() {
    try (Dialogue server = TestServers.builder().build().start();
        RawClient bob = RawClient.connectAs(server.port(), "bob")) {
      bob.request("dialogue:join", Map.of("roomId", "chat"));
      browser.open(server.port());
      browser.run(
          """
          const client = window.client = Dialogue.connect(server, {
            auth: {userId: 'fay'}, reconnect: {initial: 50, max: 200, jitter: 0}});
          client.onConnect(() => log.push('connect'));
          client.onHistory((roomId, events) => log.push('history:' + events.map((e) => e.offset).join(',')));
          await client.connect();
          const room = window.room = await client.join('chat');
          room.onAny((e) => log.push(e.data.text + '@' + e.offset));
          """);
      bob.request(
          "dialogue:trigger",
          Map.of("roomId", "chat", "event", "message", "data", Map.of("text", "a")));
      browser.await("log.includes('a@1')");
      String epoch = (String) browser.eval("room.epoch");

      browser.run("client._ws.close();"); // as if the network dropped
      browser.await(
          "log.filter((l) => l === 'connect').length === 2 && client.state === 'connected'");
      bob.request(
          "dialogue:trigger",
          Map.of("roomId", "chat", "event", "message", "data", Map.of("text", "b")));
      browser.await("log.includes('b@2')");

      assertThat(browser.eval("room.epoch")).isEqualTo(epoch);
      assertThat(browser.eval("room.lastOffset")).isEqualTo(2L);
      @SuppressWarnings("unchecked")
      List<String> log = (List<String>) browser.eval("log");
      assertThat(log.stream().filter(l -> l.contains("@"))).containsExactly("a@1", "b@2");
    }
  }

  @Test
  void rejoin_sendsSince_deliversMissedOnce_thenRestoresSubscriptions_thenSendsQueue() {
    try (Dialogue scriptSource = TestServers.builder().build().start()) {
      browser.open(scriptSource.port());
      browser.installScriptedServer();
      Map<String, Object> result =
          browser.runMap(
              """
          const env = (offset) => ({event: 'message', roomId: 'chat', data: {text: 't' + offset}, from: 'x',
                                    timestamp: 1, id: 'id' + offset, offset});
          scripted.answers['dialogue:join'] = (p, i) => [
            {roomId: 'chat', roomName: 'Chat', offset: 5, epoch: 'E1'},
            {roomId: 'chat', roomName: 'Chat', offset: 8, epoch: 'E1', recovered: true, missed: [env(6), env(7), env(8)]},
            {roomId: 'chat', roomName: 'Chat', offset: 0, epoch: 'E2', recovered: false, history: []},
          ][i];
          scripted.answers['dialogue:trigger'] = () => ({id: 'q', offset: 10, timestamp: 2});
          const client = Dialogue.connect(server, {auth: {userId: 'gus'}, reconnect: {initial: 200, max: 200, jitter: 0}});
          await client.connect();
          const room = await client.join('chat');
          room.on('message', (d, e) => log.push(e.offset));
          scripted.live(scripted.sockets[0], env(6));
          await until(() => log.length === 1);
          scripted.dropLatest();
          await until(() => client.state === 'reconnecting');
          const queued = room.trigger('message', {text: 'queued'});
          await until(() => scripted.sockets.length === 2 && client.state === 'connected');
          const published = await queued.result;
          scripted.live(scripted.sockets[1], env(8));
          scripted.live(scripted.sockets[1], env(9));
          await until(() => log.includes(9));
          scripted.dropLatest();
          await until(() => scripted.sockets.length === 3 && client.state === 'connected' && room.epoch === 'E2');
          scripted.live(scripted.sockets[2], env(1));
          await until(() => log.length === 5);
          const joins = scripted.requests.filter((r) => r[0] === 'dialogue:join').map((r) => r[1]);
          return {log, joins, published: published.offset, lastOffset: room.lastOffset,
                  requests: scripted.requests.map((r) => r[0].replace('dialogue:', '')).join(',')};
          """);
      assertThat(result.get("log")).isEqualTo(List.of(6L, 7L, 8L, 9L, 1L));
      assertThat(result.get("joins"))
          .isEqualTo(
              List.of(
                  Map.of("roomId", "chat"),
                  Map.of(
                      "roomId",
                      "chat",
                      "since",
                      Map.of("offset", 6L, "epoch", "E1"),
                      "subscribe",
                      List.of("message")),
                  Map.of(
                      "roomId",
                      "chat",
                      "since",
                      Map.of("offset", 9L, "epoch", "E1"),
                      "subscribe",
                      List.of("message"))));
      assertThat(result)
          .containsEntry("published", 10L)
          .containsEntry("lastOffset", 1L)
          .containsEntry("requests", "join,subscribe,join,subscribe,trigger,join,subscribe");
    }
  }

  @Test
  void heartbeat_timeouts_andOfflineQueueLimit_failWithCodes() {
    try (Dialogue scriptSource = TestServers.builder().build().start()) {
      browser.open(scriptSource.port());
      browser.installScriptedServer();
      Map<String, Object> result =
          browser.runMap(
              """
          scripted.pingInterval = 150;
          scripted.pingTimeout = 150;
          scripted.answers['dialogue:getHistory'] = () => undefined; // never answered
          const client = Dialogue.connect(server, {auth: {userId: 'hal'}, requestTimeout: 100, offlineQueueSize: 2,
                                                   reconnect: {initial: 5000, max: 5000, jitter: 0}});
          const reasons = [];
          client.onDisconnect((r) => reasons.push(r));
          await client.connect();
          const room = await client.join('chat');
          const socket = scripted.sockets[0];
          const pinger = setInterval(() => socket.receive('2'), 50);
          const timeout = await room.getHistory('message', 0, 10).catch((e) => e.code);
          clearInterval(pinger);
          const pongs = socket.sent.filter((f) => f === '3').length;
          await until(() => client.state === 'reconnecting');
          const codes = [];
          const results = [1, 2, 3].map((n) => room.trigger('message', {text: 'n' + n}).result.catch((e) => codes.push(e.code + '/' + e.fate)));
          await until(() => codes.length === 1);
          const pending = client.pendingTriggers;
          client.disconnect(); // the two queued triggers fail: they never left the page
          await Promise.all(results);
          const after = await client.listRooms().catch((e) => e.code);
          const later = await room.trigger('message', {text: 'later'}).result.catch((e) => e.code + '/' + e.fate);
          return {timeout, pongs: pongs > 0, reasons, codes, pending, state: client.state, after, later,
                  left: client.pendingTriggers};
          """);
      assertThat(result)
          .containsEntry("timeout", "TIMEOUT")
          .containsEntry("pongs", true)
          .containsEntry("pending", 2L)
          .containsEntry("state", "disconnected")
          .containsEntry("after", "NOT_CONNECTED")
          .containsEntry("later", "NOT_CONNECTED/not-sent")
          .containsEntry("left", 0L);
      assertThat(result.get("reasons")).isEqualTo(List.of("ping timeout"));
      assertThat(result.get("codes"))
          .isEqualTo(
              List.of(
                  "OFFLINE_QUEUE_FULL/not-sent", "DISCONNECTED/not-sent", "DISCONNECTED/not-sent"));
    }
  }

  private static HttpResponse<String> get(int port, String path, String ifNoneMatch)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
    if (ifNoneMatch != null) {
      request.header("If-None-Match", ifNoneMatch);
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
