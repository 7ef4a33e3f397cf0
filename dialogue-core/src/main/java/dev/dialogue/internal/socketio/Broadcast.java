package dev.dialogue.internal.socketio;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.util.RawValue;
import dev.dialogue.internal.OutboundEvent;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.EventLoop;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * One event on its way to one or many connections, sent once per event loop rather than once per
 * recipient.
 *
 * <p>netty-socketio encodes every packet for every recipient (a Jackson generator per packet) and
 * hands each one to the recipient's event loop as a task of its own. Here the whole WebSocket frame
 * (frame header, Engine.IO message type, Socket.IO EVENT packet, JSON) is built once; each event
 * loop then gets one task, with its own copy of that buffer, that writes a duplicate of it to each
 * of its channels, and flushes each channel once per round of the loop ({@link Flusher}), rounds
 * spaced out when the loop is busy flushing. A recipient costs a buffer duplicate and its share of
 * a socket write.
 *
 * <p>Connections not (yet) on WebSocket, or an event larger than the transport's frame limit, go
 * the usual way through netty-socketio ({@link HeadSession}).
 *
 * <p>Order: a broadcast's tasks are queued on the event loops when {@link #send} runs, behind
 * whatever netty-socketio queued there before (a join answer, say), and ahead of anything queued
 * after. Callers that need an order across threads call {@code send} under the lock that orders
 * them (the room's). Used by one thread at a time.
 */
public final class Broadcast implements OutboundEvent.Encoding {
  private static final ByteBufAllocator ALLOCATOR = ByteBufAllocator.DEFAULT;

  /** Text frame, final fragment. */
  private static final int TEXT_FRAME = 0x81;

  final String eventName;
  final RawValue data;

  /** The frame for {@link #frameNamespace}, built for the first WebSocket recipient. */
  private ByteBuf frame;

  private String frameNamespace;
  private int payloadLength;
  private final List<Group> groups = new ArrayList<>(2);

  /** How many recipients each event loop's list starts with room for. */
  private final int expectedRecipients;

  /** The frame of {@code event}, for its recipients on WebSocket. */
  static Broadcast of(OutboundEvent event) {
    return new Broadcast(event.name(), event.payload(), event.expectedRecipients());
  }

  public Broadcast(String eventName, RawValue data) {
    this(eventName, data, 1);
  }

  /**
   * @param expectedRecipients about how many connections it goes to (a room's size), so that the
   *     lists of recipients are not grown step by step
   */
  public Broadcast(String eventName, RawValue data, int expectedRecipients) {
    this.eventName = eventName;
    this.data = data;
    this.expectedRecipients = Math.max(1, expectedRecipients);
  }

  /**
   * Queues the frame for {@code out}, a session's WebSocket whose packets are in {@code
   * wireNamespace}. Returns false, and queues nothing, when the frame would exceed {@code
   * frameLimit} (or was built for another namespace): the caller sends a packet instead.
   */
  public boolean add(WebSocketOut out, String wireNamespace, int frameLimit) {
    if (frame == null) {
      frame = frame(wireNamespace);
      frameNamespace = wireNamespace;
    }
    if (payloadLength > frameLimit || !frameNamespace.equals(wireNamespace)) {
      return false;
    }
    // Indexed: an iterator here would be one more object per recipient.
    for (int i = 0, n = groups.size(); i < n; i++) {
      Group g = groups.get(i);
      if (g.flusher == out.flusher) {
        g.outs.add(out);
        return true;
      }
    }
    Group g = new Group(out.flusher, expectedRecipients);
    g.outs.add(out);
    groups.add(g);
    return true;
  }

  /** Hands the frame to each event loop; the broadcast cannot be used afterwards. */
  @Override
  public void send() {
    try {
      for (int i = 0, n = groups.size(); i < n; i++) {
        Group g = groups.get(i);
        // Each loop its own copy (of some hundred bytes): the duplicates written to its channels
        // count their references on it, and two loops counting on one buffer would pass its
        // cache line back and forth between their cores at every write and release.
        ByteBuf shared = i == n - 1 ? frame.retain() : frame.copy();
        Runnable write = () -> g.write(shared);
        if (g.flusher.loop.inEventLoop()) {
          write.run();
        } else {
          try {
            g.flusher.loop.execute(write);
          } catch (RejectedExecutionException e) {
            // The transport is shutting down: its channels are closing anyway.
            shared.release();
          }
        }
      }
    } finally {
      groups.clear();
      release();
    }
  }

  private void release() {
    if (frame != null) {
      frame.release();
      frame = null;
    }
  }

  /**
   * The WebSocket text frame of Socket.IO's {@code 42["name",data]} (Engine.IO message 4, Socket.IO
   * EVENT 2), with {@code /namespace,} after the type outside the default namespace.
   */
  private ByteBuf frame(String wireNamespace) {
    StringBuilder text = new StringBuilder(eventName.length() + 64);
    text.append("42");
    if (!wireNamespace.isEmpty()) {
      text.append(wireNamespace).append(',');
    }
    text.append("[\"");
    JsonStringEncoder.getInstance().quoteAsString(eventName, text);
    text.append("\",").append(data.rawValue()).append(']');
    int length = ByteBufUtil.utf8Bytes(text);
    payloadLength = length;
    ByteBuf buf = ALLOCATOR.directBuffer(10 + length);
    buf.writeByte(TEXT_FRAME);
    if (length <= 125) {
      buf.writeByte(length);
    } else if (length <= 0xFFFF) {
      buf.writeByte(126);
      buf.writeShort(length);
    } else {
      buf.writeByte(127);
      buf.writeLong(length);
    }
    ByteBufUtil.writeUtf8(buf, text);
    return buf;
  }

  /** The recipients on one event loop (of one server: the loop's {@link Flusher}). */
  private static final class Group {
    final Flusher flusher;
    final List<WebSocketOut> outs;

    Group(Flusher flusher, int expectedRecipients) {
      this.flusher = flusher;
      this.outs = new ArrayList<>(expectedRecipients);
    }

    /**
     * Runs on the event loop: writes a duplicate of {@code frame} (this loop's own) to each
     * channel, tells the session whether its channel was writable, and leaves the flush to the
     * loop's {@link Flusher}, so that frames of deliveries queued behind this one share a socket
     * write. The frame is retained once for all duplicates (each released once written), not once
     * per duplicate.
     */
    void write(ByteBuf frame) {
      long now = System.nanoTime();
      int count = outs.size();
      int written = 0;
      frame.retain(count);
      try {
        for (int i = 0; i < count; i++) {
          WebSocketOut out = outs.get(i);
          ChannelHandlerContext encoder = out.encoder;
          Channel channel = encoder.channel();
          if (channel.isActive()) {
            // Whether the transport was full when this frame joined it (frames written since the
            // last flush count towards that, but only until the flush).
            boolean writable = channel.isWritable();
            encoder.write(frame.duplicate(), encoder.voidPromise());
            written++; // the channel owns the duplicate now, written or failed
            flusher.due(out, now);
            ChannelOutboundBuffer pending = channel.unsafe().outboundBuffer();
            out.backlog.written(writable, pending == null ? 0 : pending.totalPendingWriteBytes());
          }
        }
      } finally {
        frame.release(1 + count - written);
        flusher.schedule();
      }
    }
  }

  /** A server's {@link Flusher}s, one per event loop, and the delays they keep to. Thread-safe. */
  public static final class Flushers {
    private final long maxDelay;
    private final long maxDelayUnderLoad;
    private final long loadWindow;
    private final Map<EventLoop, Flusher> byLoop = new ConcurrentHashMap<>();

    /**
     * @param maxDelay the server's {@code maxFlushDelay}
     * @param maxDelayUnderLoad its {@code maxFlushDelayUnderLoad}; never shorter than {@code
     *     maxDelay}
     */
    public Flushers(Duration maxDelay, Duration maxDelayUnderLoad) {
      this(maxDelay, maxDelayUnderLoad, LOAD_WINDOW);
    }

    /** As above, judging each loop's load every {@code loadWindow} (tests use short ones). */
    Flushers(Duration maxDelay, Duration maxDelayUnderLoad, Duration loadWindow) {
      this.maxDelay = maxDelay.toNanos();
      this.maxDelayUnderLoad = Math.max(this.maxDelay, maxDelayUnderLoad.toNanos());
      this.loadWindow = loadWindow.toNanos();
    }

    /** The flusher of {@code loop}, made on first use. */
    Flusher of(EventLoop loop) {
      return byLoop.computeIfAbsent(
          loop, l -> new Flusher(l, maxDelay, maxDelayUnderLoad, loadWindow));
    }
  }

  /**
   * How many times as long as a flush round took a busy event loop holds back the sockets it
   * flushed in it, counted from the round's start: rounds then take at most a fifth of the loop's
   * time.
   */
  static final int ROUND_SPACING = 5;

  /**
   * The share of a loop's time that flushing every frame in a socket write of its own would take,
   * above which the loop is under load and its channels may wait up to {@code
   * maxFlushDelayUnderLoad} instead of {@code maxFlushDelay} ...
   */
  static final double UNDER_LOAD = 0.8;

  /** ... until that share falls below this. */
  static final double NO_LONGER_UNDER_LOAD = 0.5;

  /**
   * How many frames per socket write a loop under load holds its channels back for, at most: a
   * channel that gets hundreds of events a second has them within {@code maxFlushDelay}, and
   * holding it longer would only add latency; one that gets ten a second waits up to {@code
   * maxFlushDelayUnderLoad}.
   */
  static final int FRAMES_PER_FLUSH_UNDER_LOAD = 4;

  /** How often a loop judges its load (at the end of a flush round, once this much has passed). */
  static final Duration LOAD_WINDOW = Duration.ofSeconds(1);

  /**
   * Flushes the channels an event loop wrote frames to, each once per round. A channel not flushed
   * lately joins the next round, a task queued behind the writes (so deliveries already waiting in
   * the loop's queue are written first). A channel flushed less than the loop's spacing ago waits
   * for a later round instead, which starts when the spacing since its last flush is up: the
   * spacing is {@link #ROUND_SPACING} times the duration of the loop's last round, and at most
   * {@code maxFlushDelay}, or {@code maxFlushDelayUnderLoad} while the loop is under load ({@link
   * #UNDER_LOAD}). So a loop whose rounds are short (a quiet server, few recipients per event) or
   * whose recipients get events seldom flushes at once, while one flushing the same sockets again
   * and again sends each the frames of the spacing in one socket write (one system call, one TCP
   * segment, one read by the client) instead of one each. Order is unaffected: a flush only sends
   * what was written, in the order written (and netty-socketio's own writes flush whatever was
   * written before them). One per event loop of a server ({@link Flushers}); confined to its loop.
   */
  static final class Flusher {
    final EventLoop loop;
    private final long maxDelay;
    private final long maxDelayUnderLoad;
    private final long loadWindow;
    private final Round next = new Round();
    private final Round later = new Round();

    /** How long a flushed channel waits before its next flush while the loop is busy. */
    private long spacing;

    /** Whether the loop counts as under load: see {@link #UNDER_LOAD}. */
    private boolean underLoad;

    // What the current load window has seen: frames written, channels flushed, time in rounds, the
    // most channels in one round.
    private long windowStart = System.nanoTime();
    private long frames;
    private long flushes;
    private long flushNanos;
    private int widestRound;

    /** The longest spacing for now: {@code maxFlushDelay}, or more while under load. */
    private long cap;

    private Flusher(EventLoop loop, long maxDelay, long maxDelayUnderLoad, long loadWindow) {
      this.loop = loop;
      this.maxDelay = maxDelay;
      this.maxDelayUnderLoad = maxDelayUnderLoad;
      this.loadWindow = loadWindow;
      this.cap = maxDelay;
    }

    void due(WebSocketOut out, long now) {
      frames++;
      if (out.flushDue) {
        return;
      }
      out.flushDue = true;
      if (now - out.lastFlush < spacing) {
        later.add(out, out.lastFlush + spacing);
      } else {
        next.add(out, now);
      }
    }

    void schedule() {
      next.schedule();
      later.schedule();
    }

    /**
     * Ends a load window: the loop is under load while flushing every frame in a write of its own
     * would take more than {@link #UNDER_LOAD} of its time, and stays so until that falls below
     * {@link #NO_LONGER_UNDER_LOAD}. The estimate (frames written x the time one flush took) does
     * not shrink when channels are held back, so holding back does not talk the loop out of it.
     * Under load, the cap is as long as it takes the loop's channels to get {@link
     * #FRAMES_PER_FLUSH_UNDER_LOAD} frames, between {@code maxFlushDelay} and {@code
     * maxFlushDelayUnderLoad}.
     */
    private void judgeLoad(long now) {
      long window = now - windowStart;
      if (window < loadWindow || flushes == 0) {
        return;
      }
      double demand = (double) flushNanos / flushes * frames / window;
      underLoad = demand > (underLoad ? NO_LONGER_UNDER_LOAD : UNDER_LOAD);
      // Long enough for FRAMES_PER_FLUSH_UNDER_LOAD frames per flush, at the rate the loop's
      // channels got frames (its widest round counting its channels).
      double framesPerChannelNanos = (double) frames / window / Math.max(1, widestRound);
      long enough = (long) (FRAMES_PER_FLUSH_UNDER_LOAD / framesPerChannelNanos);
      cap = underLoad ? Math.max(maxDelay, Math.min(maxDelayUnderLoad, enough)) : maxDelay;
      widestRound = 0;
      windowStart = now;
      frames = 0;
      flushes = 0;
      flushNanos = 0;
    }

    /** Whether the loop counted as under load at its last judgement; for tests. */
    boolean underLoad() {
      return underLoad;
    }

    /** Channels to flush together, and when. */
    private final class Round implements Runnable {
      private final List<WebSocketOut> outs = new ArrayList<>();
      private long at;
      private boolean scheduled;

      public void add(WebSocketOut out, long notBefore) {
        if (outs.isEmpty()) {
          at = notBefore;
        }
        outs.add(out);
      }

      void schedule() {
        if (scheduled || outs.isEmpty()) {
          return;
        }
        scheduled = true;
        long wait = at - System.nanoTime();
        try {
          if (wait <= 0) {
            loop.execute(this);
          } else {
            loop.schedule(this, wait, TimeUnit.NANOSECONDS);
          }
        } catch (RejectedExecutionException e) {
          run();
        }
      }

      @Override
      public void run() {
        scheduled = false;
        long start = System.nanoTime();
        for (WebSocketOut out : outs) {
          out.flushDue = false;
          out.lastFlush = start;
          out.encoder.flush();
        }
        long end = System.nanoTime();
        flushes += outs.size();
        widestRound = Math.max(widestRound, outs.size());
        flushNanos += end - start;
        outs.clear();
        judgeLoad(end);
        spacing = Math.min(cap, ROUND_SPACING * (end - start));
      }
    }
  }
}
