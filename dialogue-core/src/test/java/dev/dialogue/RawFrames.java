package dev.dialogue;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * A WebSocket spoken frame by frame over a plain socket, to send what no well-behaved client sends
 * (reserved bits, text that is not UTF-8) and read the server's close status.
 */
final class RawFrames implements AutoCloseable {
  private static final SecureRandom RANDOM = new SecureRandom();
  private final Socket socket;
  private final DataInputStream in;
  private final OutputStream out;

  private RawFrames(Socket socket) throws IOException {
    this.socket = socket;
    this.in = new DataInputStream(socket.getInputStream());
    this.out = socket.getOutputStream();
  }

  /** Opens {@code /socket.io/?EIO=4&transport=websocket} and reads the Engine.IO open packet. */
  static RawFrames open(int port) throws IOException {
    Socket socket = new Socket("127.0.0.1", port);
    socket.setSoTimeout(10_000);
    RawFrames frames = new RawFrames(socket);
    byte[] key = new byte[16];
    RANDOM.nextBytes(key);
    String request =
        "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\n"
            + "Host: 127.0.0.1:"
            + port
            + "\r\n"
            + "Upgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: "
            + Base64.getEncoder().encodeToString(key)
            + "\r\n"
            + "Sec-WebSocket-Version: 13\r\n\r\n";
    frames.out.write(request.getBytes(StandardCharsets.US_ASCII));
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      head.append((char) frames.in.readUnsignedByte());
    }
    if (!head.toString().startsWith("HTTP/1.1 101")) {
      throw new IOException("no upgrade: " + head);
    }
    frames.readText(); // 0{"sid":...}
    return frames;
  }

  /**
   * Sends one final, masked frame: {@code rsv} the three reserved bits, {@code opcode} its type.
   */
  void send(int rsv, int opcode, byte[] payload) throws IOException {
    ByteArrayOutputStream frame = new ByteArrayOutputStream();
    frame.write(0x80 | (rsv << 4) | opcode);
    if (payload.length < 126) {
      frame.write(0x80 | payload.length);
    } else {
      frame.write(0x80 | 126);
      frame.write(payload.length >> 8);
      frame.write(payload.length & 0xff);
    }
    byte[] mask = new byte[4];
    RANDOM.nextBytes(mask);
    frame.write(mask);
    for (int i = 0; i < payload.length; i++) {
      frame.write(payload[i] ^ mask[i % 4]);
    }
    out.write(frame.toByteArray());
    out.flush();
  }

  /** The next text frame's content. */
  String readText() throws IOException {
    while (true) {
      int[] opcode = new int[1];
      byte[] payload = read(opcode);
      if (opcode[0] == 1) {
        return new String(payload, StandardCharsets.UTF_8);
      }
      if (opcode[0] == 8) {
        throw new IOException("closed: " + status(payload));
      }
    }
  }

  /** Reads frames until the server's close frame and returns its status code (-1: none). */
  int awaitCloseStatus() throws IOException {
    while (true) {
      int[] opcode = new int[1];
      byte[] payload;
      try {
        payload = read(opcode);
      } catch (java.io.EOFException e) {
        return -1;
      }
      if (opcode[0] == 8) {
        return status(payload);
      }
    }
  }

  private static int status(byte[] payload) {
    return payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : -1;
  }

  private byte[] read(int[] opcode) throws IOException {
    int b0 = in.readUnsignedByte();
    int b1 = in.readUnsignedByte();
    opcode[0] = b0 & 0x0f;
    long length = b1 & 0x7f;
    if (length == 126) {
      length = in.readUnsignedShort();
    } else if (length == 127) {
      length = in.readLong();
    }
    byte[] payload = new byte[(int) length];
    in.readFully(payload);
    return payload;
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
