package dev.dialogue.internal.socketio;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.websocketx.WebSocketFrameEncoder;

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

  /** Whether this is {@code channel}'s. */
  boolean isOf(Channel channel) {
    return encoder.channel() == channel;
  }
}
