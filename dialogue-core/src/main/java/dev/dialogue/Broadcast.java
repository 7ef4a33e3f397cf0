package dev.dialogue;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.util.RawValue;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoop;
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
 * loop then gets one task that writes a duplicate of that buffer to each of its channels. A
 * recipient costs a buffer duplicate and a socket write.
 *
 * <p>Connections not (yet) on WebSocket, or an event larger than the transport's frame limit, go
 * the usual way through netty-socketio ({@link HeadSession}).
 *
 * <p>Order: a broadcast's tasks are queued on the event loops when {@link #send} runs, behind
 * whatever netty-socketio queued there before (a join answer, say), and ahead of anything queued
 * after. Callers that need an order across threads call {@code send} under the lock that orders
 * them (the room's). Used by one thread at a time.
 */
final class Broadcast {
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

  Broadcast(String eventName, RawValue data) {
    this.eventName = eventName;
    this.data = data;
  }

  /**
   * Queues the frame for the channel of {@code encoder}, the context of a WebSocket session's frame
   * encoder (the frame is written from there, past the handlers nearer the pipeline's tail, which
   * would only pass it on), in {@code wireNamespace}. Returns false, and queues nothing, when the
   * frame would exceed {@code frameLimit}: the caller sends a packet instead.
   */
  boolean add(ChannelHandlerContext encoder, String wireNamespace, int frameLimit) {
    if (frame == null || !frameNamespace.equals(wireNamespace)) {
      release();
      frame = frame(wireNamespace);
      frameNamespace = wireNamespace;
    }
    if (payloadLength > frameLimit) {
      return false;
    }
    EventLoop loop = encoder.channel().eventLoop();
    for (Group g : groups) {
      if (g.loop == loop) {
        g.encoders.add(encoder);
        return true;
      }
    }
    Group g = new Group(loop);
    g.encoders.add(encoder);
    groups.add(g);
    return true;
  }

  /** Hands the frame to each event loop; the broadcast cannot be used afterwards. */
  void send() {
    try {
      for (Group g : groups) {
        ByteBuf shared = frame.retain();
        Runnable write = () -> g.write(shared);
        if (g.loop.inEventLoop()) {
          write.run();
        } else {
          try {
            g.loop.execute(write);
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

  /** The recipients on one event loop. */
  private static final class Group {
    final EventLoop loop;
    final List<ChannelHandlerContext> encoders = new ArrayList<>();

    Group(EventLoop loop) {
      this.loop = loop;
    }

    /** Runs on the event loop: one write and flush per channel, each of a duplicate. */
    void write(ByteBuf shared) {
      try {
        for (ChannelHandlerContext encoder : encoders) {
          if (encoder.channel().isActive()) {
            encoder.writeAndFlush(shared.retainedDuplicate(), encoder.voidPromise());
          }
        }
      } finally {
        shared.release();
      }
    }
  }
}
