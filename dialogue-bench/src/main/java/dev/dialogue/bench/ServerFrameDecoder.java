package dev.dialogue.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import java.util.List;

/**
 * Decodes the WebSocket frames a server sends to the load generator, whole messages only, without
 * copying their payloads: each frame's payload is a slice of what was read. It takes the place of
 * Netty's frame decoder once the handshake is done and assembles fragmented messages itself, so no
 * aggregator follows it; Netty's decoder copies every payload into a buffer of its own, and with
 * the aggregator behind it that cost the generator more than a tenth of its CPU at 550,000
 * deliveries per second, for every target alike.
 *
 * <p>Server frames are never masked (RFC 6455 5.1) and no extension is negotiated, so a masked
 * frame, a reserved bit, an unknown opcode or a message over the limit is a broken server and fails
 * the connection.
 */
final class ServerFrameDecoder extends ByteToMessageDecoder {
  private static final int TEXT = 0x1;
  private static final int BINARY = 0x2;
  private static final int CONTINUATION = 0x0;
  private static final int CLOSE = 0x8;
  private static final int PING = 0x9;
  private static final int PONG = 0xA;

  private final int maxMessage;

  /** The fragments of a message not finished yet, or null. */
  private CompositeByteBuf fragments;

  private boolean fragmentsAreText;

  ServerFrameDecoder(int maxMessage) {
    this.maxMessage = maxMessage;
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    int readable = in.readableBytes();
    if (readable < 2) {
      return;
    }
    int at = in.readerIndex();
    int first = in.getUnsignedByte(at);
    int second = in.getUnsignedByte(at + 1);
    if ((second & 0x80) != 0) {
      throw broken(in, new CorruptedFrameException("a masked frame from the server"));
    }
    if ((first & 0x70) != 0) {
      throw broken(
          in, new CorruptedFrameException("reserved bits set; no extension was negotiated"));
    }
    long length = second & 0x7F;
    int header = 2;
    if (length == 126) {
      if (readable < 4) {
        return;
      }
      length = in.getUnsignedShort(at + 2);
      header = 4;
    } else if (length == 127) {
      if (readable < 10) {
        return;
      }
      length = in.getLong(at + 2);
      header = 10;
    }
    long pending = fragments == null ? 0 : fragments.readableBytes();
    if (length < 0 || length + pending > maxMessage) {
      throw broken(in, new TooLongFrameException("a message over " + maxMessage + " bytes"));
    }
    if (readable < header + length) {
      return;
    }
    in.skipBytes(header);
    ByteBuf payload = in.readRetainedSlice((int) length);
    boolean fin = (first & 0x80) != 0;
    switch (first & 0x0F) {
      case TEXT, BINARY -> message(ctx, (first & 0x0F) == TEXT, fin, payload, out);
      case CONTINUATION -> continuation(fin, payload, out);
      case CLOSE -> out.add(new CloseWebSocketFrame(true, 0, payload));
      case PING -> out.add(new PingWebSocketFrame(payload));
      case PONG -> out.add(new PongWebSocketFrame(payload));
      default -> {
        payload.release();
        throw new CorruptedFrameException("unknown opcode " + (first & 0x0F));
      }
    }
  }

  /** The stream cannot be read on: drops what is left of it, and returns {@code e} to throw. */
  private RuntimeException broken(ByteBuf in, RuntimeException e) {
    in.skipBytes(in.readableBytes());
    if (fragments != null) {
      fragments.release();
      fragments = null;
    }
    return e;
  }

  private void message(
      ChannelHandlerContext ctx, boolean text, boolean fin, ByteBuf payload, List<Object> out) {
    if (fragments != null) {
      payload.release();
      throw new CorruptedFrameException("a new message before the last one's final fragment");
    }
    if (fin) {
      out.add(text ? new TextWebSocketFrame(true, 0, payload) : new BinaryWebSocketFrame(payload));
      return;
    }
    fragments = ctx.alloc().compositeBuffer(Integer.MAX_VALUE);
    fragmentsAreText = text;
    fragments.addComponent(true, payload);
  }

  private void continuation(boolean fin, ByteBuf payload, List<Object> out) {
    if (fragments == null) {
      payload.release();
      throw new CorruptedFrameException("a continuation frame outside a fragmented message");
    }
    fragments.addComponent(true, payload);
    if (fin) {
      ByteBuf whole = fragments;
      fragments = null;
      out.add(
          fragmentsAreText
              ? new TextWebSocketFrame(true, 0, whole)
              : new BinaryWebSocketFrame(whole));
    }
  }

  @Override
  protected void handlerRemoved0(ChannelHandlerContext ctx) {
    if (fragments != null) {
      fragments.release();
      fragments = null;
    }
  }
}
