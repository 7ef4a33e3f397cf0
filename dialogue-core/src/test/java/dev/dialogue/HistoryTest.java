package dev.dialogue;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dialogue.internal.Json;
import dev.dialogue.testing.RawClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** In-memory history: eviction, cleanup and load hooks, the memory budget. */
@Timeout(60)
class HistoryTest {
  private static final EventDefinition<TestServers.Message> NOTE =
      EventDefinition.builder("note", TestServers.Message.class).history(3).build();

  record Cleanup(String roomId, String eventName, List<String> texts) {}

  private static Dialogue.Builder builder() {
    return Dialogue.builder()
        .host("127.0.0.1")
        .port(0)
        .room(
            RoomConfig.builder("a", "A").events(NOTE).build(),
            RoomConfig.builder("b", "B").events(NOTE).build());
  }

  private static List<String> texts(List<EventMessage> events) {
    return events.stream().map(e -> e.data().path("text").asText()).toList();
  }

  private static Cleanup poll(LinkedBlockingQueue<Cleanup> queue) throws InterruptedException {
    Cleanup c = queue.poll(10, TimeUnit.SECONDS);
    assertThat(c).as("a cleanup call").isNotNull();
    return c;
  }

  @Test
  void eviction_handsEventsToCleanupOldestFirst_andDeleteHandsOverTheRest() throws Exception {
    LinkedBlockingQueue<Cleanup> cleanups = new LinkedBlockingQueue<>();
    CountDownLatch firstHeld = new CountDownLatch(1);
    try (Dialogue server =
        builder()
            .historyCleanup(
                (room, name, events) -> {
                  if (texts(events).contains("m1")) {
                    // A slow first hand-over must not let the second overtake it.
                    firstHeld.await(10, TimeUnit.SECONDS);
                  }
                  cleanups.add(new Cleanup(room, name, texts(events)));
                })
            .build()
            .start()) {
      for (int i = 1; i <= 5; i++) {
        server.trigger("a", NOTE, new TestServers.Message("m" + i));
      }
      firstHeld.countDown();
      assertThat(poll(cleanups)).isEqualTo(new Cleanup("a", "note", List.of("m1")));
      assertThat(poll(cleanups)).isEqualTo(new Cleanup("a", "note", List.of("m2")));
      assertThat(texts(server.room("a").orElseThrow().history("note", 0, 10)))
          .containsExactly("m5", "m4", "m3");

      server.deleteRoom("a");
      assertThat(poll(cleanups)).isEqualTo(new Cleanup("a", "note", List.of("m3", "m4", "m5")));
    }
  }

  @Test
  void stop_handsEverythingInMemoryToCleanup() throws Exception {
    LinkedBlockingQueue<Cleanup> cleanups = new LinkedBlockingQueue<>();
    Dialogue server =
        builder()
            .historyCleanup(
                (room, name, events) -> cleanups.add(new Cleanup(room, name, texts(events))))
            .build()
            .start();
    server.trigger("a", NOTE, new TestServers.Message("x"));
    server.trigger("b", NOTE, new TestServers.Message("y"));
    server.stop();
    assertThat(List.of(poll(cleanups), poll(cleanups)))
        .containsExactlyInAnyOrder(
            new Cleanup("a", "note", List.of("x")), new Cleanup("b", "note", List.of("y")));
  }

