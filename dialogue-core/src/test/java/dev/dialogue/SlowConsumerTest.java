package dev.dialogue;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A client that stops reading is cut off at the outbound limit; nobody else notices. */
@Timeout(60)
class SlowConsumerTest {
  /** A websocket client over a plain socket that reads until it has joined, then never again. */
  private static final class Staller implements AutoCloseable {
    private final Socket socket = new Socket();
    private final OutputStream out;
    private final InputStream in;

    Staller(int port) throws IOException {
      socket.setReceiveBufferSize(4096);
      socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
      socket.setSoTimeout(10_000);
      out = socket.getOutputStream();
      in = socket.getInputStream();
      String key =
          Base64.getEncoder()
              .encodeToString("0123456789abcdef".getBytes(StandardCharsets.US_ASCII));
      out.write(
          ("GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                  + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: "
                  + key
                  + "\r\nSec-WebSocket-Version: 13\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      readUntil("0{");
    }

    /** Sends one masked text frame (payloads here are short). */
    void send(String text) throws IOException {
      byte[] payload = text.getBytes(StandardCharsets.UTF_8);
      byte[] mask = {1, 2, 3, 4};
      out.write(0x81);
      out.write(0x80 | payload.length);
      out.write(mask);
      for (int i = 0; i < payload.length; i++) {
        out.write(payload[i] ^ mask[i % 4]);
      }
      out.flush();
    }

    /** Reads until {@code marker} went by; then nothing more is read. */
    void readUntil(String marker) throws IOException {
      StringBuilder seen = new StringBuilder();
      while (seen.indexOf(marker) < 0) {
        int b = in.read();
        if (b < 0) {
          throw new IOException("closed before " + marker);
        }
        seen.append((char) b);
      }
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }

  @Test
  void clientThatStopsReading_isDisconnectedAtTheOutboundLimit_othersKeepEverything()
      throws IOException {
    try (Dialogue server = TestServers.builder().maxOutboundPackets(20).build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice");
        RawClient bob = RawClient.connectAs(server.port(), "bob");
        Staller staller = new Staller(server.port())) {
      staller.send("40{\"userId\":\"slow\"}");
      staller.readUntil("dialogue:connected");
      staller.send("42[\"dialogue:join\",{\"roomId\":\"lobby\"}]");
      staller.readUntil("dialogue:joined");

      HistoryTest.ack(alice, Wire.JOIN, Map.of("roomId", "lobby"));
      HistoryTest.ack(bob, Wire.JOIN, Map.of("roomId", "lobby"));
      // One at a time, each acknowledged: the server sees the slow client's transport fill up.
      String blob = "x".repeat(100_000);
      int sent = 0;
      while (sent < 100 && !server.clients("slow").isEmpty()) {
        HistoryTest.ack(
            alice,
            Wire.TRIGGER,
            Map.of("roomId", "lobby", "event", "blob", "data", Map.of("n", sent, "blob", blob)));
        sent++;
      }

      TestServers.awaitState("the slow client is cut off", () -> server.clients("slow").isEmpty());
      assertThat(server.clients("alice")).hasSize(1);
      bob.barrier();
      List<Integer> delivered =
          bob.received(Wire.EVENT).stream()
              .map(e -> e.data().path("data").path("n").asInt())
              .toList();
      assertThat(delivered).isEqualTo(IntStream.range(0, sent).boxed().toList());
    }
  }
}
