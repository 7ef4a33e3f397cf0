package dev.dialogue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dialogue.LatestOnlyDeliveryTest.PausedViewer;
import dev.dialogue.internal.Wire;
import dev.dialogue.testing.RawClient;
import dev.dialogue.testing.RawPolling;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Volatile events ({@link EventDefinition.Delivery#VOLATILE}): dropped for a connection that is
 * behind, so a paused client is neither flooded nor cut off, while its reliable events still come;
 * a client that keeps up gets every one.
 */
@Timeout(60)
class VolatileDeliveryTest {
  record Cursor(int n, String blob) {}

  record Note(int n) {}

  static final EventDefinition<Cursor> CURSOR =
      EventDefinition.builder("cursor", Cursor.class)
          .delivery(EventDefinition.Delivery.VOLATILE)
          .build();
  static final EventDefinition<Note> NOTE = EventDefinition.of("note", Note.class);

  /** 64 KB per event: 500 are 32 MB, far more than the socket buffers hold. */
  private static final String BLOB = "x".repeat(64_000);

  private static Dialogue server() {
    return TestServers.builder()
        // Without volatile delivery, 50 events sent while its transport is full cut a client off.
        .maxOutboundPackets(50)
        .room(
            RoomConfig.builder("doc", "Doc")
                .events(CURSOR, NOTE)
                .defaultSubscriptions(EventDefinition.ANY)
                .build())
        .build()
        .start();
  }

  @Test
  void pausedClient_missesCursors_butGetsEveryNote_andIsNotCutOff() throws Exception {
    int published = 500;
    try (Dialogue server = server();
        PausedViewer slow = PausedViewer.connect(server.port(), "slow", "doc")) {
      for (int n = 0; n < published; n++) {
        server.trigger("doc", CURSOR, new Cursor(n, BLOB));
        if (n % 50 == 49) {
          server.trigger("doc", NOTE, new Note(n));
        }
      }
      server.trigger("doc", NOTE, new Note(-1));
      assertThat(server.clients("slow")).as("the paused client is not cut off").hasSize(1);

      List<JsonNode> seen = new ArrayList<>();
      while (seen.isEmpty() || seen.get(seen.size() - 1).path("data").path("n").asInt() != -1) {
        seen.addAll(slow.resumeUntil("note"));
      }
      List<Integer> notes = numbers(seen, "note");
      List<Integer> cursors = numbers(seen, "cursor");
      List<Integer> expectedNotes = new ArrayList<>();
      for (int n = 49; n < published; n += 50) {
        expectedNotes.add(n);
      }
      expectedNotes.add(-1);
      assertThat(notes).as("every reliable note, in order").isEqualTo(expectedNotes);
      // What the socket buffers took before the server saw the socket full (see
      // LatestOnlyDeliveryTest's bound): a small share of the 500.
      assertThat(cursors)
          .as("cursors the paused client got")
          .hasSizeLessThan(published / 4)
          .isSorted()
          .doesNotHaveDuplicates();
      assertThat(server.clients("slow")).hasSize(1);
    }
  }

  @Test
  void clientThatKeepsUp_getsEveryVolatileEvent_withoutOffset() {
    try (Dialogue server = server();
        RawClient bob = RawClient.connectAs(server.port(), "bob")) {
      HistoryTest.ack(bob, Wire.JOIN, Map.of("roomId", "doc"));
      List<RawClient.Received> got = new ArrayList<>();
      for (int n = 0; n < 20; n++) {
        server.trigger("doc", CURSOR, new Cursor(n, "small"));
        got.add(bob.take(Wire.EVENT));
      }
      assertThat(got)
          .extracting(r -> r.data().path("data").path("n").asInt())
          .containsExactlyElementsOf(IntStream.range(0, 20).boxed().toList());
      assertThat(got.get(0).data().has("offset")).as("volatile events carry no offset").isFalse();
      // A client's trigger of a volatile event is acknowledged like any other.
      JsonNode ack =
          bob.request(
              Wire.TRIGGER,
              Map.of("roomId", "doc", "event", "cursor", "data", Map.of("n", 7, "blob", "b")));
      assertThat(ack.path("ok").asBoolean()).isTrue();
      assertThat(ack.has("offset")).isFalse();
    }
  }

  @Test
  void pollingClientThatHasNotPolled_getsNoBacklogOfVolatileEvents() throws Exception {
    try (Dialogue server = server()) {
      RawPolling slow = RawPolling.open(server.port());
      slow.send("40{\"userId\":\"slow\"}");
      slow.takePrefix("42[\"dialogue:connected\"");
      slow.send("42[\"dialogue:join\",{\"roomId\":\"doc\"}]");
      slow.takePrefix("42[\"dialogue:joined\"");
      for (int n = 0; n < 100; n++) {
        server.trigger("doc", CURSOR, new Cursor(n, "small"));
      }
      server.trigger("doc", NOTE, new Note(1));
      List<String> cursors = new ArrayList<>();
      while (true) {
        String packet = slow.takePrefix("42[\"dialogue:event\"");
        if (packet.contains("\"event\":\"note\"")) {
          break;
        }
        cursors.add(packet);
      }
      // Dropped while packets (the join's answer, say) wait for the client's next poll: at most
      // one or two went out before that, never the backlog of 100 a reliable event builds.
      assertThat(cursors).hasSizeLessThanOrEqualTo(2);
    }
  }

  @Test
  void volatileWithHistory_isRefused_andTheLastPolicyWins() {
    assertThatThrownBy(
            () ->
                EventDefinition.builder("cursor", Cursor.class)
                    .delivery(EventDefinition.Delivery.VOLATILE)
                    .history(10)
                    .build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("event 'cursor' is volatile: it cannot keep history (history limit 10)");
    assertThat(CURSOR.delivery()).isEqualTo(EventDefinition.Delivery.VOLATILE);
    assertThat(CURSOR.latestOnly()).isFalse();
    assertThat(NOTE.delivery()).isEqualTo(EventDefinition.Delivery.RELIABLE);
    EventDefinition<Cursor> latest =
        EventDefinition.builder("c", Cursor.class)
            .delivery(EventDefinition.Delivery.VOLATILE)
            .latestOnly()
            .build();
    assertThat(latest.delivery()).isEqualTo(EventDefinition.Delivery.LATEST_ONLY);
    assertThat(latest.latestOnly()).isTrue();
  }

  private static List<Integer> numbers(List<JsonNode> events, String name) {
    return events.stream()
        .filter(e -> e.path("event").asText().equals(name))
        .map(e -> e.path("data").path("n").asInt())
        .toList();
  }
}
