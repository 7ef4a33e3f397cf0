package dev.dialogue.internal.socketio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.corundumstudio.socketio.Transport;
import com.corundumstudio.socketio.handler.ClientHead;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.util.RawValue;
import dev.dialogue.Dialogue;
import dev.dialogue.TestServers;
import dev.dialogue.internal.Wire;
import dev.dialogue.testing.RawClient;
import dev.dialogue.testing.RawPolling;
import dev.dialogue.testing.RawWebSocket;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameEncoder;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Events framed once and written to every WebSocket recipient ({@link Broadcast}). */
@Timeout(60)
class BroadcastTest {
  private static final int NO_LIMIT = Integer.MAX_VALUE;

  @Test
  void frame_isAWebSocketTextFrameOfTheSocketIoEventPacket_atEveryHeaderSize() {
    // 125 bytes and less: 7-bit length; up to 65,535: 16-bit; above: 64-bit.
    for (int size : new int[] {10, 300, 70_000}) {
      String data = "{\"text\":\"" + "é€".repeat(size / 5) + "\"}";
      EmbeddedChannel channel = webSocketChannel();
      Broadcast event = new Broadcast("dialogue:event", new RawValue(data));
      assertThat(event.add(encoder(channel), "", NO_LIMIT)).isTrue();
      event.send();
      channel.runPendingTasks();

      assertThat(decode(channel.readOutbound()))
          .as("frame of %d chars", data.length())
          .isEqualTo("42[\"dialogue:event\"," + data + "]");
    }
  }

  @Test
  void frame_namesAnotherNamespaceAfterThePacketType_andEscapesTheEventName() {
    EmbeddedChannel channel = webSocketChannel();
    Broadcast event = new Broadcast("say \"hi\"", new RawValue("[1,2]"));
    event.add(encoder(channel), "/chat", NO_LIMIT);
    event.send();
    channel.runPendingTasks();

    assertThat(decode(channel.readOutbound())).isEqualTo("42/chat,[\"say \\\"hi\\\"\",[1,2]]");
  }

  @Test
  void recipientsOfOneLoop_writeTheSameBuffer_eachLoopItsOwnCopy_andTheLastWritesFreeThem() {
    // Each EmbeddedChannel is an event loop of its own; one added twice is two writes on one loop.
    EmbeddedChannel twice = webSocketChannel();
    EmbeddedChannel once = webSocketChannel();
    WebSocketOut twiceOut = encoder(twice);
    Broadcast event = new Broadcast("dialogue:event", new RawValue("{\"n\":1}"));
    event.add(twiceOut, "", NO_LIMIT);
    event.add(encoder(once), "", NO_LIMIT);
    event.add(twiceOut, "", NO_LIMIT);
    event.send();
    twice.runPendingTasks();
    once.runPendingTasks();

    ByteBuf first = twice.readOutbound();
    ByteBuf second = twice.readOutbound();
    ByteBuf other = once.readOutbound();
    ByteBuf shared = root(first);
    assertThat(root(second)).isSameAs(shared);
    assertThat(root(other)).isNotSameAs(shared);
    assertThat(decode(other.retainedDuplicate())).isEqualTo(decode(first.retainedDuplicate()));
    assertThat(shared.refCnt()).isEqualTo(2);
    assertThat(root(other).refCnt()).isEqualTo(1);
    ByteBuf copy = root(other);
    first.release();
    second.release();
    other.release();
    assertThat(shared.refCnt()).isZero();
    assertThat(copy.refCnt()).isZero();
  }

  @Test
  void closedChannel_getsNothing_andTheFrameIsStillFreed() {
    EmbeddedChannel open = webSocketChannel();
    EmbeddedChannel closed = webSocketChannel();
    WebSocketOut closedEncoder = encoder(closed);
    closed.close();
    Broadcast event = new Broadcast("dialogue:event", new RawValue("{}"));
    event.add(closedEncoder, "", NO_LIMIT);
    event.add(encoder(open), "", NO_LIMIT);
    event.send();
    closed.runPendingTasks();
    open.runPendingTasks();

    assertThat((Object) closed.readOutbound()).isNull();
    ByteBuf written = open.readOutbound();
    ByteBuf frame = root(written);
    written.release();
    assertThat(frame.refCnt()).isZero();
  }

