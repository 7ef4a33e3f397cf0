package dev.dialogue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dialogue.testing.Browser;
import dev.dialogue.testing.FaultProxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The browser client loses nothing (issue 14): events the server sends right after a join reach
 * handlers registered later or in the join's setup, rooms server code joins and leaves for the
 * connection are created and closed ({@code onJoined}/{@code onLeft}), also across a cut, and a
 * re-join retry stops when its room is left. Real server, real Chromium.
 */
@Timeout(90)
class BrowserRoomsTest {
  private static final EventDefinition<TestServers.Message> MESSAGE =
      EventDefinition.builder("message", TestServers.Message.class).history(5_000).build();

  private static final String SETUP =
      """
      window.mk = (port, userId, extra = {}) => Dialogue.connect('http://127.0.0.1:' + port,
          Object.assign({auth: {userId}, requestTimeout: 2000, connectTimeout: 15000,
                         reconnect: {initial: 50, max: 200, jitter: 0.5}}, extra));
      window.errors = [];
      """;

  private static Browser browser;
  private final List<AutoCloseable> closeables = new ArrayList<>();

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
  void closeAll() throws Exception {
    browser.eval("window.client && window.client.close()");
    for (int i = closeables.size() - 1; i >= 0; i--) {
      closeables.get(i).close();
    }
  }

  private Dialogue server(Dialogue.Builder builder) {
    Dialogue server =
        builder
            .host("127.0.0.1")
            .port(0)
            .room(
                RoomConfig.builder("chat", "Chat")
                    .events(MESSAGE)
                    .defaultSubscriptions("message")
                    .build(),
                RoomConfig.builder("lobby", "Lobby").anyEvent().defaultSubscriptions("*").build(),
                RoomConfig.builder("quiet", "Quiet").anyEvent().build())
            .build()
            .start();
    closeables.add(server);
    browser.open(server.port());
    browser.run(SETUP);
    return server;
  }

  private FaultProxy proxy(Dialogue server) {
    FaultProxy proxy = FaultProxy.to(server.port());
    closeables.add(proxy);
    return proxy;
  }

  private static void away(Dialogue server, FaultProxy proxy, String userId, Runnable whileAway) {
    proxy.refuse(true);
    proxy.reset();
    TestServers.awaitState("the server forgot " + userId, () -> server.clients(userId).isEmpty());
    whileAway.run();
    proxy.refuse(false);
  }

  private static DialogueListener onJoinedTriggers(String event, int n) {
    return new DialogueListener() {
      @Override
      public void onJoined(ClientConnection client, Room room) {
        for (int i = 1; i <= n; i++) {
          room.trigger(event, Map.of("text", "n" + i));
        }
        client.send("burstDone", Map.of());
      }
    };
  }

  @Test
  void eventsFromOnJoined_reachAHandlerRegisteredLater() {
    Dialogue server = server(Dialogue.builder().listener(onJoinedTriggers("message", 3)));
    Object got =
        browser.run(
            "const client = window.client = mk("
                + server.port()
                + """
                , 'alice');
                await client.connect();
                let done = false;
                client.on('burstDone', () => { done = true; });
                const chat = await client.join('chat');
                await until(() => done); // the events arrived before any handler
                const texts = [];
                chat.on('message', (data) => texts.push(data.text));
                await until(() => texts.length >= 3);
                return texts;
                """);
    assertThat(got).isEqualTo(List.of("n1", "n2", "n3"));
  }

  @Test
  void aBurstPastTheBound_isReportedThroughOnError() {
    Dialogue server = server(Dialogue.builder().listener(onJoinedTriggers("message", 1_100)));
    Map<String, Object> got =
        browser.runMap(
            "const client = window.client = mk("
                + server.port()
                + """
                , 'alice');
                client.onError((e) => errors.push(e));
                await client.connect();
                let done = false;
                client.on('burstDone', () => { done = true; });
                const chat = await client.join('chat');
                await until(() => done);
                const texts = [];
                chat.on('message', (data) => texts.push(data.text));
                await until(() => texts.length >= 1000);
                return {first: texts[0], count: texts.length, codes: errors.map((e) => e.code),
                        message: errors[0] && errors[0].message};
                """);
    assertThat(got.get("first")).isEqualTo("n101");
    assertThat(got.get("count")).isEqualTo(1000L);
    assertThat(got.get("codes")).isEqualTo(List.of("EVENTS_DROPPED"));
    assertThat((String) got.get("message")).contains("chat").contains("1000");
  }

  @Test
  void handlersFromTheJoinSetup_getEventsOfNamesOutsideTheDefaults() {
    Dialogue server = server(Dialogue.builder().listener(onJoinedTriggers("ping", 1)));
    Map<String, Object> got =
        browser.runMap(
            "const client = window.client = mk("
                + server.port()
                + """
                , 'alice');
                await client.connect();
                const pings = [];
                let joinedInSetup;
                const quiet = await client.join('quiet', (room) => {
                  joinedInSetup = room.joined;
                  room.on('ping', (data, e) => pings.push(e.event + ':' + data.text));
                });
                await until(() => pings.length >= 1);
                return {pings, joinedInSetup, joined: quiet.joined, same: client.room('quiet') === quiet};
                """);
    assertThat(got)
        .containsEntry("pings", List.of("ping:n1"))
        .containsEntry("joinedInSetup", false)
        .containsEntry("joined", true)
        .containsEntry("same", true);
    assertThat(server.clients("alice").get(0).subscriptions("quiet")).containsExactly("ping");
  }

