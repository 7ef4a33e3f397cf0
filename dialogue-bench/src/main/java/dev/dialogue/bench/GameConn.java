package dev.dialogue.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler.ClientHandshakeStateEvent;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameDecoder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One bot player of the game scenario on one Socket.IO connection, framed by the generator itself
 * as {@link ChatConn} is: it authenticates as the game wants ({@code {name, session}}), takes a
 * seat through the game's commands, and then plays from the {@code state} events of its match: a
 * random legal column when it is on move (after its think time), a {@code rematch} when a game is
 * over. Or, as a lobby watcher, it joins the {@code lobby} room and counts the lists it receives.
 * Everything but {@link #call} and {@link #close} runs on the connection's event loop.
 */
final class GameConn extends SimpleChannelInboundHandler<WebSocketFrame> {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final byte[] EVENT = Bytes.ascii("42[\"dialogue:event\",{\"event\":\"");
  private static final byte[] STATE = Bytes.ascii("state\"");
  private static final byte[] NOTICE = Bytes.ascii("notice\"");
  private static final byte[] MATCHES = Bytes.ascii("matches\"");
  private static final byte[] ERROR = Bytes.ascii("42[\"dialogue:error\"");

  /**
   * The latest move of one match, shared by its two players (whose connections may be on different
   * event loops): when it was sent, and whether each side has seen the state that shows it.
   */
  static final class Table {
    private GameConn mover;
    private int game;
    private int moveNumber;
    private long sentAt;
    private boolean moverSaw;
    private boolean opponentSaw;

    synchronized void sent(GameConn by, int game, int moveNumber, long at) {
      this.mover = by;
      this.game = game;
      this.moveNumber = moveNumber;
      this.sentAt = at;
      this.moverSaw = false;
      this.opponentSaw = false;
    }

    /**
     * {@code who} received the state of {@code game} after {@code moveNumber} moves, at {@code
     * now}.
     */
    synchronized void saw(GameConn who, int game, int moveNumber, long now, GameStats stats) {
      if (mover == null || game != this.game || moveNumber < this.moveNumber) {
        return;
      }
      if (who == mover && !moverSaw) {
        moverSaw = true;
        stats.toMover.recordValue(Math.max(0, now - sentAt));
      } else if (who != mover && !opponentSaw) {
        opponentSaw = true;
        stats.toOpponent.recordValue(Math.max(0, now - sentAt));
      }
    }
  }

  final int index;
  private final String auth;
  private final GameStats stats;
  private final Table table;
  private final long thinkNanos;
  private final Random random;

  /** Completes when the server acknowledged the CONNECT. */
  final CompletableFuture<GameConn> connected = new CompletableFuture<>();

  private Channel channel;
  private int nextAck = 1;
  private final Map<Integer, Consumer<String>> replies = new HashMap<>();
  private boolean closing;
  private boolean failed;

  /** Whether it plays (moves and rematches); cleared to stop the traffic. On the event loop. */
  volatile boolean active = true;

  /** 1 for the player who made the match, 2 for the one who joined it, 0 for a lobby watcher. */
  private final int seat;

  private String matchId; // from its first state: a player is in one match room
  private long movedFor = -1;
  private int overFor;
  private int startedFor;

  /**
   * @param seat 1 for the player who makes the match, 2 for the one who joins it, 0 to watch the
   *     lobby
   * @param table shared with the opponent; null for a lobby watcher
   * @param thinkMillis mean wait before a move or a rematch (uniform in 0.5x..1.5x); 0 for none
   */
  GameConn(int index, int seat, GameStats stats, Table table, double thinkMillis, long seed) {
    this.index = index;
    this.seat = seat;
    this.auth =
        "{\"name\":\"bot"
            + index
            + "\",\"session\":\"bench-session-"
            + String.format("%08d", index)
            + "\",\"bot\":\"1\"}";
    this.stats = stats;
    this.table = table;
    this.thinkNanos = (long) (thinkMillis * 1e6);
    this.random = new Random(seed);
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
  protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) throws IOException {
    if (frame instanceof CloseWebSocketFrame) {
      return;
    }
    if (!(frame instanceof TextWebSocketFrame)) {
      stats.error("BINARY_FRAME", "unexpected binary frame");
      return;
    }
    long now = System.nanoTime();
    ByteBuf buf = frame.content();
    int start = buf.readerIndex();
    if (Bytes.startsWith(buf, start, EVENT)) {
      int name = start + EVENT.length;
      if (Bytes.startsWith(buf, name, STATE)) {
        stats.states.increment();
        stats.stateBytes.add(buf.readableBytes());
        onState(
            JSON.readTree(buf.toString(start + 2, buf.readableBytes() - 2, StandardCharsets.UTF_8))
                .get(1)
                .get("data"),
            now);
      } else if (Bytes.startsWith(buf, name, NOTICE)) {
        stats.notices.increment();
      } else if (Bytes.startsWith(buf, name, MATCHES)) {
        stats.lobbyUpdates.increment();
        stats.lobbyBytes.add(buf.readableBytes());
      } else {
        stats.otherFrames.increment();
      }
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
      int bracket = text.indexOf('[');
      Consumer<String> reply = replies.remove(Integer.parseInt(text.substring(2, bracket)));
      if (reply != null) {
        reply.accept(text.substring(bracket));
      }
    } else if (Bytes.startsWith(buf, start, ERROR)) {
      stats.error(ChatConn.codeOf(text), text);
    } else if (type == '1') {
      ctx.close();
    } else {
      stats.otherFrames.increment(); // dialogue:connected, dialogue:joined, ...
    }
  }

  /** A state of its match: times the last move if it shows it, then plays on. */
  private void onState(JsonNode s, long now) {
    if (seat == 0) {
      return;
    }
    if (matchId == null) {
      matchId = s.path("matchId").asText();
    }
    int game = s.path("game").asInt();
    int moveNumber = s.path("moveNumber").asInt();
    table.saw(this, game, moveNumber, now, stats);
    String status = s.path("status").asText();
    if (status.equals("playing")) {
      if (seat == 1 && game != startedFor) {
        startedFor = game;
        stats.gamesStarted.increment();
      }
      long key = (long) game << 32 | moveNumber;
      if (s.path("turn").asInt() == seat && key != movedFor) {
        movedFor = key;
        int column = legalColumn(s.path("board"));
        later(() -> move(game, moveNumber, column));
      }
    } else if (status.equals("over") && game != overFor) {
      overFor = game;
      if (seat == 1) {
        stats.finished(s.path("result").path("reason").asText("?"));
      }
      later(this::rematch);
    }
  }

  /** A random column whose top cell is free. */
  private int legalColumn(JsonNode board) {
    JsonNode top = board.path(0);
    int free = 0;
    for (int c = 0; c < top.size(); c++) {
      if (top.path(c).asInt() == 0) {
        free++;
      }
    }
    int pick = random.nextInt(Math.max(1, free));
    for (int c = 0; c < top.size(); c++) {
      if (top.path(c).asInt() == 0 && pick-- == 0) {
        return c;
      }
    }
    return 0;
  }

  private void later(Runnable step) {
    if (thinkNanos == 0) {
      step.run();
    } else {
      long wait = (long) (thinkNanos * (0.5 + random.nextDouble()));
      channel.eventLoop().schedule(step, wait, TimeUnit.NANOSECONDS);
    }
  }

  private void move(int game, int moveNumber, int column) {
    if (!active || !channel.isActive()) {
      return;
    }
    long sent = System.nanoTime();
    table.sent(this, game, moveNumber + 1, sent);
    stats.movesSent.increment();
    request(
        "dialogue:request",
        "{\"roomId\":\""
            + matchId
            + "\",\"command\":\"move\",\"data\":{\"column\":"
            + column
            + "}}",
        reply -> {
          stats.ack.recordValue(Math.max(0, System.nanoTime() - sent));
          if (ChatConn.ok(reply)) {
            stats.movesAccepted.increment();
          } else {
            stats.movesRefused.increment();
            stats.error(ChatConn.codeOf(reply), reply);
          }
        });
  }

  private void rematch() {
    if (!active || !channel.isActive()) {
      return;
    }
    request(
        "dialogue:request",
        "{\"roomId\":\"" + matchId + "\",\"command\":\"rematch\"}",
        reply -> {
          if (!ChatConn.ok(reply)) {
            stats.error(ChatConn.codeOf(reply), reply);
          }
        });
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
              active = false;
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
