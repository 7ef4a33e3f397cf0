package dev.dialogue.bench;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler.ClientHandshakeStateEvent;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * One Socket.IO v4 client connection of the load generator, speaking Engine.IO 4 / Socket.IO 5 text
 * framing itself: open packet, ping to pong, {@code 40{auth}}, {@code 42[...]} events and {@code
 * 43N[...]} acks. Every method but {@link #publish} and the futures' consumers runs on the
 * connection's event loop; nothing here blocks.
 */
final class Conn extends SimpleChannelInboundHandler<WebSocketFrame> {
  private static final byte[] EVENT = Bytes.ascii("42[\"dialogue:event\"");
  private static final byte[] ERROR = Bytes.ascii("42[\"dialogue:error\"");
  private static final byte[] BP = Bytes.ascii("\"bp\":\"");
  private static final byte[] BS = Bytes.ascii("\"bs\":");
  private static final byte[] BT = Bytes.ascii("\"bt\":");
  private static final int PAYLOAD_BYTES = 100;

  final int index;
  final String room;
  private final String auth;
  private final Stats stats;
  private final long epoch;
  private final SeqTracker seqs = new SeqTracker();

  /** For a client of the recovery storm: what it saw across reconnections; null otherwise. */
  private final StormClient storm;

  /** Completes when the connection has joined {@link #room}; fails if it cannot. */
  final CompletableFuture<Conn> joined = new CompletableFuture<>();

  private Channel channel;
  private int nextAck = 1;

  /** What waits for each acknowledgement, by ack id. Only the event loop touches it. */
  private final Map<Integer, Consumer<String>> replies = new HashMap<>();

  private boolean closing;
  private boolean failed;

  // Publishing state, touched only on the event loop by the Publisher's ticker.
  double rate;
  long rateStart;
  long sent;
  private long seq;

  /**
   * @param auth the JSON object of the Socket.IO CONNECT packet
   * @param epoch the generator's time origin: payload times are {@code nanoTime() - epoch}
   */
  Conn(int index, String room, String auth, Stats stats, long epoch) {
    this(index, room, auth, stats, epoch, null);
  }

  /**
   * @param storm receives this connection's events and join or recovery answers instead of the
   *     shared statistics, and says how to join; null for an ordinary connection
   */
  Conn(int index, String room, String auth, Stats stats, long epoch, StormClient storm) {
    this.storm = storm;
    this.index = index;
    this.room = room;
    this.auth = auth;
    this.stats = stats;
    this.epoch = epoch;
  }

  Channel channel() {
    return channel;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) throws Exception {
    channel = ctx.channel();
    super.channelActive(ctx);
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
    if (evt == ClientHandshakeStateEvent.HANDSHAKE_TIMEOUT) {
      fail("websocket handshake timed out");
    } else if (evt == ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
      // Frames from now on are decoded without copies, fragments assembled (bytes the handshake
      // left over are passed on to the new decoder by the one it replaces).
      ctx.pipeline()
          .replace(
              WebSocketFrameDecoder.class,
              "ws-decoder",
              new ServerFrameDecoder(LoadGenerator.MAX_FRAME));
    }
    super.userEventTriggered(ctx, evt);
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
    if (frame instanceof CloseWebSocketFrame) {
      return; // channelInactive follows
    }
    if (!(frame instanceof TextWebSocketFrame)) {
      stats.error("unexpected binary frame");
      return;
    }
    ByteBuf buf = frame.content();
    int start = buf.readerIndex();
    if (Bytes.startsWith(buf, start, EVENT)) {
      if (storm != null) {
        storm.onEvent(buf, start);
      } else {
        onDelivery(buf, start);
      }
      return;
    }
    byte type = buf.getByte(start);
    if (type == '2' && buf.readableBytes() == 1) {
      stats.pings.increment();
      send("3");
      return;
    }
    String text = buf.toString(StandardCharsets.UTF_8);
    if (type == '0') {
      send("40" + auth); // Engine.IO open: now connect to namespace "/" with our auth
    } else if (text.startsWith("40")) {
      String join = storm == null ? "{\"roomId\":\"" + room + "\"}" : storm.onConnectAck(text);
      if (join == null) {
        joined.complete(this); // the server restored the session, rooms included
      } else {
        request("dialogue:join", join, this::onJoined);
      }
    } else if (text.startsWith("44")) {
      fail("connect_error " + text.substring(2));
    } else if (text.startsWith("43")) {
      onAck(text);
    } else if (Bytes.startsWith(buf, start, ERROR)) {
      stats.error(text);
    } else if (storm != null && text.startsWith("42")) {
      storm.onOtherEvent(text);
    } else if (type == '1') {
      ctx.close();
    }
    // Other events (dialogue:connected, joined, ...) are not measured.
  }

  private void onJoined(String reply) {
    if (storm != null) {
      storm.onJoinAck(reply);
    }
    if (reply.contains("\"ok\":true")) {
      joined.complete(this);
    } else {
      fail("join refused: " + reply);
    }
  }

  private void onAck(String text) {
    int bracket = text.indexOf('[');
    int id = bracket > 2 ? Integer.parseInt(text.substring(2, bracket)) : -1;
    Consumer<String> reply = replies.remove(id);
    if (reply != null) {
      reply.accept(text.substring(bracket));
    }
  }

  /**
   * Sends {@code event} with an ack; {@code onReply} gets the ack's JSON array. Several may be in
   * flight. Call on the event loop.
   */
  void request(String event, String json, Consumer<String> onReply) {
    int id = nextAck++;
    replies.put(id, onReply);
    send("42" + id + "[\"" + event + "\"," + json + "]");
  }

  /** Leaves the room (with an ack); the future completes with the ack. Call on the event loop. */
  CompletableFuture<Void> leave() {
    CompletableFuture<Void> left = new CompletableFuture<>();
    request(
        "dialogue:leave",
        "{\"roomId\":\"" + room + "\"}",
        reply -> {
          if (reply.contains("\"ok\":true")) {
            left.complete(null);
          } else {
            left.completeExceptionally(new IllegalStateException("leave refused: " + reply));
          }
        });
    return left;
  }

  /** Publishes one 100-byte {@code tick} to the room, stamped with its intended send time. */
  void publish(long intendedNanos, boolean flush) {
    stats.published.increment();
    stats.publishLag.recordValue(Math.max(0, System.nanoTime() - intendedNanos));
    TextWebSocketFrame f =
        new TextWebSocketFrame("42[\"dialogue:trigger\"," + trigger(intendedNanos) + "]");
    if (flush) {
      channel.writeAndFlush(f, channel.voidPromise());
    } else {
      channel.write(f, channel.voidPromise());
    }
  }

  /**
   * Publishes one {@code tick} with an acknowledgement; completes with the ack's JSON array (which
   * may say {@code "ok":false}). Any thread.
   */
  CompletableFuture<String> publishAcked() {
    CompletableFuture<String> reply = new CompletableFuture<>();
    channel
        .eventLoop()
        .execute(() -> request("dialogue:trigger", trigger(System.nanoTime()), reply::complete));
    return reply;
  }

  /** Sends {@code event} with an ack; completes with the ack's JSON array. Any thread. */
  CompletableFuture<String> call(String event, String json) {
    CompletableFuture<String> reply = new CompletableFuture<>();
    channel.eventLoop().execute(() -> request(event, json, reply::complete));
    return reply;
  }

  /**
   * The trigger request of the next {@code tick}: publisher, sequence number, due time, padding.
   */
  private String trigger(long intendedNanos) {
    seq++;
    String head = "{\"bp\":\"" + index + "\",\"bs\":" + seq + ",\"bt\":" + (intendedNanos - epoch);
    int pad = Math.max(0, PAYLOAD_BYTES - head.length() - ",\"pad\":\"\"}".length());
    StringBuilder request = new StringBuilder(180);
    request.append("{\"roomId\":\"").append(room);
    request.append("\",\"event\":\"tick\",\"data\":").append(head).append(",\"pad\":\"");
    return request.append("x".repeat(pad)).append("\"}}").toString();
  }

  private void onDelivery(ByteBuf buf, int start) {
    long now = System.nanoTime() - epoch;
    int end = buf.writerIndex();
    // The three fields follow each other as published; each search starts where the last ended.
    int p = Bytes.indexOf(buf, BP, start, end);
    int s = Bytes.indexOf(buf, BS, p < 0 ? start : p, end);
    int t = Bytes.indexOf(buf, BT, s < 0 ? start : s, end);
    if (p < 0 || s < 0 || t < 0) {
      stats.error("delivery without bp/bs/bt: " + buf.toString(StandardCharsets.UTF_8));
      return;
    }
    long publisher = Bytes.number(buf, p + BP.length, end);
    long sequence = Bytes.number(buf, s + BS.length, end);
    long sentAt = Bytes.number(buf, t + BT.length, end);
    stats.latency.recordValue(Math.max(0, now - sentAt));
    stats.deliveries.increment();
    long skipped = seqs.track((int) publisher, sequence);
    if (skipped < 0) {
      stats.duplicates.increment();
    } else if (skipped > 0) {
      stats.gaps.add(skipped);
    }
  }

  private void send(String text) {
    channel.writeAndFlush(new TextWebSocketFrame(text), channel.voidPromise());
  }

  /** Closes the connection on purpose (not counted as a disconnect). Any thread. */
  void close() {
    if (channel == null) {
      return;
    }
    channel
        .eventLoop()
        .execute(
            () -> {
              closing = true;
              channel.close();
            });
  }

  /**
   * Cuts the connection off as a network failure would: a TCP reset, with no websocket close frame
   * and no Socket.IO disconnect packet. Not counted as a disconnect. Any thread.
   */
  void cut() {
    if (channel == null) {
      return; // never connected
    }
    channel
        .eventLoop()
        .execute(
            () -> {
              closing = true;
              if (channel.isOpen()) {
                channel.config().setOption(ChannelOption.SO_LINGER, 0);
                // From the first handler's context the close goes straight to the socket, past the
                // websocket handler, which would send a close frame first.
                channel.pipeline().firstContext().close();
              }
            });
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    if (!closing) {
      stats.disconnects.increment();
      fail("connection closed by the server");
    }
    super.channelInactive(ctx);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    fail(cause.toString());
    ctx.close();
  }

  /** Counts one error per connection however many ways it fails, and fails {@link #joined}. */
  private void fail(String why) {
    if (!failed) {
      failed = true;
      stats.error(why);
    }
    joined.completeExceptionally(new IllegalStateException(why));
  }
}
