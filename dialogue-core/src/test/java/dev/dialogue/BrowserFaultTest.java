package dev.dialogue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dialogue.testing.Browser;
import dev.dialogue.testing.FaultProxy;
import dev.dialogue.testing.RejoinCut;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The browser client ({@code dialogue.js}, in Chromium) between a real server and a {@link
 * FaultProxy}: connections reset and black-holed past the heartbeat while acknowledged triggers
 * flow, cuts at every moment of a re-join, and the fate of every promise. The counterpart of the
 * Java client's {@code ClientFaultTest}.
 */
@Timeout(60)
class BrowserFaultTest {
  private static final EventDefinition<TestServers.Message> MESSAGE =
      EventDefinition.builder("message", TestServers.Message.class).history(10_000).build();

  /**
   * Helpers of every page: {@code mk(port, userId, options)} makes a client with short timeouts;
   * {@code outcome(promise)} says how a trigger ended ({@code ok:<offset>} or {@code CODE/fate}).
   */
  private static final String SETUP =
      """
      window.mk = (port, userId, extra = {}) => Dialogue.connect('http://127.0.0.1:' + port,
          Object.assign({auth: {userId}, requestTimeout: 700, connectTimeout: 15000,
                         reconnect: {initial: 50, max: 200, jitter: 0.5}}, extra));
      window.outcome = (p) => p.then((r) => 'ok:' + r.offset, (e) => e.code + '/' + e.fate);
      """;