  @Test
  void deliveriesHandedToABusyEventLoop_leaveInOneFlush_inOrder() throws Exception {
    try (LocalWebSocketPair pair = LocalWebSocketPair.open("broadcast-busy", 0, 0)) {
      // Three deliveries handed to the event loop while it is busy (inside one of its tasks).
      pair.loop
          .submit(
              () -> {
                for (int n = 1; n <= 3; n++) {
                  pair.deliver(n);
                }
              })
          .sync();

      for (int n = 1; n <= 3; n++) {
        pair.awaitDelivery(n);
      }
      assertThat(pair.flushes).hasValue(1);
    }
  }

  @Test
  void aChannelFlushedInABusyRound_waitsFiveTimesThatRound_andTheFramesOfTheWaitShareAFlush()
      throws Exception {
    try (LocalWebSocketPair pair =
        LocalWebSocketPair.open("broadcast-spacing", millis(1_000), millis(100))) {
      long gap = gapBetweenTwoRounds(pair);
      // Round one took >= 100 ms: the channel's next round starts >= 500 ms after round one began
      // (and takes 100 ms); one flush carries deliveries 2 and 3.
      assertThat(gap).isGreaterThan(millis(450));
      assertThat(pair.flushes).hasValue(2);
    }
  }

  @Test
  void aChannelFlushedInABusyRound_waitsNoLongerThanMaxFlushDelay() throws Exception {
    try (LocalWebSocketPair pair =
        LocalWebSocketPair.open("broadcast-capped", millis(600), millis(300))) {
      // Five times the 300 ms round would be 1,500 ms; the wait stops at 600 ms.
      assertThat(gapBetweenTwoRounds(pair)).isGreaterThan(millis(450)).isLessThan(millis(1_000));
    }
  }

  @Test
  void aChannelNotFlushedLately_goesAtOnce_whileTheLoopHoldsBackOneItJustFlushed()
      throws Exception {
    try (LocalWebSocketPair busy =
            LocalWebSocketPair.open("broadcast-held", millis(1_000), millis(300));
        LocalWebSocketPair other = busy.another("broadcast-other", 0)) {
      busy.deliver(1);
      busy.awaitDelivery(1);
      // The loop's last round took >= 300 ms: a channel flushed in it waits min(1.5 s, 1 s).
      long sent = System.nanoTime();
      busy.deliver(2);
      other.deliver(1);
      other.awaitDelivery(1);
      assertThat(System.nanoTime() - sent).isLessThan(millis(800));
      busy.awaitDelivery(2);
      assertThat(System.nanoTime() - sent).isGreaterThan(millis(800));
    }
  }

  @Test
  void aLoopWhoseRoundsAreShort_flushesAtOnce_howeverLongTheMaxFlushDelay() throws Exception {
    try (LocalWebSocketPair pair = LocalWebSocketPair.open("broadcast-quiet", millis(1_000), 0)) {
      long sent = System.nanoTime();
      assertThat(gapBetweenTwoRounds(pair)).isLessThan(millis(500));
      assertThat(System.nanoTime() - sent).isLessThan(millis(500));
    }
  }

