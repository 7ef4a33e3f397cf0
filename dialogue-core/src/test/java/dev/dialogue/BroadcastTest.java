package dev.dialogue;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.util.RawValue;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.DefaultEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.local.LocalAddress;
import io.netty.channel.local.LocalChannel;
import io.netty.channel.local.LocalServerChannel;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameEncoder;
import io.netty.handler.codec.http.websocketx.WebSocketFrameEncoder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
  void everyRecipient_writesTheSameBuffer_andTheLastWriteFreesIt() {
    List<EmbeddedChannel> channels = new ArrayList<>();
    Broadcast event = new Broadcast("dialogue:event", new RawValue("{\"n\":1}"));
    for (int i = 0; i < 3; i++) {
      EmbeddedChannel channel = webSocketChannel();
      channels.add(channel);
      event.add(encoder(channel), "", NO_LIMIT);
    }
    event.send();
    channels.forEach(EmbeddedChannel::runPendingTasks);

    List<ByteBuf> written = channels.stream().map(c -> (ByteBuf) c.readOutbound()).toList();
    ByteBuf frame = written.get(0).unwrap();
    assertThat(written).allSatisfy(b -> assertThat(b.unwrap()).isSameAs(frame));
    assertThat(frame.refCnt()).isEqualTo(3);
    written.forEach(ByteBuf::release);
    assertThat(frame.refCnt()).isZero();
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
    ByteBuf frame = written.unwrap();
    written.release();
    assertThat(frame.refCnt()).isZero();
  }

  @Test
  void deliveriesHandedToABusyEventLoop_leaveInOneFlush_inOrder() throws Exception {
    // A real event loop and in-VM channels: EmbeddedChannel runs its pending tasks on every write.
    DefaultEventLoopGroup loop = new DefaultEventLoopGroup(1);
    AtomicInteger flushes = new AtomicInteger();
    CompletableFuture<WebSocketOut> server = new CompletableFuture<>();
    BlockingQueue<String> received = new LinkedBlockingQueue<>();
    try {
      new ServerBootstrap()
          .group(loop)
          .channel(LocalServerChannel.class)
          .childHandler(
              new ChannelInitializer<LocalChannel>() {
                @Override
                protected void initChannel(LocalChannel ch) {
                  ch.pipeline()
                      .addLast(
                          new ChannelOutboundHandlerAdapter() {
                            @Override
                            public void flush(ChannelHandlerContext ctx) {
                              flushes.incrementAndGet();
                              ctx.flush();
                            }
                          },
                          new WebSocket13FrameEncoder(false));
                  server.complete(encoder(ch));
                }
              })
          .bind(new LocalAddress("broadcast-test"))
          .sync();
      new Bootstrap()
          .group(loop)
          .channel(LocalChannel.class)
          .handler(
              new ChannelInitializer<LocalChannel>() {
                @Override
                protected void initChannel(LocalChannel ch) {
                  ch.pipeline()
                      .addLast(
                          new WebSocket13FrameDecoder(false, false, 1 << 20),
                          new SimpleChannelInboundHandler<TextWebSocketFrame>() {
                            @Override
                            protected void channelRead0(
                                ChannelHandlerContext ctx, TextWebSocketFrame frame) {
                              received.add(frame.text());
                            }
                          });
                }
              })
          .connect(new LocalAddress("broadcast-test"))
          .sync();
      WebSocketOut out = server.get(10, TimeUnit.SECONDS);

      // Three deliveries handed to the event loop while it is busy (inside one of its tasks).
      loop.submit(
              () -> {
                for (int n = 1; n <= 3; n++) {
                  Broadcast event =
                      new Broadcast("dialogue:event", new RawValue("{\"n\":" + n + "}"));
                  event.add(out, "", NO_LIMIT);
                  event.send();
                }
              })
          .sync();

      for (int n = 1; n <= 3; n++) {
        assertThat(received.poll(10, TimeUnit.SECONDS))
            .isEqualTo("42[\"dialogue:event\",{\"n\":" + n + "}]");
      }
      assertThat(flushes).hasValue(1);
    } finally {
      loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }
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
      TestServers.awaitState("the upgraded client on WebSocket", () -> writesFrames(server, "up"));
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
  void eventAboveTheFrameLimit_goesThroughNettySocketIo_inFragments() {
    try (Dialogue server = TestServers.builder().maxPayloadBytes(1024).build().start();
        RawClient client = RawClient.connectAs(server.port(), "alice")) {
      client.request(Wire.JOIN, Map.of("roomId", "lobby"));
      TestServers.awaitState("the client on WebSocket", () -> writesFrames(server, "alice"));
      // Above the transport's frame limit (about 65 KB with this payload limit): server code may
      // publish what clients may not.
      String big = "y".repeat(server.settings().transportFrameLimit() + 10);

      server.trigger("lobby", "note", Map.of("text", big));
      server.trigger("lobby", "note", Map.of("text", "after"));

      assertThat(client.take(Wire.EVENT).data().path("data").path("text").asText()).isEqualTo(big);
      assertThat(client.take(Wire.EVENT).data().path("data").path("text").asText())
          .isEqualTo("after");
    }
  }

  private static boolean writesFrames(Dialogue server, String userId) {
    return server.hub().allClients().stream()
        .filter(c -> c.userId().equals(userId))
        .allMatch(c -> ((HeadSession) c.session()).writesFrames());
  }

  /** A channel whose pipeline has a WebSocket frame encoder, as a session's after the upgrade. */
  private static EmbeddedChannel webSocketChannel() {
    return new EmbeddedChannel(new WebSocket13FrameEncoder(false));
  }

  private static WebSocketOut encoder(Channel channel) {
    return new WebSocketOut(channel.pipeline().context(WebSocketFrameEncoder.class));
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