  @Test
  void aRoomServerCodeJoins_isAnnounced_andAServerLeaveClosesIt() {
    Dialogue server =
        server(
            Dialogue.builder()
                .listener(
                    new DialogueListener() {
                      @Override
                      public void onConnected(ClientConnection client) {
                        client.join("lobby");
                      }

                      @Override
                      public void onJoined(ClientConnection client, Room room) {
                        room.trigger("hello", Map.of("n", 1));
                        room.trigger("hello", Map.of("n", 2));
                      }
                    }));
    Map<String, Object> got =
        browser.runMap(
            "const client = window.client = mk("
                + server.port()
                + """
                , 'alice');
                window.hellos = [];
                window.joinedRooms = [];
                window.leftRooms = [];
                window.removed = [];
                client.onJoined((room) => {
                  joinedRooms.push(room.id + ':' + room.name + ':' + room.joined);
                  room.on('hello', (data) => hellos.push(data.n));
                  room.onRemoved((e) => removed.push(e.code));
                });
                client.onLeft((room) => leftRooms.push(room.id + ':' + room.joined));
                await client.connect();
                await until(() => hellos.length >= 2);
                const lobby = client.room('lobby');
                return {hellos, joinedRooms, same: (await client.join('lobby')) === lobby};
                """);
    assertThat(got)
        .containsEntry("hellos", List.of(1L, 2L))
        .containsEntry("joinedRooms", List.of("lobby:Lobby:true"))
        .containsEntry("same", true);
    assertThat(server.clients("alice").get(0).leave("lobby")).isTrue();
    browser.await("leftRooms.length >= 1");
    assertThat(browser.eval("leftRooms")).isEqualTo(List.of("lobby:false"));
    assertThat(browser.eval("removed")).isEqualTo(List.of("NOT_IN_ROOM"));
    assertThat(browser.eval("client.room('lobby') === undefined")).isEqualTo(true);
  }

  @Test
  void clientLevelHandlers_getThePayloadAndAnEnvelope() {
    Dialogue server = server(Dialogue.builder());
    browser.run(
        "const client = window.client = mk("
            + server.port()
            + """
            , 'alice');
            window.notices = [];
            client.on('notice', (data, e) => notices.push(data.text + ':' + e.event + ':' + (e.data === data)));
            await client.connect();
            """);
    server.clients("alice").get(0).send("notice", Map.of("text", "at five"));
    browser.await("notices.length >= 1");
    assertThat(browser.eval("notices")).isEqualTo(List.of("at five:notice:true"));
  }

  @Test
  void aRoomServerCodeJoinedOnce_isRejoinedAfterACut_withTheEventsMissed() {
    Dialogue server = server(Dialogue.builder());
    FaultProxy proxy = proxy(server);
    browser.run(
        "const client = window.client = mk("
            + proxy.port()
            + """
            , 'alice');
            window.texts = [];
            window.joinedRooms = [];
            client.onJoined((room) => {
              joinedRooms.push(room.id);
              room.on('message', (data, e) => texts.push(data.text + '@' + e.offset));
            });
            await client.connect();
            """);
    server.clients("alice").get(0).join("chat");
    browser.await("joinedRooms.length >= 1");
    server.trigger("chat", "message", new TestServers.Message("before"));
    browser.await("texts.length >= 1");
    away(
        server,
        proxy,
        "alice",
        () -> {
          for (int i = 1; i <= 3; i++) {
            server.trigger("chat", "message", new TestServers.Message("away " + i));
          }
        });
    browser.await("texts.length >= 4");
    TestServers.awaitState("alice is back in chat", () -> server.isInRoom("alice", "chat"));
    server.trigger("chat", "message", new TestServers.Message("after"));
    browser.await("texts.length >= 5");
    assertThat(browser.eval("texts"))
        .isEqualTo(List.of("before@1", "away 1@2", "away 2@3", "away 3@4", "after@5"));
    assertThat(browser.eval("joinedRooms")).isEqualTo(List.of("chat"));
  }