  @Test
  void aLoopUnderLoad_spacesFlushesUpToMaxFlushDelayUnderLoad_untilTheLoadIsGone()
      throws Exception {
    // Every flush keeps the loop 18 ms, and a frame comes every 20 ms: flushed one by one, they
    // take 90% of the loop's time. Held to maxFlushDelay (20 ms) each goes in a flush of its own;
    // under load the channel waits until about four frames are there (80 ms, below five rounds
    // and below maxFlushDelayUnderLoad). The loop judges its load every 100 ms here (every second
    // by default).
    Duration window = Duration.ofMillis(100);
    int calm;
    try (LocalWebSocketPair pair =
        LocalWebSocketPair.open(
            "broadcast-calm",
            new Flushers(Duration.ofMillis(20), Duration.ZERO, window),
            millis(18))) {
      calm = flushesOfFramesTwentyMillisApart(pair, 100);
      assertThat(underLoad(pair)).isTrue();
    }
    try (LocalWebSocketPair pair =
        LocalWebSocketPair.open(
            "broadcast-loaded",
            new Flushers(Duration.ofMillis(20), Duration.ofSeconds(1), window),
            millis(18))) {
      int loaded = flushesOfFramesTwentyMillisApart(pair, 100);
      assertThat(underLoad(pair)).isTrue();
      assertThat(loaded)
          .as("flushes under load, against %d held to maxFlushDelay", calm)
          .isLessThan(calm / 2);

      // A frame every 300 ms would take a twentieth of the loop's time: no longer under load.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      for (int n = 1; underLoad(pair) && System.nanoTime() < deadline; n++) {
        LockSupport.parkNanos(millis(300));
        pair.deliver(n);
        pair.awaitDelivery(n);
      }
      assertThat(underLoad(pair)).isFalse();
    }
  }

  /** Whether the pair's server side's loop counts as under load, asked on the loop. */
  private static boolean underLoad(LocalWebSocketPair pair) throws Exception {
    return pair.loop.submit(() -> pair.out.flusher.underLoad()).get(10, TimeUnit.SECONDS);
  }

  /**
   * Delivers {@code count} frames from the pair's event loop, one every 20 ms, waits until all
   * arrived in order and returns how many flushes carried them.
   */
  private static int flushesOfFramesTwentyMillisApart(LocalWebSocketPair pair, int count)
      throws Exception {
    int before = pair.flushes.get();
    AtomicInteger next = new AtomicInteger(1);
    ScheduledFuture<?> pacing =
        pair.loop.scheduleAtFixedRate(
            () -> {
              int n = next.getAndIncrement();
              if (n <= count) {
                pair.deliver(n);
              }
            },
            0,
            20,
            TimeUnit.MILLISECONDS);
    try {
      for (int n = 1; n <= count; n++) {
        pair.awaitDelivery(n);
      }
    } finally {
      pacing.cancel(false);
    }
    return pair.flushes.get() - before;
  }

  @Test
  void maxFlushDelayUnderLoad_outsideZeroToOneSecond_isRefused_sayingWhy() {
    for (Duration bad : new Duration[] {null, Duration.ofMillis(-1), Duration.ofMillis(1_001)}) {
      assertThatThrownBy(() -> Dialogue.builder().maxFlushDelayUnderLoad(bad))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith(
              "maxFlushDelayUnderLoad must be between 0 and 1 s but was " + bad);
    }
    assertThat(Dialogue.builder().maxFlushDelayUnderLoad(Duration.ZERO)).isNotNull();
  }

  private static long millis(long ms) {
    return TimeUnit.MILLISECONDS.toNanos(ms);
  }

  /**
   * Delivers 1, waits for it, then delivers 2 and 3 at once; returns the time between the arrival
   * of 1 and that of 2, after checking that 3 came too.
   */
  private static long gapBetweenTwoRounds(LocalWebSocketPair pair) throws InterruptedException {
    pair.deliver(1);
    pair.awaitDelivery(1);
    pair.deliver(2);
    pair.deliver(3);
    pair.awaitDelivery(2);
    pair.awaitDelivery(3);
    // Measured on the loop, where the rounds begin: the test thread may see a frame late on a
    // loaded machine, which once made the gap it measured look shorter than the loop's.
    return pair.flushStarts.get(1) - pair.flushStarts.get(0);
  }

  @Test
  void maxFlushDelay_outsideZeroToOneSecond_isRefused_sayingWhy() {
    for (Duration bad : new Duration[] {null, Duration.ofMillis(-1), Duration.ofMillis(1_001)}) {
      assertThatThrownBy(() -> Dialogue.builder().maxFlushDelay(bad))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("maxFlushDelay must be between 0 and 1 s but was " + bad);
    }
    assertThat(Dialogue.builder().maxFlushDelay(Duration.ZERO)).isNotNull();
    assertThat(Dialogue.builder().maxFlushDelay(Duration.ofSeconds(1))).isNotNull();
  }

  @Test
  void frameAboveTheTransportLimit_isRefused_soTheCallerSendsAPacket() {
    EmbeddedChannel channel = webSocketChannel();
    Broadcast event = new Broadcast("dialogue:event", new RawValue("\"" + "x".repeat(100) + "\""));

    assertThat(event.add(encoder(channel), "", 100)).isFalse();
    event.send();
    assertThat((Object) channel.readOutbound()).isNull();
  }

  @Test
  void webSocketPollingAndUpgradedClients_receiveTheSameEventsInOrder() {
    try (Dialogue server = TestServers.builder().build().start();
        RawClient webSocket = RawClient.open(server.port(), Map.of("userId", "ws"), "websocket");
        RawClient polling = RawClient.open(server.port(), Map.of("userId", "poll"), "polling");
        RawClient upgraded =
            RawClient.open(server.port(), Map.of("userId", "up"), "polling", "websocket")) {
      List<RawClient> clients = List.of(webSocket, polling, upgraded);
      for (RawClient c : clients) {
        c.awaitConnected();
      }
      // Joined once upgraded: the Java client holds back what it sends while it upgrades.
      try {
        TestServers.awaitState(
            "the upgraded client on WebSocket", () -> writesFrames(server, "up"));
      } catch (AssertionError e) {
        throw new AssertionError(
            e.getMessage()
                + "; server: "
                + transportState(server, "up")
                + "; client: "
                + upgraded.transportLog(),
            e);
      }
      for (RawClient c : clients) {
        c.request(Wire.JOIN, Map.of("roomId", "lobby"));
      }
      assertThat(writesFrames(server, "ws")).isTrue();
      assertThat(writesFrames(server, "poll")).isFalse();

      List<String> texts = List.of("short", "ünïcødé €".repeat(20), "x".repeat(70_000));
      for (String text : texts) {
        server.trigger("lobby", "note", Map.of("text", text));
      }

      for (RawClient c : clients) {
        for (String text : texts) {
          JsonNode event = c.take(Wire.EVENT).data();
          assertThat(event.path("data").path("text").asText()).isEqualTo(text);
        }
      }
    }
  }

  @Test
  void anUpgradeThatOvertakesTheConnectSentOverPolling_stillMovesEventsToFrames() throws Exception {
    try (Dialogue server = TestServers.builder().build().start()) {
      RawPolling polling = RawPolling.open(server.port());
      ClientHead head = TestServers.sessionHead(server, polling.sid());
      try (RawWebSocket ws = RawWebSocket.upgrade(server.port(), polling.sid())) {
        TestServers.awaitState(
            "the session on WebSocket", () -> head.getCurrentTransport() == Transport.WEBSOCKET);
        // The CONNECT a client sent over polling just before it upgraded, arriving last.
        assertThat(polling.send("40{\"userId\":\"late\"}")).isEqualTo(200);
        ws.takePrefix("40{");
        ws.send("421[\"" + Wire.JOIN + "\",{\"roomId\":\"lobby\"}]");
        ws.takePrefix("431[");

        assertThat(writesFrames(server, "late")).isTrue();
        server.trigger("lobby", "note", Map.of("text", "hello"));
        assertThat(ws.takePrefix("42[\"" + Wire.EVENT + "\"")).contains("hello");
      }
    }
  }

  @Test
  void aPollSentAfterTheProbesNoop_isAnsweredToo_soTheClientCanFinishItsUpgrade() throws Exception {
    try (Dialogue server = TestServers.builder().build().start()) {
      RawPolling polling = RawPolling.open(server.port());
      String sid = polling.sid();
      CompletableFuture<HttpResponse<String>> pending = polling.pollAsync();
      try (RawWebSocket ws = RawWebSocket.probe(server.port(), sid)) {
        // netty-socketio answers the poll pending at the probe with a noop. A client that reads it
        // before the probe's answer polls again, then pauses polling for the upgrade and waits for
        // that poll to come back before it sends "5" (socket.io-client-java and engine.io-client
        // do); the next ping is 25 s away and netty-socketio drops the session after 10 s.
        assertThat(pending.get(10, TimeUnit.SECONDS).body()).isEqualTo("6");
        CompletableFuture<HttpResponse<String>> next = polling.pollAsync();
        assertThat(next.get(5, TimeUnit.SECONDS).body()).isEqualTo("6");

        // With no poll pending, the next noop waits in the queue, and goes over the WebSocket.
        ClientHead head = TestServers.sessionHead(server, polling.sid());
        TestServers.awaitState(
            "a noop queued", () -> !head.getPacketsQueue(Transport.POLLING).isEmpty());
        ws.send("5");
        ws.take("6"::equals, "the queued noop");
        TestServers.awaitState(
            "the session on WebSocket", () -> head.getCurrentTransport() == Transport.WEBSOCKET);
        assertThat(head.isConnected()).isTrue();
      }
    }
  }

  @Test
  void aRepeatedConnect_keepsTheSessionsWebSocket_andItsFlushState() {
    try (Dialogue server = TestServers.builder().build().start();
        RawWebSocket ws = RawWebSocket.open(server.port())) {
      assertThat(ws.connect("{\"userId\":\"twice\"}")).startsWith("40{");
      ws.send("421[\"" + Wire.JOIN + "\",{\"roomId\":\"lobby\"}]");
      ws.takePrefix("431[");
      HeadSession session = sessionOf(server, "twice");
      WebSocketOut first = session.webSocket();
      assertThat(first).isNotNull();

      // Ignored by the server; the request after it is answered once it has been read.
      ws.send("40{\"userId\":\"twice\"}");
      ws.send("422[\"" + Wire.LEAVE + "\",{\"roomId\":\"lobby\"}]");
      ws.takePrefix("432[");
      assertThat(session.webSocket()).isSameAs(first);
    }
  }

  private static HeadSession sessionOf(Dialogue server, String userId) {
    return sessionsOf(server, userId).findFirst().orElseThrow();
  }

  /** The sessions of {@code userId}'s connections. */
  private static Stream<HeadSession> sessionsOf(Dialogue server, String userId) {
    return Internals.hub(server).allClients().stream()
        .filter(c -> c.userId().equals(userId))
        .map(c -> (HeadSession) c.session());
  }

  @Test
  void eventAboveTheFrameLimit_goesThroughNettySocketIo_inFragments() {
    try (Dialogue server = TestServers.builder().maxPayloadBytes(1024).build().start();
        RawClient client = RawClient.connectAs(server.port(), "alice")) {
      client.request(Wire.JOIN, Map.of("roomId", "lobby"));
      TestServers.awaitState("the client on WebSocket", () -> writesFrames(server, "alice"));
      // Above the transport's frame limit (about 65 KB with this payload limit): server code may
      // publish what clients may not.
      String big = "y".repeat(Internals.settings(server).transport().frameLimit() + 10);

      server.trigger("lobby", "note", Map.of("text", big));
      server.trigger("lobby", "note", Map.of("text", "after"));

      assertThat(client.take(Wire.EVENT).data().path("data").path("text").asText()).isEqualTo(big);
      assertThat(client.take(Wire.EVENT).data().path("data").path("text").asText())
          .isEqualTo("after");
    }
  }

  /** The server's view of a user's sessions' transports, for a failure message. */
  private static String transportState(Dialogue server, String userId) {
    return sessionsOf(server, userId).map(HeadSession::describeTransport).toList().toString();
  }

  private static boolean writesFrames(Dialogue server, String userId) {
    return sessionsOf(server, userId).allMatch(HeadSession::writesFrames);
  }

  /** A channel whose pipeline has a WebSocket frame encoder, as a session's after the upgrade. */
  /**
   * The buffer under {@code buf}'s wrappers: a duplicate's, and also the leak detector's, which
   * wraps about one buffer in 128 it allocates (and then the duplicates of it as well).
   */
  private static ByteBuf root(ByteBuf buf) {
    ByteBuf inner = buf;
    while (inner.unwrap() != null) {
      inner = inner.unwrap();
    }
    return inner;
  }

  private static EmbeddedChannel webSocketChannel() {
    return new EmbeddedChannel(new WebSocket13FrameEncoder(false));
  }

  private static WebSocketOut encoder(Channel channel) {
    return WebSocketOut.of(channel, new Flushers(Duration.ZERO, Duration.ZERO));
  }

  /** Decodes one server frame as a client would. */
  private static String decode(ByteBuf frame) {
    EmbeddedChannel client =
        new EmbeddedChannel(new WebSocket13FrameDecoder(false, false, 1 << 24));
    client.writeInbound(frame);
    TextWebSocketFrame text = client.readInbound();
    try {
      assertThat(text.isFinalFragment()).isTrue();
      return text.text();
    } finally {
      text.release();
    }
  }
}
