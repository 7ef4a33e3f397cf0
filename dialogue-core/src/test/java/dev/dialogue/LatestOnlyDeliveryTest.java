package dev.dialogue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dialogue.internal.Wire;
import dev.dialogue.testing.RawClient;
import dev.dialogue.testing.RawPolling;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Latest-only events ({@link EventDefinition.Builder#latestOnly()}): a client that is behind gets
 * the newest value, never a backlog, and is not cut off; a client that keeps up gets every event.
 */
@Timeout(60)
class LatestOnlyDeliveryTest {
  record Stats(int n, String blob) {}

  record Note(String text) {}

  static final EventDefinition<Stats> STATS =
      EventDefinition.builder("stats", Stats.class).latestOnly().build();
  static final EventDefinition<Note> NOTE = EventDefinition.of("note", Note.class);

  /** 64 KB per event: 500 are 32 MB, far more than the socket buffers hold. */
  private static final String BLOB = "x".repeat(64_000);

  /**
   * How many stats a paused client may still get: what the operating system's send buffer took
   * before the server saw the socket full (it grows up to tcp_wmem's maximum, 4 MiB by default on
   * Linux; the server cannot call those bytes back), Netty's buffer up to its high-water mark, and
   * the newest. Measured on Linux loopback: about 45.
   */
  private static final int BOUND = (int) (sendBufferMax() / BLOB.length()) + 8;

  private static Dialogue server() {
    return TestServers.builder()
        // Without latest-only, 50 events sent while its transport is full cut a client off.
        .maxOutboundPackets(50)
        .room(
            RoomConfig.builder("dash", "Dash")
                .events(STATS, NOTE)
                .defaultSubscriptions(EventDefinition.ANY)
                .build())
        .build()
        .start();
  }

  @Test
  void pausedClient_getsTheLatestValueAfterResuming_andOnlyABoundedFewOfHundreds()
      throws Exception {
    try (Dialogue server = server();
        RawClient bob = RawClient.connectAs(server.port(), "bob");
        PausedViewer slow = PausedViewer.connect(server.port(), "slow", "dash")) {
      HistoryTest.ack(bob, Wire.JOIN, Map.of("roomId", "dash"));
      int published = 500;
      for (int n = 0; n < published; n++) {
        server.trigger("dash", STATS, new Stats(n, BLOB));
      }
      server.trigger("dash", NOTE, new Note("after the stats"));

      List<JsonNode> seen = slow.resumeUntil("note");
      List<Integer> stats = numbers(seen);
      assertThat(stats).as("stats the paused client got").isNotEmpty().hasSizeLessThan(BOUND);
      assertThat(stats.get(stats.size() - 1)).as("the newest value").isEqualTo(published - 1);
      assertThat(stats).as("in publication order").isSorted().doesNotHaveDuplicates();
      assertThat(seen.get(seen.size() - 1).path("event").asText())
          .as("the note, published after the stats, comes after them")
          .isEqualTo("note");
      assertThat(server.clients("slow")).as("the paused client is not cut off").hasSize(1);

      // The client that reads got the newest value too, in order.
      bob.take(
          r -> r.name().equals(Wire.EVENT) && r.data().path("event").asText().equals("note"),
          "the note");
      List<Integer> bobs =
          bob.received(Wire.EVENT).stream()
              .filter(r -> r.data().path("event").asText().equals("stats"))
              .map(r -> r.data().path("data").path("n").asInt())
              .toList();
      assertThat(bobs).isSorted().doesNotHaveDuplicates().endsWith(published - 1);
    }
  }

  @Test
  void sameLoad_withoutLatestOnly_cutsThePausedClientOff() throws Exception {
    // The contrast that shows the bound above comes from latest-only, not from the test's load.
    try (Dialogue server = server();
        PausedViewer slow = PausedViewer.connect(server.port(), "slow", "dash")) {
      for (int n = 0; n < 500 && !server.clients("slow").isEmpty(); n++) {
        server.trigger("dash", NOTE, new Note(n + BLOB));
      }
      TestServers.awaitState(
          "the paused client is cut off", () -> server.clients("slow").isEmpty());
    }
  }

  @Test
  void clientThatKeepsUp_getsEveryLatestOnlyEvent() {
    try (Dialogue server = server();
        RawClient bob = RawClient.connectAs(server.port(), "bob")) {
      HistoryTest.ack(bob, Wire.JOIN, Map.of("roomId", "dash"));
      List<RawClient.Received> got = new ArrayList<>();
      for (int n = 0; n < 20; n++) {
        server.trigger("dash", STATS, new Stats(n, "small"));
        got.add(bob.take(Wire.EVENT));
      }
      assertThat(got)
          .extracting(r -> r.data().path("data").path("n").asInt())
          .containsExactlyElementsOf(java.util.stream.IntStream.range(0, 20).boxed().toList());
      assertThat(got.get(0).data().has("offset"))
          .as("latest-only events carry no offset")
          .isFalse();
    }
  }

  @Test
  void pollingClientThatHasNotPolled_getsOnlyTheNewest() throws Exception {
    try (Dialogue server = server()) {
      RawPolling slow = RawPolling.open(server.port());
      slow.send("40{\"userId\":\"slow\"}");
      slow.takePrefix("42[\"dialogue:connected\"");
      slow.send("42[\"dialogue:join\",{\"roomId\":\"dash\"}]");
      slow.takePrefix("42[\"dialogue:joined\"");
      for (int n = 0; n < 100; n++) {
        server.trigger("dash", STATS, new Stats(n, "small"));
      }
      server.trigger("dash", NOTE, new Note("after"));
      List<String> stats = new ArrayList<>();
      while (true) {
        String packet = slow.takePrefix("42[\"dialogue:event\"");
        if (packet.contains("\"event\":\"note\"")) {
          break;
        }
        stats.add(packet);
      }
      assertThat(stats).hasSize(1);
      assertThat(stats.get(0)).contains("\"n\":99");
    }
  }

  @Test
  void latestOnlyWithHistory_isRefusedWithTheEventsName() {
    assertThatThrownBy(
            () -> EventDefinition.builder("gauge", Stats.class).latestOnly().history(10).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("gauge")
        .hasMessageContaining("latest-only");
    assertThat(STATS.latestOnly()).isTrue();
    assertThat(NOTE.latestOnly()).isFalse();
  }

  /** The most the kernel lets a socket's send buffer grow to. */
  private static long sendBufferMax() {
    try {
      String[] wmem =
          java.nio.file.Files.readString(java.nio.file.Path.of("/proc/sys/net/ipv4/tcp_wmem"))
              .trim()
              .split("\\s+");
      return Long.parseLong(wmem[2]);
    } catch (IOException | RuntimeException e) {
      return 4L << 20;
    }
  }

  private static List<Integer> numbers(List<JsonNode> events) {
    return events.stream()
        .filter(e -> e.path("event").asText().equals("stats"))
        .map(e -> e.path("data").path("n").asInt())
        .toList();
  }

  /**
   * A WebSocket client over a plain socket with a small receive buffer: it joins a room, then reads
   * nothing until {@link #resumeUntil}.
   */
  static final class PausedViewer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Socket socket = new Socket();
    private final OutputStream out;
    private final InputStream in;

    private PausedViewer(int port) throws IOException {
      socket.setReceiveBufferSize(4096);
      socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
      socket.setSoTimeout(10_000);
      out = socket.getOutputStream();
      in = socket.getInputStream();
    }

    static PausedViewer connect(int port, String userId, String roomId) throws IOException {
      PausedViewer viewer = new PausedViewer(port);
      String key =
          Base64.getEncoder()
              .encodeToString("0123456789abcdef".getBytes(StandardCharsets.US_ASCII));
      viewer.out.write(
          ("GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                  + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: "
                  + key
                  + "\r\nSec-WebSocket-Version: 13\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      viewer.out.flush();
      viewer.skipHttpHeaders();
      viewer.frameStartingWith("0{");
      viewer.send("40{\"userId\":\"" + userId + "\"}");
      viewer.frameStartingWith("42[\"dialogue:connected\"");
      viewer.send("42[\"dialogue:join\",{\"roomId\":\"" + roomId + "\"}]");
      viewer.frameStartingWith("42[\"dialogue:joined\"");
      return viewer;
    }

    /** Reads again: the envelopes of the events it gets, until one named {@code lastEvent}. */
    List<JsonNode> resumeUntil(String lastEvent) throws IOException {
      List<JsonNode> events = new ArrayList<>();
      while (true) {
        String text = frame();
        if (!text.startsWith("42[\"dialogue:event\",")) {
          continue;
        }
        JsonNode envelope = JSON.readTree(text.substring(2)).get(1);
        events.add(envelope);
        if (envelope.path("event").asText().equals(lastEvent)) {
          return events;
        }
      }
    }

    private void skipHttpHeaders() throws IOException {
      StringBuilder seen = new StringBuilder();
      while (seen.indexOf("\r\n\r\n") < 0) {
        int b = in.read();
        if (b < 0) {
          throw new IOException("closed during the upgrade");
        }
        seen.append((char) b);
      }
    }

    private String frameStartingWith(String prefix) throws IOException {
      while (true) {
        String text = frame();
        if (text.startsWith(prefix)) {
          return text;
        }
      }
    }

    /** The next text frame's payload; answers pings on the way. */
    private String frame() throws IOException {
      int first = read();
      int second = read();
      long length = second & 0x7f;
      if (length == 126) {
        length = (read() << 8) | read();
      } else if (length == 127) {
        length = 0;
        for (int i = 0; i < 8; i++) {
          length = (length << 8) | read();
        }
      }
      byte[] payload = in.readNBytes((int) length);
      if (payload.length != length) {
        throw new IOException("closed in a frame");
      }
      String text = new String(payload, StandardCharsets.UTF_8);
      if ((first & 0x0f) == 1 && text.equals("2")) {
        send("3");
      }
      return text;
    }

    private int read() throws IOException {
      int b = in.read();
      if (b < 0) {
        throw new IOException("closed");
      }
      return b;
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

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }
}
