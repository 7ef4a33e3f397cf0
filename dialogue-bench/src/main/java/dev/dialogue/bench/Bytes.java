package dev.dialogue.bench;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * Scanning helpers over received frames, without decoding them into strings: every delivery goes
 * through them on the generator's event loops.
 */
final class Bytes {
  private Bytes() {}

  static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  static boolean startsWith(ByteBuf buf, int from, byte[] prefix) {
    if (buf.writerIndex() - from < prefix.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if (buf.getByte(from + i) != prefix[i]) {
        return false;
      }
    }
    return true;
  }

  /** Where {@code pattern} first occurs in {@code [from, end)}, or -1. */
  static int indexOf(ByteBuf buf, byte[] pattern, int from, int end) {
    int last = end - pattern.length;
    outer:
    for (int i = from; i <= last; i++) {
      // Netty's single-byte search reads 8 bytes at a time.
      i = buf.indexOf(i, last + 1, pattern[0]);
      if (i < 0) {
        return -1;
      }
      for (int j = 1; j < pattern.length; j++) {
        if (buf.getByte(i + j) != pattern[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  /** The decimal integer at {@code from} (an optional minus sign, then digits). */
  static long number(ByteBuf buf, int from, int end) {
    boolean negative = from < end && buf.getByte(from) == '-';
    long value = 0;
    for (int i = negative ? from + 1 : from; i < end; i++) {
      byte b = buf.getByte(i);
      if (b < '0' || b > '9') {
        break;
      }
      value = value * 10 + (b - '0');
    }
    return negative ? -value : value;
  }

  /** The text from {@code from} up to the next double quote (or {@code end}). */
  static String quoted(ByteBuf buf, int from, int end) {
    int close = buf.indexOf(from, end, (byte) '"');
    return buf.toString(from, (close < 0 ? end : close) - from, StandardCharsets.UTF_8);
  }
}