  private static Browser browser;
  private final List<AutoCloseable> closeables = new ArrayList<>();
  private final AtomicBoolean denyJoins = new AtomicBoolean();

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
    for (int i = closeables.size() - 1; i >= 0; i--) {
      closeables.get(i).close();
    }
  }

  private Dialogue server() {
    return server(Duration.ofMillis(200), Duration.ofMillis(300));
  }

  private Dialogue server(Duration pingInterval, Duration pingTimeout) {
    Dialogue server =
        Dialogue.builder()
            .host("127.0.0.1")
            .port(0)
            .heartbeat(pingInterval, pingTimeout)
            .joinPolicy(
                (connection, room) ->
                    denyJoins.get() ? Decision.deny("joins are closed") : Decision.allow())
            .room(
                RoomConfig.builder("chat", "Chat")
                    .events(MESSAGE)
                    .defaultSubscriptions("message")
                    .build())
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

  private static List<String> texts(String prefix, int n) {
    return IntStream.range(0, n).mapToObj(i -> prefix + i).toList();
  }

  /**
   * Waits for {@code n} events in {@code window.received} ([text, offset] pairs) and returns them.
   */
  @SuppressWarnings("unchecked")
  private static List<List<Object>> received(int n) {
    browser.await("received.length >= " + n);
    return (List<List<Object>>) browser.eval("received");
  }

  /** The texts are {@code expected}, in order, each once, at offsets rising by one. */
  private static void assertExactlyInOrder(List<List<Object>> got, List<String> expected) {
    assertThat(got).extracting(e -> (String) e.get(0)).containsExactlyElementsOf(expected);
    for (int i = 1; i < got.size(); i++) {
      assertThat((Long) got.get(i).get(1)).isEqualTo((Long) got.get(i - 1).get(1) + 1);
    }
  }

  // ---- exactly once under faults ----

  enum Fault {
    RESET,
    BLACK_HOLE_PAST_HEARTBEAT
  }

  @ParameterizedTest
  @EnumSource(Fault.class)
  void publisherAndSubscriberCutRepeatedly_everyTriggerArrivesOnceInOrder(Fault fault) {
    Dialogue server = server();
    FaultProxy toPublisher = proxy(server);
    FaultProxy toSubscriber = proxy(server);
    AtomicInteger seenByServer = new AtomicInteger();
    server.room("chat").orElseThrow().on("message", (data, m) -> seenByServer.incrementAndGet());
    browser.run(
        """
        window.pub = mk(%d, 'pub');
        window.sub = mk(%d, 'sub');
        await pub.connect();
        await sub.connect();
        window.out = await pub.join('chat');
        const room = await sub.join('chat');
        window.received = [];
        room.on('message', (d, e) => received.push([d.text, e.offset]));
        window.sent = [];
        // At most ten in flight; returns with the last ten unconfirmed.
        window.chunk = async (from, to) => {
          for (let i = from; i < to; i++) {
            sent.push(out.trigger('message', {text: 'm' + i}));
            if (i >= 10) await sent[i - 10].result;
          }
        };
        """
            .formatted(toPublisher.port(), toSubscriber.port()));

    int n = fault == Fault.RESET ? 160 : 100;
    for (int c = 0; c < n / 20; c++) {
      browser.run("await chunk(%d, %d);".formatted(c * 20, c * 20 + 20));
      if (fault == Fault.RESET) {
        (c % 2 == 0 ? toPublisher : toSubscriber).reset();
      } else if (c == 1) {
        toPublisher.blackHole(Duration.ofMillis(1_200));
      } else if (c == 3) {
        toSubscriber.blackHole(Duration.ofMillis(1_200));
      }
    }
    Object offsets =
        browser.run("return (await Promise.all(sent.map((s) => s.result))).map((r) => r.offset);");
    assertThat(offsets).isEqualTo(LongStream.rangeClosed(1, n).boxed().toList());
    browser.run("await out.trigger('message', {text: 'end'}).result;");

    List<String> expected = new ArrayList<>(texts("m", n));
    expected.add("end");
    List<List<Object>> got = received(n + 1);
    assertExactlyInOrder(got, expected);
    assertThat(browser.eval("[pub.pendingTriggers, received.length]"))
        .isEqualTo(List.of(0L, n + 1L));
    assertThat(seenByServer.get()).isEqualTo(n + 1);
    if (fault == Fault.RESET) {
      assertThat(toPublisher.resets()).isPositive();
      assertThat(toSubscriber.resets()).isPositive();
    } else {
      assertThat(browser.eval("[pub.state, sub.state]"))
          .isEqualTo(List.of("connected", "connected"));
    }
  }

  /**
   * {@code window.pub}, through {@code proxy}, with a request timeout of 150 ms, joined to chat as
   * {@code window.out}; {@code window.log} records its disconnects.
   */
  private static void joinImpatientPublisher(FaultProxy proxy) {
    browser.run(
        """
        window.pub = mk(%d, 'pub', {requestTimeout: 150});
        window.log = [];
        pub.onDisconnect((r) => log.push('disconnect:' + r));
        await pub.connect();
        window.out = await pub.join('chat');
        """
            .formatted(proxy.port()));
  }

  @Test
  void triggerBlackHoledPastTheHeartbeat_isConfirmedOnce_notFailedWithTimeout() throws Exception {
    Dialogue server = server();
    FaultProxy proxy = proxy(server);
    joinImpatientPublisher(proxy);
    proxy.blackHole();
    browser.run(
        "window.held = out.trigger('message', {text: 'held'}); held.result.catch(() => {});");
    browser.await("log.length > 0"); // the heartbeat gave up on the held connection
    proxy.restore();
    Map<String, Object> result =
        browser.runMap(
            "const r = await held.result; return {offset: r.offset, id: held.clientMessageId};");

    assertThat(result).containsEntry("offset", 1L);
    assertThat(server.room("chat").orElseThrow().history("message", 0, 10))
        .extracting(EventMessage::clientMessageId)
        .containsExactly((String) result.get("id"));
  }

  @Test
  void requestTimeoutsWhileConnected_resendWithTheSameId_andArePublishedOnce() {
    // A heartbeat that outlasts the black hole: the connection stays, the trigger times out and is
    // sent again on it, four times or so, and every copy arrives once the bytes flow again.
    Dialogue server = server(Duration.ofSeconds(3), Duration.ofSeconds(3));
    FaultProxy proxy = proxy(server);
    joinImpatientPublisher(proxy);
    proxy.blackHole();
    browser.run(
        "window.held = out.trigger('message', {text: 'held'}); held.result.catch(() => {});"
            + " await new Promise((r) => setTimeout(r, 700));");
    proxy.restore();
    Map<String, Object> result =
        browser.runMap(
            "const r = await held.result; return {offset: r.offset, duplicate: !!r.duplicate,"
                + " id: held.clientMessageId, log};");

    // duplicate: the answer that settled it is to a resend; the first copy was published, once.
    assertThat(result).containsEntry("offset", 1L).containsEntry("duplicate", true);
    assertThat(result.get("log")).isEqualTo(List.of());
    assertThat(server.room("chat").orElseThrow().history("message", 0, 10))
        .extracting(EventMessage::clientMessageId)
        .containsExactly((String) result.get("id"));
  }

  // ---- re-join interrupted at every moment ----

  @ParameterizedTest
  @EnumSource(RejoinCut.class)
  void cutDuringTheRejoin_keepsTheRoom_andTheNextConnectionRejoinsIt(RejoinCut cut)
      throws Exception {
    Dialogue server = server();
    FaultProxy proxy = proxy(server);
    browser.run(
        """
        window.sub = mk(%d, 'sub');
        window.errors = [];
        sub.onError((e) => errors.push(e.code));
        await sub.connect();
        window.room = await sub.join('chat');
        window.received = [];
        room.on('message', (d, e) => received.push([d.text, e.offset]));
        await until(() => !sub._pending.size); // the subscription is answered
        """
            .formatted(proxy.port()));
    Room chat = server.room("chat").orElseThrow();
    chat.trigger("message", new TestServers.Message("before"));
    received(1);

    CompletableFuture<Void> cutDone = proxy.cutWhen(cut.direction, cut.marker, cut.when);
    proxy.reset();
    chat.trigger("message", new TestServers.Message("while away"));
    cutDone.get(15, TimeUnit.SECONDS);
    browser.await("sub.state === 'connected' && sub._ready");
    chat.trigger("message", new TestServers.Message("after"));

    assertExactlyInOrder(received(3), List.of("before", "while away", "after"));
    assertThat(browser.eval("[sub.room('chat') === room, room.joined, errors.length]"))
        .isEqualTo(List.of(true, true, 0L));
    assertThat(proxy.resets()).isGreaterThanOrEqualTo(2);
  }

  @Test
  void rejoinRefused_removesTheRoomAndSaysSo() {
    Dialogue server = server();
    FaultProxy proxy = proxy(server);
    browser.run(
        """
        window.sub = mk(%d, 'sub');
        window.errors = [];
        window.removed = [];
        sub.onError((e) => errors.push(e.code + ': ' + e.message));
        await sub.connect();
        window.room = await sub.join('chat');
        room.onRemoved((e) => removed.push(e.code + '/' + e.fate));
        """
            .formatted(proxy.port()));

    denyJoins.set(true);
    proxy.reset();

    browser.await("removed.length === 1 && errors.length === 1");
    assertThat(browser.eval("removed")).isEqualTo(List.of("JOIN_DENIED/refused"));
    assertThat((String) ((List<?>) browser.eval("errors")).get(0))
        .startsWith("JOIN_DENIED")
        .contains("chat")
        .contains("joins are closed");
    assertThat(browser.eval("[room.joined, sub.room('chat') === undefined]"))
        .isEqualTo(List.of(false, true));
  }

  // ---- every promise settles ----

  @Test
  void close_rejectsEveryPromiseWithClosed_sentOnesUnknown() {
    Dialogue server = server();
    FaultProxy proxy = proxy(server);
    browser.run(
        """
        window.pub = mk(%d, 'pub', {maxTriggersInFlight: 2});
        await pub.connect();
        window.out = await pub.join('chat');
        """
            .formatted(proxy.port()));
    proxy.blackHole();
    Map<String, Object> result =
        browser.runMap(
            """
            const pending = [0, 1, 2, 3].map((i) => out.trigger('message', {text: 't' + i}));
            const list = pub.listRooms().catch((e) => e.code + '/' + e.fate);
            pub.close();
            return {
              fates: await Promise.all(pending.map((p) => outcome(p.result))),
              list: await list,
              late: await outcome(out.trigger('message', {text: 'late'}).result),
              connect: await pub.connect().catch((e) => e.code),
              join: await pub.join('other').catch((e) => e.code),
              cancelAfter: pending[0].cancel(),
              pending: pub.pendingTriggers,
              state: pub.state,
            };
            """);

    assertThat(result.get("fates"))
        .isEqualTo(
            List.of("CLOSED/unknown", "CLOSED/unknown", "CLOSED/not-sent", "CLOSED/not-sent"));
    assertThat(result)
        .containsEntry("list", "CLOSED/unknown")
        .containsEntry("late", "CLOSED/not-sent")
        .containsEntry("connect", "CLOSED")
        .containsEntry("join", "CLOSED")
        .containsEntry("cancelAfter", false)
        .containsEntry("pending", 0L)
        .containsEntry("state", "disconnected");
  }

  @Test
  void disconnect_andALostConnectionWithoutReconnect_rejectTriggersInFlight() {
    Dialogue server = server();
    FaultProxy proxy = proxy(server);
    browser.run(
        """
        window.a = mk(%1$d, 'a');
        window.b = mk(%1$d, 'b', {reconnect: false});
        await a.connect();
        await b.connect();
        window.ra = await a.join('chat');
        window.rb = await b.join('chat');
        """
            .formatted(proxy.port()));
    proxy.blackHole();
    browser.run(
        """
        window.heldA = outcome(ra.trigger('message', {text: 'a'}).result);
        window.heldB = outcome(rb.trigger('message', {text: 'b'}).result);
        a.disconnect();
        """);
    proxy.reset(); // b's connection is lost, and b does not reconnect
    Map<String, Object> result =
        browser.runMap(
            """
            return {
              a: await heldA, b: await heldB,
              laterA: await outcome(ra.trigger('message', {text: 'later'}).result),
              laterB: await outcome(rb.trigger('message', {text: 'later'}).result),
              states: [a.state, b.state], pending: a.pendingTriggers + b.pendingTriggers,
            };
            """);

    assertThat(result)
        .containsEntry("a", "DISCONNECTED/unknown")
        .containsEntry("b", "DISCONNECTED/unknown")
        .containsEntry("laterA", "NOT_CONNECTED/not-sent")
        .containsEntry("laterB", "NOT_CONNECTED/not-sent")
        .containsEntry("pending", 0L);
    assertThat(result.get("states")).isEqualTo(List.of("disconnected", "disconnected"));
  }

  @Test
  void cancelAndDeadline_sayWhetherTheTriggerHadLeftThePage() {
    Dialogue server = server();
    FaultProxy proxy = proxy(server);
    browser.run(
        """
        window.pub = mk(%d, 'pub', {maxTriggersInFlight: 1, triggerDeadline: 400});
        await pub.connect();
        window.out = await pub.join('chat');
        """
            .formatted(proxy.port()));
    proxy.blackHole();
    Map<String, Object> inFlight =
        browser.runMap(
            """
            const sent = out.trigger('message', {text: 'sent'});
            const queued = out.trigger('message', {text: 'queued'});
            const cancelQueued = queued.cancel();
            const cancelSent = sent.cancel();
            const expiring = out.trigger('message', {text: 'expiring'}); // sent: the window is free
            return {
              queued: await outcome(queued.result), sent: await outcome(sent.result),
              expiring: await outcome(expiring.result), cancelQueued, cancelSent,
              again: sent.cancel(), pending: pub.pendingTriggers,
            };
            """);
    assertThat(inFlight)
        .containsEntry("queued", "CANCELLED/not-sent")
        .containsEntry("sent", "CANCELLED/unknown")
        .containsEntry("expiring", "DEADLINE_EXCEEDED/unknown")
        .containsEntry("cancelQueued", true)
        .containsEntry("cancelSent", true)
        .containsEntry("again", false)
        .containsEntry("pending", 0L);

    proxy.restore();
    proxy.refuse(true);
    proxy.reset(); // reconnecting, every attempt refused: triggers wait in the queue
    browser.await("pub.state === 'reconnecting'");
    Map<String, Object> offline =
        browser.runMap(
            """
            const waiting = out.trigger('message', {text: 'waiting'});
            const dropped = out.trigger('message', {text: 'dropped'});
            dropped.cancel();
            return {waiting: await outcome(waiting.result), dropped: await outcome(dropped.result),
                    pending: pub.pendingTriggers};
            """);
    assertThat(offline)
        .containsEntry("waiting", "DEADLINE_EXCEEDED/not-sent")
        .containsEntry("dropped", "CANCELLED/not-sent")
        .containsEntry("pending", 0L);
    proxy.refuse(false);
    browser.await("pub.state === 'connected' && pub._ready");
    assertThat(server.room("chat").orElseThrow().history("message", 0, 10))
        .extracting(m -> m.data(TestServers.Message.class).text())
        .doesNotContain("queued", "waiting", "dropped");
  }

  @Test
  void confirmedTriggers_leaveNoTimersBehind() {
    Dialogue server = server();
    // Counts the page's live timers: set and neither fired nor cleared.
    browser.run(
        """
        const live = window.liveTimers = new Set();
        const set = window.setTimeout.bind(window);
        const clear = window.clearTimeout.bind(window);
        window.setTimeout = (f, ms, ...args) => {
          const id = set(() => { live.delete(id); f(...args); }, ms);
          live.add(id);
          return id;
        };
        window.clearTimeout = (id) => { live.delete(id); clear(id); };
        """);
    Map<String, Object> result =
        browser.runMap(
            """
            const pub = mk(%d, 'pub');
            await pub.connect();
            const out = await pub.join('chat');
            const results = [];
            for (let i = 0; i < 300; i++) results.push(out.trigger('message', {text: 'm' + i}).result);
            await Promise.all(results);
            await pub.listRooms();
            const connected = liveTimers.size;
            pub.close();
            return {connected, closed: liveTimers.size, pending: pub.pendingTriggers};
            """
                .formatted(server.port()));

    // Connected, only the heartbeat's timer is left; closed, none.
    assertThat(result)
        .containsEntry("connected", 1L)
        .containsEntry("closed", 0L)
        .containsEntry("pending", 0L);
  }
}
