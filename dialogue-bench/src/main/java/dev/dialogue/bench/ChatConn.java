package dev.dialogue.bench;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler.ClientHandshakeStateEvent;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * One user of the chat scenario on one Socket.IO connection, framed by the generator itself as
 * {@link Conn} is: {@code 40{"token":...}}, the rooms the chat server joins it to ({@code
 * dialogue:joined}), commands ({@code dialogue:request}) and triggers with acks, and what it
 * receives: {@code message} events (timed against the send time the text carries), {@code typing},
 * {@code unread} pushes, presence. Everything but {@link #call}, {@link #joinedFuture} and {@link
 * #close} runs on the connection's event loop.
 */
final class ChatConn extends SimpleChannelInboundHandler<WebSocketFrame> {
  private static final byte[] EVENT = Bytes.ascii("42[\"dialogue:event\",{\"event\":\"");
  private static final byte[] MESSAGE = Bytes.ascii("message\"");
  private static final byte[] TYPING = Bytes.ascii("typing\"");
  private static final byte[] ROOM = Bytes.ascii("\"roomId\":\"");
  private static final byte[] TEXT = Bytes.ascii("\"text\":\"bench:");
  private static final byte[] OFFSET = Bytes.ascii("\"offset\":");
  private static final byte[] UNREAD = Bytes.ascii("42[\"unread\"");
  private static final byte[] PRESENCE = Bytes.ascii("42[\"dialogue:presence\"");
  private static final byte[] JOINED = Bytes.ascii("42[\"dialogue:joined\"");
  private static final byte[] ERROR = Bytes.ascii("42[\"dialogue:error\"");

  /** Words of the messages after the header, for a text of a chat message's usual length. */
  private static final String[] WORDS = {
    "the",
    "deploy",
    "looks",
    "good",
    "can",
    "you",
    "check",
    "release",
    "notes",
    "lunch",
    "at",
    "noon",
    "meeting",
    "moved",
    "to",
    "tomorrow",
    "thanks",
    "ok",
    "fixed",
    "in",
    "review",
    "ship",
    "it"
  };

  final int index;
  private final String auth;
  private final ChatStats stats;
  private final long epoch;

  /** Completes when the server acknowledged the CONNECT (the token was accepted). */
  final CompletableFuture<ChatConn> connected = new CompletableFuture<>();

  private Channel channel;
  private int nextAck = 1;
  private final Map<Integer, Consumer<String>> replies = new HashMap<>();
  private final Set<String> rooms = new HashSet<>();
  private final Map<String, CompletableFuture<Void>> awaitedJoins = new HashMap<>();
  private boolean closing;
  private boolean failed;

  // Activity, touched only on the event loop (ChatScenario's ticker).
  List<String> channelRooms = List.of();
  Map<String, Integer> membersByRoom = Map.of();
  boolean active;
  long nextAt;
  boolean typingNext;
  String nextRoom;
  long nextReadAt;
  Random random;
  private long seq;
  private final Map<String, Long> lastOffset = new HashMap<>();
  private final Map<String, Long> marked = new HashMap<>();

  /**
   * @param token the chat session token, sent as the CONNECT packet's {@code auth.token}
   * @param epoch the generator's time origin: the send times in the texts are {@code nanoTime() -
   *     epoch}
   */
  ChatConn(int index, String token, ChatStats stats, long epoch) {
    this.index = index;
    this.auth = "{\"token\":\"" + token + "\"}";
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
      fail("HANDSHAKE_TIMEOUT", "websocket handshake timed out");
    } else if (evt == ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
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
      return;
    }
    if (!(frame instanceof TextWebSocketFrame)) {
      stats.error("BINARY_FRAME", "unexpected binary frame");
      return;
    }
    ByteBuf buf = frame.content();
    int start = buf.readerIndex();
    int end = buf.writerIndex();
    if (Bytes.startsWith(buf, start, EVENT)) {
      int name = start + EVENT.length;
      if (Bytes.startsWith(buf, name, MESSAGE)) {
        onMessage(buf, name, end);
      } else if (Bytes.startsWith(buf, name, TYPING)) {
        stats.typingDelivered.increment();
      } else {
        stats.otherFrames.increment();
      }
      return;
    }
    if (Bytes.startsWith(buf, start, UNREAD)) {
      stats.unreadPushes.increment();
      return;
    }
    if (Bytes.startsWith(buf, start, PRESENCE)) {
      stats.presence.increment();
      return;
    }
    byte type = buf.getByte(start);
    if (type == '2' && buf.readableBytes() == 1) {
      send("3");
      return;
    }
    String text = buf.toString(StandardCharsets.UTF_8);
    if (type == '0') {
      send("40" + auth);
    } else if (text.startsWith("40")) {
      connected.complete(this);
    } else if (text.startsWith("44")) {
      fail("CONNECT_ERROR", text.substring(2));
    } else if (text.startsWith("43")) {
      onAck(text);
    } else if (Bytes.startsWith(buf, start, JOINED)) {
      String room = quotedAfter(text, "\"roomId\":\"");
      rooms.add(room);
      CompletableFuture<Void> waiting = awaitedJoins.remove(room);
      if (waiting != null) {
        waiting.complete(null);
      }
      stats.otherFrames.increment();
    } else if (Bytes.startsWith(buf, start, ERROR)) {
      stats.error(codeOf(text), text);
    } else if (type == '1') {
      ctx.close();
    } else {
      stats.otherFrames.increment(); // dialogue:connected, channelAdded, ...
    }
  }

  /** A {@code message} event: times it when one of the scenario's, and notes the room's offset. */
  private void onMessage(ByteBuf buf, int from, int end) {
    long now = System.nanoTime() - epoch;
    int t = Bytes.indexOf(buf, TEXT, from, end);
    if (t < 0) {
      stats.otherFrames.increment(); // not one of ours (the seed's)
      return;
    }
    // bench:<sender>:<seq>:<sent nanos>
    int p = t + TEXT.length;
    int colon1 = buf.indexOf(p, end, (byte) ':');
    int colon2 = colon1 < 0 ? -1 : buf.indexOf(colon1 + 1, end, (byte) ':');
    if (colon2 < 0) {
      stats.error("BAD_DELIVERY", buf.toString(StandardCharsets.UTF_8));
      return;
    }
    long sentAt = Bytes.number(buf, colon2 + 1, end);
    stats.delivery.recordValue(Math.max(0, now - sentAt));
    stats.deliveries.increment();
    int r = Bytes.indexOf(buf, ROOM, from, t);
    int o = Bytes.indexOf(buf, OFFSET, colon2, end);
    if (r >= 0 && o >= 0) {
      String room = Bytes.quoted(buf, r + ROOM.length, end);
      lastOffset.merge(room, Bytes.number(buf, o + OFFSET.length, end), Math::max);
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

  static boolean ok(String reply) {
    return reply.startsWith("[{\"ok\":true");
  }

  /** The error code in an answer or a dialogue:error, or "?" when there is none. */
  static String codeOf(String text) {
    String code = quotedAfter(text, "\"code\":\"");
    return code == null ? "?" : code;
  }

  private static String quotedAfter(String text, String key) {
    int at = text.indexOf(key);
    if (at < 0) {
      return null;
    }
    int from = at + key.length();
    int to = text.indexOf('"', from);
    return to < 0 ? text.substring(from) : text.substring(from, to);
  }

  private void request(String event, String json, Consumer<String> onReply) {
    int id = nextAck++;
    replies.put(id, onReply);
    send("42" + id + "[\"" + event + "\"," + json + "]");
  }

  /** Sends {@code event} with an ack; completes with the ack's JSON array. Any thread. */
  CompletableFuture<String> call(String event, String json) {
    CompletableFuture<String> reply = new CompletableFuture<>();
    channel.eventLoop().execute(() -> request(event, json, reply::complete));
    return reply;
  }

  /** Completes once the server has joined this connection to {@code roomId}. Any thread. */
  CompletableFuture<Void> joinedFuture(String roomId) {
    CompletableFuture<Void> joined = new CompletableFuture<>();
    channel
        .eventLoop()
        .execute(
            () -> {
              if (rooms.contains(roomId)) {
                joined.complete(null);
              } else {
                awaitedJoins
                    .computeIfAbsent(roomId, k -> new CompletableFuture<>())
                    .whenComplete((v, e) -> joined.complete(null));
              }
            });
    return joined;
  }

  // ---- activity (the scenario's ticker, on the event loop) ----

  /** Sends a typing notice to {@code roomId}, without an ack (refusals come as dialogue:error). */
  void typing(String roomId) {
    stats.typingSent.increment();
    send(
        "42[\"dialogue:trigger\",{\"roomId\":\""
            + roomId
            + "\",\"event\":\"typing\",\"data\":{}}]");
  }

  /**
   * Sends a message to {@code roomId} with an ack and a client message id; its text carries the
   * time it was due, against which every delivery and the ack are timed.
   */
  void message(String roomId, long dueNanos) {
    long s = ++seq;
    StringBuilder text = new StringBuilder(120);
    text.append("bench:").append(index).append(':').append(s).append(':').append(dueNanos - epoch);
    int words = 4 + random.nextInt(12);
    for (int i = 0; i < words; i++) {
      text.append(' ').append(WORDS[random.nextInt(WORDS.length)]);
    }
    stats.messagesSent.increment();
    stats.sendLag.recordValue(Math.max(0, System.nanoTime() - dueNanos));
    int members = membersByRoom.getOrDefault(roomId, 0);
    request(
        "dialogue:trigger",
        "{\"roomId\":\""
            + roomId
            + "\",\"event\":\"message\",\"data\":{\"text\":\""
            + text
            + "\"},\"clientMessageId\":\"b"
            + index
            + "-"
            + s
            + "\"}",
        reply -> {
          stats.ack.recordValue(Math.max(0, System.nanoTime() - dueNanos));
          if (ok(reply)) {
            stats.messagesAcked.increment();
            stats.deliveriesExpected.add(members);
          } else {
            stats.messagesRefused.increment();
            stats.error(codeOf(reply), reply);
          }
        });
  }

  /** Marks one of its channels read up to the last offset seen there, if any is behind. */
  void markRead() {
    List<String> behind = new ArrayList<>();
    for (String room : channelRooms) {
      Long last = lastOffset.get(room);
      if (last != null && last > marked.getOrDefault(room, -1L)) {
        behind.add(room);
      }
    }
    if (behind.isEmpty()) {
      return;
    }
    String room = behind.get(random.nextInt(behind.size()));
    long offset = lastOffset.get(room);
    long sent = System.nanoTime();
    stats.readMarks.increment();
    request(
        "dialogue:request",
        "{\"command\":\"read.mark\",\"data\":{\"roomId\":\""
            + room
            + "\",\"offset\":"
            + offset
            + "}}",
        reply -> {
          stats.readMark.recordValue(System.nanoTime() - sent);
          if (ok(reply)) {
            stats.readMarksAnswered.increment();
            marked.merge(room, offset, Math::max);
          } else {
            stats.error(codeOf(reply), reply);
          }
        });
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

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    if (!closing) {
      stats.disconnects.increment();
      fail("DISCONNECTED", "connection closed by the server");
    }
    super.channelInactive(ctx);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    fail("EXCEPTION", cause.toString());
    ctx.close();
  }

  private void fail(String code, String why) {
    if (!failed) {
      failed = true;
      stats.error(code, why);
    }
    connected.completeExceptionally(new IllegalStateException(code + ": " + why));
  }
}
