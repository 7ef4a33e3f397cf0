package dev.dialogue.internal.socketio;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.handler.codec.http.websocketx.WebSocketFrameEncoder;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A session's WebSocket as {@link Broadcast} writes to it: frames are written from the WebSocket
 * frame encoder's context, past the handlers nearer the pipeline's tail (which would only pass them
 * on; TLS, nearer the head, still applies).
 */
public final class WebSocketOut {
  public final ChannelHandlerContext encoder;

  /** The flusher of the channel's event loop, in the channel's server. */
  final Flusher flusher;

  /** Told, for each frame written, whether the channel was writable when it was. */
  final Backlog backlog;

  /** Written to and not flushed yet. Read and written only on the channel's event loop. */
  boolean flushDue;

  /**
   * When {@link Broadcast} last flushed it: at first, as good as never (2^62 ns, 146 years, ago).
   * Only on the event loop.
   */
  long lastFlush = System.nanoTime() - (1L << 62);

  /**
   * Latest-only frames held back while the channel is behind, by conflation key, oldest first; at
   * most one per key. Null when none. Only on the event loop.
   */
  private Map<String, ByteBuf> held;

  /**
   * Whether a drain mark is in the channel's buffer: everything written before it has not reached
   * the socket yet, so latest-only frames are held. Only on the event loop.
   */
  private boolean draining;

  private WebSocketOut(ChannelHandlerContext encoder, Flusher flusher, Backlog backlog) {
    this.encoder = encoder;
    this.flusher = flusher;
    this.backlog = backlog;
  }

  /**
   * {@code channel}'s WebSocket, flushed by its event loop's flusher among {@code flushers}, or
   * null if its pipeline has no WebSocket frame encoder.
   */
  public static WebSocketOut of(Channel channel, Flushers flushers, Backlog backlog) {
    ChannelHandlerContext encoder = channel.pipeline().context(WebSocketFrameEncoder.class);
    return encoder == null
        ? null
        : new WebSocketOut(encoder, flushers.of(channel.eventLoop()), backlog);
  }

  /** As above, with no bound on the backlog (tests). */
  public static WebSocketOut of(Channel channel, Flushers flushers) {
    return of(channel, flushers, (writable, pendingBytes) -> {});
  }

  /**
   * What bounds a session's outbound backlog ({@link HeadSession}): told on the channel's event
   * loop, for each frame written to the channel, whether the channel was writable (its buffer below
   * the high-water mark) as the frame joined it, and the bytes its buffer holds with the frame.
   */
  @FunctionalInterface
  interface Backlog {
    void written(boolean writable, long pendingBytes);
  }

  /**
   * On the event loop: writes {@code frame} (which it owns) to the channel, or, for a latest-only
   * frame ({@code latestKey} not null) while the channel is behind, holds it in place of the one
   * held with the same key (which is released). Behind means: a drain mark is still on its way, the
   * channel is not writable, or the socket did not take all that was flushed to it; the first frame
   * held writes a drain mark, an empty buffer whose write completes once everything before it has
   * reached the socket, and then the held frames are written. Any other frame first writes the held
   * ones, so frames keep their order. A {@code droppable} (volatile) frame for a channel that is
   * behind is released instead: it never joins the backlog, nor counts towards the bound on it.
   * Returns true if the frame was written, false if held or dropped.
   */
  boolean write(ByteBuf frame, String latestKey, boolean droppable, long now) {
    if (droppable && behind()) {
      frame.release();
      return false;
    }
    if (latestKey != null && behind()) {
      hold(latestKey, frame);
      return false;
    }
    writeHeld(now);
    writeFrame(frame, now);
    return true;
  }

  /** See {@link #write}: a drain mark on its way, the channel full, or flushed bytes not taken. */
  private boolean behind() {
    if (draining) {
      return true;
    }
    Channel channel = encoder.channel();
    ChannelOutboundBuffer pending = channel.unsafe().outboundBuffer();
    return !channel.isWritable() || (pending != null && pending.size() > 0);
  }

  /** The latest-only frames this holds; for tests. */
  int heldFrames() {
    return held == null ? 0 : held.size();
  }

  private void hold(String latestKey, ByteBuf frame) {
    if (held == null) {
      held = new LinkedHashMap<>();
    }
    // Removed first, so that the newest takes its place at the end: held frames keep the order in
    // which they were published.
    ByteBuf replaced = held.remove(latestKey);
    if (replaced != null) {
      replaced.release();
    }
    held.put(latestKey, frame);
    if (!draining) {
      draining = true;
      encoder
          .write(Unpooled.EMPTY_BUFFER)
          .addListener(
              done -> {
                draining = false;
                if (done.isSuccess()) {
                  writeHeld(System.nanoTime());
                  flusher.schedule();
                } else {
                  releaseHeld();
                }
              });
      flusher.due(this, System.nanoTime());
      flusher.schedule();
    }
  }

  private void writeHeld(long now) {
    Map<String, ByteBuf> frames = held;
    if (frames == null || frames.isEmpty()) {
      return;
    }
    held = null;
    for (ByteBuf frame : frames.values()) {
      writeFrame(frame, now);
    }
  }

  private void releaseHeld() {
    Map<String, ByteBuf> frames = held;
    held = null;
    if (frames != null) {
      for (Iterator<ByteBuf> it = frames.values().iterator(); it.hasNext(); ) {
        it.next().release();
      }
    }
  }

  private void writeFrame(ByteBuf frame, long now) {
    Channel channel = encoder.channel();
    // Whether the transport was full when this frame joined it (frames written since the last
    // flush count towards that, but only until the flush).
    boolean writable = channel.isWritable();
    encoder.write(frame, encoder.voidPromise());
    flusher.due(this, now);
    ChannelOutboundBuffer pending = channel.unsafe().outboundBuffer();
    backlog.written(writable, pending == null ? 0 : pending.totalPendingWriteBytes());
  }

  /** Whether this is {@code channel}'s. */
  boolean isOf(Channel channel) {
    return encoder.channel() == channel;
  }
}
