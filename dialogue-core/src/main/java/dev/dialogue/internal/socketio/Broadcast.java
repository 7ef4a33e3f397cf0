package dev.dialogue.internal.socketio;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.util.RawValue;
import dev.dialogue.internal.OutboundEvent;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;

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

  /** The conflation key of a latest-only event ({@link OutboundEvent#latestKey()}), or null. */
  private final String latestKey;

  /** Whether a recipient that is behind goes without it ({@link OutboundEvent#isDroppable()}). */
  private final boolean droppable;

  /** When the event was handed to its recipients ({@link System#nanoTime()}). */
  private final long createdNanos;

  /** The frame for {@link #frameNamespace}, built for the first WebSocket recipient. */
  private ByteBuf frame;

  private String frameNamespace;
  private int payloadLength;
  private final List<Group> groups = new ArrayList<>(2);

  /** How many recipients each event loop's list starts with room for. */
  private final int expectedRecipients;

  /** The frame of {@code event}, for its recipients on WebSocket. */
  static Broadcast of(OutboundEvent event) {
    return new Broadcast(
        event.name(),
        event.payload(),
        event.expectedRecipients(),
        event.latestKey(),
        event.isDroppable(),
        event.createdNanos());
  }

  public Broadcast(String eventName, RawValue data) {
    this(eventName, data, 1, null);
  }

  /**
   * @param expectedRecipients about how many connections it goes to (a room's size), so that the
   *     lists of recipients are not grown step by step
   */
  public Broadcast(String eventName, RawValue data, int expectedRecipients) {
    this(eventName, data, expectedRecipients, null);
  }

  /**
   * @param latestKey for a latest-only event, its conflation key: a recipient that is behind holds
   *     the newest frame per key instead of queuing each ({@link WebSocketOut#write}); null
   *     otherwise
   */
  public Broadcast(String eventName, RawValue data, int expectedRecipients, String latestKey) {
    this(eventName, data, expectedRecipients, latestKey, false, System.nanoTime());
  }

  private Broadcast(
      String eventName,
      RawValue data,
      int expectedRecipients,
      String latestKey,
      boolean droppable,
      long createdNanos) {
    this.eventName = eventName;
    this.data = data;
    this.expectedRecipients = Math.max(1, expectedRecipients);
    this.latestKey = latestKey;
    this.droppable = droppable;
    this.createdNanos = createdNanos;
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
        Runnable write = () -> g.write(shared, latestKey, droppable, createdNanos);
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
     * Runs on the event loop: writes a duplicate of {@code frame} (this loop's own) to each channel
     * (or holds it, latest-only, or drops it, volatile, for a channel that is behind: {@link
     * WebSocketOut#write}), tells the session whether its channel was writable, and leaves the
     * flush to the loop's {@link Flusher}, so that frames of deliveries queued behind this one
     * share a socket write. The frame is retained once for all duplicates (each released once
     * written), not once per duplicate.
     */
    void write(ByteBuf frame, String latestKey, boolean droppable, long createdNanos) {
      long now = System.nanoTime();
      int delivered = 0;
      int count = outs.size();
      int written = 0;
      frame.retain(count);
      try {
        for (int i = 0; i < count; i++) {
          WebSocketOut out = outs.get(i);
          if (out.encoder.channel().isActive()) {
            // The channel (or the session's held frames) owns the duplicate now, written or not.
            if (out.write(frame.duplicate(), latestKey, droppable, now)) {
              delivered++;
            }
            written++;
          }
        }
      } finally {
        frame.release(1 + count - written);
        flusher.schedule();
      }
      flusher.traffic.written(
          now, now - createdNanos, delivered, (long) frame.readableBytes() * delivered);
    }
  }
}
