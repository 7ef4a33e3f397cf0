package dev.dialogue.internal.socketio;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.util.RawValue;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.DefaultEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.local.LocalAddress;
import io.netty.channel.local.LocalChannel;
import io.netty.channel.local.LocalServerChannel;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameEncoder;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A server channel with a WebSocket frame encoder, as a session's after the upgrade, and a client
 * that decodes its frames, both in-VM on one real event loop ({@code EmbeddedChannel} runs its
 * pending tasks on every write, so it cannot show what a loop does with queued work). Counts the
 * server channel's flushes, can make each take a while (as flushing thousands of sockets does), and
 * keeps the text of every frame the client got.
 */
final class LocalWebSocketPair implements AutoCloseable {
  final DefaultEventLoopGroup loop;
  private final boolean ownsLoop;
  final AtomicInteger flushes = new AtomicInteger();

  /** When each flush of the server channel began ({@link System#nanoTime()}), on its loop. */
  final List<Long> flushStarts = new CopyOnWriteArrayList<>();

  final BlockingQueue<String> received = new LinkedBlockingQueue<>();

  /** The server channel as {@link Broadcast} writes to it. */
  final WebSocketOut out;

  /** The server side's flushers, shared with pairs made by {@link #another}. */
  final Flushers flushers;

  private LocalWebSocketPair(
      String address, Flushers flushers, long flushCostNanos, DefaultEventLoopGroup shared)
      throws Exception {
    this.flushers = flushers;
    ownsLoop = shared == null;
    loop = ownsLoop ? new DefaultEventLoopGroup(1) : shared;
    CompletableFuture<WebSocketOut> server = new CompletableFuture<>();
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
                              flushStarts.add(System.nanoTime());
                              flushes.incrementAndGet();
                              long until = System.nanoTime() + flushCostNanos;
                              while (System.nanoTime() < until) {
                                Thread.onSpinWait(); // the loop is busy, as with a real flush
                              }
                              ctx.flush();
                            }
                          },
                          new WebSocket13FrameEncoder(false));
                  server.complete(WebSocketOut.of(ch, flushers));
                }
              })
          .bind(new LocalAddress(address))
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
          .connect(new LocalAddress(address))
          .sync();
      out = server.get(10, TimeUnit.SECONDS);
    } catch (Exception | Error e) {
      close();
      throw e;
    }
  }

  /**
   * A pair whose server holds frames back at most {@code maxFlushDelayNanos}, under load too, and
   * whose every flush keeps the event loop busy for {@code flushCostNanos}.
   */
  static LocalWebSocketPair open(String address, long maxFlushDelayNanos, long flushCostNanos)
      throws Exception {
    return open(
        address, new Flushers(Duration.ofNanos(maxFlushDelayNanos), Duration.ZERO), flushCostNanos);
  }

  /** A pair whose server side flushes with {@code flushers}, each flush costing as above. */
  static LocalWebSocketPair open(String address, Flushers flushers, long flushCostNanos)
      throws Exception {
    return new LocalWebSocketPair(address, flushers, flushCostNanos, null);
  }

  /** Another pair on this one's event loop and flusher (closing it leaves the loop to this one). */
  LocalWebSocketPair another(String address, long flushCostNanos) throws Exception {
    return new LocalWebSocketPair(address, flushers, flushCostNanos, loop);
  }

  /** Sends {@code dialogue:event {"n":n}} to the server channel, from the calling thread. */
  void deliver(int n) {
    Broadcast event = new Broadcast("dialogue:event", new RawValue("{\"n\":" + n + "}"));
    event.add(out, "", Integer.MAX_VALUE);
    event.send();
  }

  /** Asserts that the client's next frame, within 10 s, is the one {@code deliver(n)} sent. */
  void awaitDelivery(int n) throws InterruptedException {
    assertThat(received.poll(10, TimeUnit.SECONDS))
        .isEqualTo("42[\"dialogue:event\",{\"n\":" + n + "}]");
  }

  @Override
  public void close() throws InterruptedException {
    if (ownsLoop) {
      loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }
  }
}
