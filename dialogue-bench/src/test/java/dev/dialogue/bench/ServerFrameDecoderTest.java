package dev.dialogue.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameEncoder;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Frames as a server's encoder writes them, read back by the load generator's decoder. */
class ServerFrameDecoderTest {
  @Test
  void framesOfEveryHeaderSize_splitAnywhere_decodeToTheirText() {
    ByteBuf wire = Unpooled.buffer();
    String[] texts = {"3", "x".repeat(126), "y".repeat(70_000), "ünï €"};
    for (String text : texts) {
      wire.writeBytes(encode(new TextWebSocketFrame(text)));
    }
    EmbeddedChannel channel = new EmbeddedChannel(new ServerFrameDecoder(1 << 20));
    // One byte, then the rest in 1,000-byte reads: headers and payloads cut at every size.
    channel.writeInbound(wire.readRetainedSlice(1));
    while (wire.isReadable()) {
      channel.writeInbound(wire.readRetainedSlice(Math.min(1_000, wire.readableBytes())));
    }
    wire.release();
    for (String text : texts) {
      assertThat(textOf(channel.readInbound())).isEqualTo(text);
    }
    assertThat((Object) channel.readInbound()).isNull();
    assertThat(channel.finish()).isFalse();
  }

  @Test
  void fragmentedMessage_arrivesWhole_andControlFramesPassBetween() {
    EmbeddedChannel channel = new EmbeddedChannel(new ServerFrameDecoder(1 << 20));
    channel.writeInbound(encode(new TextWebSocketFrame(false, 0, "42[\"big\",")));
    channel.writeInbound(encode(new PingWebSocketFrame(Unpooled.wrappedBuffer(new byte[] {7}))));
    channel.writeInbound(encode(new ContinuationWebSocketFrame(false, 0, "\"a")));
    channel.writeInbound(encode(new ContinuationWebSocketFrame(true, 0, "b\"]")));
    channel.writeInbound(encode(new CloseWebSocketFrame(1000, "bye")));

    PingWebSocketFrame ping = channel.readInbound();
    assertThat(ping.content().readByte()).isEqualTo((byte) 7);
    ping.release();
    assertThat(textOf(channel.readInbound())).isEqualTo("42[\"big\",\"ab\"]");
    CloseWebSocketFrame close = channel.readInbound();
    assertThat(close.statusCode()).isEqualTo(1000);
    assertThat(close.reasonText()).isEqualTo("bye");
    close.release();
    assertThat(channel.finish()).isFalse();
  }

  @Test
  void maskedFrame_orMessageOverTheLimit_failsNamingWhy() {
    EmbeddedChannel masked = new EmbeddedChannel(new ServerFrameDecoder(1 << 20));
    ByteBuf frame = Unpooled.wrappedBuffer(new byte[] {(byte) 0x81, (byte) 0x81, 1, 2, 3, 4, 5});
    assertThatThrownBy(() -> masked.writeInbound(frame))
        .isInstanceOf(CorruptedFrameException.class)
        .hasMessageContaining("masked");

    EmbeddedChannel small = new EmbeddedChannel(new ServerFrameDecoder(100));
    small.writeInbound(encode(new TextWebSocketFrame(false, 0, "x".repeat(60))));
    assertThatThrownBy(
            () ->
                small.writeInbound(encode(new ContinuationWebSocketFrame(true, 0, "y".repeat(60)))))
        .isInstanceOf(TooLongFrameException.class)
        .hasMessageContaining("over 100 bytes");
    small.finishAndReleaseAll();
  }

  @Test
  void indexOf_findsEachFieldFromWhereTheSearchStarts() {
    ByteBuf buf =
        Unpooled.copiedBuffer(
            "42[\"dialogue:event\",{\"data\":{\"bp\":\"3\",\"bs\":17,\"bt\":-5,\"pad\":\"b\\\"bs\"}}]",
            StandardCharsets.US_ASCII);
    int end = buf.writerIndex();
    int p = Bytes.indexOf(buf, Bytes.ascii("\"bp\":\""), 0, end);
    int s = Bytes.indexOf(buf, Bytes.ascii("\"bs\":"), p, end);
    int t = Bytes.indexOf(buf, Bytes.ascii("\"bt\":"), s, end);
    assertThat(Bytes.number(buf, p + 6, end)).isEqualTo(3);
    assertThat(Bytes.number(buf, s + 5, end)).isEqualTo(17);
    assertThat(Bytes.number(buf, t + 5, end)).isEqualTo(-5);
    assertThat(Bytes.indexOf(buf, Bytes.ascii("\"bp\":\""), p + 1, end)).isEqualTo(-1);
    assertThat(Bytes.indexOf(buf, Bytes.ascii("]"), 0, end)).isEqualTo(end - 1);
    buf.release();
  }

  /** The bytes Netty's server-side encoder (unmasked, as servers send) writes for {@code frame}. */
  private static ByteBuf encode(WebSocketFrame frame) {
    EmbeddedChannel encoder = new EmbeddedChannel(new WebSocket13FrameEncoder(false));
    encoder.writeOutbound(frame);
    ByteBuf all = Unpooled.buffer();
    for (ByteBuf part; (part = encoder.readOutbound()) != null; ) {
      all.writeBytes(part);
      part.release();
    }
    return all;
  }

  private static String textOf(Object frame) {
    TextWebSocketFrame text = (TextWebSocketFrame) frame;
    try {
      assertThat(text.isFinalFragment()).isTrue();
      return text.text();
    } finally {
      text.release();
    }
  }
}