  @Test
  void aRoomTheServerJoinsOnEveryConnection_staysOneRoom_andRecoversWhatWasPublishedMeanwhile() {
    Dialogue server =
        server(
            Dialogue.builder()
                .listener(
                    new DialogueListener() {
                      @Override
                      public void onConnected(ClientConnection client) {
                        client.join("chat");
                      }
                    }));
    FaultProxy proxy = proxy(server);
    browser.run(
        "const client = window.client = mk("
            + proxy.port()
            + """
            , 'alice');
            window.texts = [];
            window.joinedRooms = [];
            client.onError((e) => errors.push(e.code + ': ' + e.message));
            client.onJoined((room) => {
              joinedRooms.push(room);
              room.on('message', (data) => texts.push(data.text));
            });
            await client.connect();
            """);
    browser.await("joinedRooms.length >= 1");
    server.trigger("chat", "message", new TestServers.Message("before"));
    browser.await("texts.length >= 1");
    away(
        server,
        proxy,
        "alice",
        () -> {
          server.trigger("chat", "message", new TestServers.Message("away 1"));
          server.trigger("chat", "message", new TestServers.Message("away 2"));
        });
    TestServers.awaitState("alice is back in chat", () -> server.isInRoom("alice", "chat"));
    server.trigger("chat", "message", new TestServers.Message("after"));
    browser.await("texts.length >= 4");
    // The client named "chat" in auth.rejoin: the server's join waited for its re-join.
    assertThat(browser.eval("texts")).isEqualTo(List.of("before", "away 1", "away 2", "after"));
    assertThat(browser.eval("errors")).isEqualTo(List.of());
    assertThat(browser.eval("joinedRooms.length === 1 && client.room('chat') === joinedRooms[0]"))
        .isEqualTo(true);
    assertThat(browser.eval("client.room('chat').lastOffset")).isEqualTo(4L);
  }

  @Test
  void aRejoinRetry_stopsWhenTheRoomIsLeft() {
    AtomicBoolean failJoins = new AtomicBoolean();
    AtomicInteger failed = new AtomicInteger();
    Dialogue server =
        server(
            Dialogue.builder()
                .joinPolicy(
                    (connection, room) -> {
                      if (failJoins.get()) {
                        failed.incrementAndGet();
                        throw new IllegalStateException("the policy's store is down");
                      }
                      return Decision.allow();
                    }));
    FaultProxy proxy = proxy(server);
    browser.run(
        "const client = window.client = mk("
            + proxy.port()
            + """
            , 'alice', {reconnect: {initial: 1500, max: 30000, jitter: 0}});
            await client.connect();
            window.chat = await client.join('chat');
            """);
    failJoins.set(true);
    proxy.reset();
    TestServers.awaitState("the re-join was refused", () -> failed.get() >= 1);
    // The client waits 1.5 s before asking again; leaving now ends that wait.
    browser.run(
        """
        await client.listRooms(); // answered after the refusal: the client has read it
        const waiting = client._sleeps.size;
        await chat.leave();
        window.after = client._sleeps.size;
        window.waiting = waiting;
        """);
    assertThat(browser.eval("waiting")).isEqualTo(1L);
    assertThat(browser.eval("after")).isEqualTo(0L);
    browser.await("client.state === 'connected'");
    assertThat(failed.get()).isEqualTo(1);
  }

  @Test
  void presence_isReadAndFollowedThroughThePublicApi() {
    Dialogue server =
        Dialogue.builder()
            .host("127.0.0.1")
            .port(0)
            .room(RoomConfig.builder("team", "Team").anyEvent().presence(true).build())
            .build()
            .start();
    closeables.add(server);
    browser.open(server.port());
    browser.run(SETUP);
    Object got =
        browser.run(
            "const port = "
                + server.port()
                + """
                ;
                const alice = window.client = mk(port, 'alice');
                await alice.connect();
                const changes = [];
                const team = await alice.join('team', (room) => {
                  room.onPresence((joins, leaves) => changes.push({joins, leaves}));
                });
                await until(() => changes.length === 1);
                const bob = mk(port, 'bob');
                await bob.connect();
                await bob.join('team');
                await until(() => changes.length === 2);
                const present = (await team.presence()).map((u) => u.userId).sort();
                bob.close();
                await until(() => changes.length === 3);
                return {changes, present};
                """);
    assertThat(got)
        .isEqualTo(
            Map.of(
                "changes",
                List.of(
                    Map.of("joins", List.of("alice"), "leaves", List.of()),
                    Map.of("joins", List.of("bob"), "leaves", List.of()),
                    Map.of("joins", List.of(), "leaves", List.of("bob"))),
                "present",
                List.of("alice", "bob")));
  }

  @Test
  void aTriggerUnderTheCallersId_isPublishedOnce_andItsRepeatIsADuplicate() {
    Dialogue server = server(Dialogue.builder());
    Object got =
        browser.run(
            "const client = window.client = mk("
                + server.port()
                + """
                , 'alice');
                await client.connect();
                const chat = await client.join('chat');
                const first = chat.trigger('message', {text: 'once'}, undefined, {clientMessageId: 'm-1'});
                const a = await first.result;
                const b = await chat.trigger('message', {text: 'once'}, undefined, {clientMessageId: 'm-1'}).result;
                let refused = '';
                try { chat.trigger('message', {text: 'x'}, undefined, {clientMessageId: ''}); }
                catch (e) { refused = e.message; }
                return {id: first.clientMessageId, same: a.id === b.id && a.offset === b.offset,
                        duplicate: b.duplicate === true, refused};
                """);
    assertThat(got)
        .isEqualTo(
            Map.of(
                "id",
                "m-1",
                "same",
                true,
                "duplicate",
                true,
                "refused",
                "clientMessageId must be a string of 1 to 256 characters"));
    assertThat(server.room("chat").orElseThrow().offset()).isEqualTo(1);
  }
}
