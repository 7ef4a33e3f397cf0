package dev.dialogue.internal.socketio;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes a WebSocket whose frame breaks RFC 6455 in a way netty-socketio lets through: a text
 * message that is not UTF-8 (status 1007, section 8.1) and a frame with a reserved bit no
 * negotiated extension explains (status 1002, section 5.2). Both used to be read as text anyway.
 *
 * <p>Sits right in front of netty-socketio's WebSocket transport: after the frame aggregator and
 * after the permessage-deflate decoder when a client negotiated it, which clears the bit it uses,
 * so any bit still set here was not negotiated. It also ends the session on Engine.IO's close
 * packet, which netty-socketio ignores on a WebSocket.
 */
@Sharable
final class FrameGuard extends ChannelInboundHandlerAdapter {
  static final String NAME = "dialogueFrameGuard";

  /**
   * Where the transport reports hostile input, one short line per connection (it is closed):
   * operators set its level by this name in their logging configuration.
   */
  static final Logger HOSTILE = LoggerFactory.getLogger("dev.dialogue.hostile");

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof WebSocketFrame frame) {
      if (frame.rsv() != 0) {
        refuse(ctx, msg, WebSocketCloseStatus.PROTOCOL_ERROR, "a reserved bit no extension uses");
        return;
      }
      if (frame instanceof TextWebSocketFrame && !isUtf8(frame.content())) {
        refuse(ctx, msg, WebSocketCloseStatus.INVALID_PAYLOAD_DATA, "a text frame not in UTF-8");
        return;
      }
      if (frame instanceof TextWebSocketFrame text && isClose(text.content())) {
        // Engine.IO's close packet: netty-socketio ignores it on a WebSocket (long polling
        // handles it), so the session lived on until the ping timeout.
        ReferenceCountUtil.release(msg);
        close(ctx, WebSocketCloseStatus.NORMAL_CLOSURE);
        return;
      }
    }
    ctx.fireChannelRead(msg);
  }

  private static void refuse(
      ChannelHandlerContext ctx, Object msg, WebSocketCloseStatus status, String what) {
    ReferenceCountUtil.release(msg);
    HOSTILE.warn(
        "Closing {}: {} (WebSocket {})", ctx.channel().remoteAddress(), what, status.code());
    close(ctx, status);
  }

  private static void close(ChannelHandlerContext ctx, WebSocketCloseStatus status) {
    ctx.channel()
        .writeAndFlush(new CloseWebSocketFrame(status))
        .addListener(ChannelFutureListener.CLOSE);
  }

  private static boolean isClose(ByteBuf content) {
    return content.readableBytes() == 1 && content.getByte(content.readerIndex()) == '1';
  }

  /** ASCII at once; anything else decoded strictly. */
  static boolean isUtf8(ByteBuf content) {
    if (content.forEachByte(b -> b >= 0) == -1) {
      return true;
    }
    try {
      StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(content.nioBuffer());
      return true;
    } catch (CharacterCodingException e) {
      return false;
    }
  }
}
