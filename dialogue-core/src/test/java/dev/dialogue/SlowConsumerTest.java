package dev.dialogue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dialogue.internal.Wire;
import dev.dialogue.testing.RawClient;
import dev.dialogue.testing.RawPolling;
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
      int sent = stallAndFlood(server, alice, bob, staller, 100);
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

  @Test
  void clientThatStopsReading_isCutOffByBytes_longBeforeThePacketLimit() throws IOException {
    // The packet limit stays at its default (10,000): without the byte bound the slow client
    // would hold all 200 events of 100 KB, 20 MB, and more.
    java.util.concurrent.atomic.AtomicInteger cutOffs =
        new java.util.concurrent.atomic.AtomicInteger();
    DialogueObserver observer =
        new DialogueObserver() {
          @Override
          public void onSlowConsumer() {
            cutOffs.incrementAndGet();
          }
        };
    try (Dialogue server =
            TestServers.builder().maxOutboundBytes(256 * 1024).observer(observer).build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice");
        RawClient bob = RawClient.connectAs(server.port(), "bob");
        Staller staller = new Staller(server.port())) {
      int sent = stallAndFlood(server, alice, bob, staller, 200);
      TestServers.awaitState("the slow client is cut off", () -> server.clients("slow").isEmpty());
      assertThat(cutOffs.get()).as("the observer told of the cut-off").isEqualTo(1);
      assertThat(sent).as("events sent before the cut").isLessThan(200);
      bob.barrier();
      assertThat(bob.received(Wire.EVENT)).hasSize(sent);
    }
  }

  @Test
  void pollingClientThatStopsPolling_isCutOffByTheBytesQueuedForItsNextPoll() throws Exception {
    try (Dialogue server = TestServers.builder().maxOutboundBytes(256 * 1024).build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      RawPolling slow = RawPolling.open(server.port());
      slow.send("40{\"userId\":\"slow\"}");
      slow.takePrefix("42[\"dialogue:connected\"");
      slow.send("42[\"dialogue:join\",{\"roomId\":\"lobby\"}]");
      slow.takePrefix("42[\"dialogue:joined\"");
      HistoryTest.ack(alice, Wire.JOIN, Map.of("roomId", "lobby"));
      // It never polls again: each event waits in netty-socketio's queue for the next poll.
      int sent = publishUntilCutOff(server, alice, 50_000, 100);
      TestServers.awaitState("the slow client is cut off", () -> server.clients("slow").isEmpty());
      assertThat(sent).as("events queued before the cut (256 KiB / 50 KB)").isBetween(5, 7);
    }
  }

  @Test
  void maxOutboundBytes_below64KiB_isRefusedWithItsName() {
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> Dialogue.builder().maxOutboundBytes(1000))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxOutboundBytes")
        .hasMessageContaining("1000");
  }

  /**
   * The staller joins the lobby as {@code slow} and stops reading; alice and bob join; alice then
   * publishes 100 KB events until the slow client is gone or {@code max} were sent.
   */
  private static int stallAndFlood(
      Dialogue server, RawClient alice, RawClient bob, Staller staller, int max)
      throws IOException {
    staller.send("40{\"userId\":\"slow\"}");
    staller.readUntil("dialogue:connected");
    staller.send("42[\"dialogue:join\",{\"roomId\":\"lobby\"}]");
    staller.readUntil("dialogue:joined");
    HistoryTest.ack(alice, Wire.JOIN, Map.of("roomId", "lobby"));
    HistoryTest.ack(bob, Wire.JOIN, Map.of("roomId", "lobby"));
    return publishUntilCutOff(server, alice, 100_000, max);
  }

  /**
   * One at a time, each acknowledged (so the server sees the slow client's transport fill up),
   * until {@code slow} is disconnected or {@code max} were sent; returns how many were.
   */
  private static int publishUntilCutOff(Dialogue server, RawClient alice, int size, int max) {
    String blob = "x".repeat(size);
    int sent = 0;
    while (sent < max && !server.clients("slow").isEmpty()) {
      HistoryTest.ack(
          alice,
          Wire.TRIGGER,
          Map.of("roomId", "lobby", "event", "blob", "data", Map.of("n", sent, "blob", blob)));
      sent++;
    }
    return sent;
  }
}