  @Test
  void failingCleanup_isRetried() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    LinkedBlockingQueue<Cleanup> delivered = new LinkedBlockingQueue<>();
    try (Dialogue server =
        builder()
            .historyCleanup(
                (room, name, events) -> {
                  if (calls.incrementAndGet() < 3) {
                    throw new IllegalStateException("database down");
                  }
                  delivered.add(new Cleanup(room, name, texts(events)));
                })
            .build()
            .start()) {
      for (int i = 1; i <= 4; i++) {
        server.trigger("a", NOTE, new TestServers.Message("m" + i));
      }
      assertThat(poll(delivered)).isEqualTo(new Cleanup("a", "note", List.of("m1")));
      assertThat(calls.get()).isEqualTo(3);
    }
  }

  @Test
  void loader_suppliesEventsBeyondMemory_indexedAfterTheMemoryOnes() {
    List<int[]> asked = new ArrayList<>();
    try (Dialogue server =
        builder()
            .historyLoader(
                (room, name, start, end) -> {
                  asked.add(new int[] {start, end});
                  List<EventMessage> older = new ArrayList<>();
                  for (int i = start; i < end; i++) {
                    older.add(
                        new EventMessage(
                            name,
                            room,
                            Json.tree(Map.of("text", "old" + i)),
                            "archive",
                            0,
                            null,
                            null,
                            null,
                            null));
                  }
                  return older;
                })
            .build()
            .start()) {
      server.trigger("a", NOTE, new TestServers.Message("m1"));
      server.trigger("a", NOTE, new TestServers.Message("m2"));
      Room a = server.room("a").orElseThrow();

      assertThat(texts(a.history("note", 0, 5)))
          .containsExactly("m2", "m1", "old0", "old1", "old2");
      assertThat(asked).extracting(r -> r[0] + ".." + r[1]).containsExactly("0..3");
      assertThat(texts(a.history("note", 3, 6))).containsExactly("old1", "old2", "old3");
      assertThat(asked).extracting(r -> r[0] + ".." + r[1]).containsExactly("0..3", "1..4");
    }
  }

  @Test
  void failingLoader_returnsTheMemoryPart() {
    try (Dialogue server =
        builder()
            .historyLoader(
                (room, name, start, end) -> {
                  throw new IllegalStateException("archive offline");
                })
            .build()
            .start()) {
      server.trigger("a", NOTE, new TestServers.Message("m1"));
      assertThat(texts(server.room("a").orElseThrow().history("note", 0, 5))).containsExactly("m1");
    }
  }

  @Test
  void memoryBudget_movesTheIdlestRoomOutFirst() throws Exception {
    LinkedBlockingQueue<Cleanup> cleanups = new LinkedBlockingQueue<>();
    try (Dialogue server =
        Dialogue.builder()
            .host("127.0.0.1")
            .port(0)
            .room(
                RoomConfig.builder("a", "A")
                    .events(
                        EventDefinition.builder("note", TestServers.Message.class)
                            .history(10)
                            .build())
                    .build(),
                RoomConfig.builder("b", "B")
                    .events(
                        EventDefinition.builder("note", TestServers.Message.class)
                            .history(10)
                            .build())
                    .build())
            .maxEventsInMemory(4)
            .historyCleanup(
                (room, name, events) -> cleanups.add(new Cleanup(room, name, texts(events))))
            .build()
            .start()) {
      server.trigger("a", "note", Map.of("text", "a1"));
      server.trigger("a", "note", Map.of("text", "a2"));
      server.trigger("b", "note", Map.of("text", "b1"));
      server.trigger("b", "note", Map.of("text", "b2"));
      server.trigger("b", "note", Map.of("text", "b3"));

      assertThat(poll(cleanups)).isEqualTo(new Cleanup("a", "note", List.of("a1", "a2")));
      assertThat(server.room("a").orElseThrow().history("note", 0, 10)).isEmpty();
      assertThat(texts(server.room("b").orElseThrow().history("note", 0, 10)))
          .containsExactly("b3", "b2", "b1");

      server.trigger("b", "note", Map.of("text", "b4"));
      server.trigger("b", "note", Map.of("text", "b5"));
      assertThat(poll(cleanups)).isEqualTo(new Cleanup("b", "note", List.of("b1")));
      assertThat(texts(server.room("b").orElseThrow().history("note", 0, 10)))
          .containsExactly("b5", "b4", "b3", "b2");
    }
  }

  static JsonNode ack(RawClient client, String event, Object payload) {
    JsonNode ack = client.request(event, payload);
    assertThat(ack.path("ok").asBoolean()).as("ack %s", ack).isTrue();
    return ack;
  }
}
