package dev.dialogue;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Offsets, recovery by offset (PROTOCOL 8.2), idempotent publish (8.3), the durable store. */
@Timeout(120)
class RecoveryTest {
  private static final EventDefinition<TestServers.Message> MESSAGE =
      EventDefinition.builder("message", TestServers.Message.class).history(2_000).build();

  @TempDir Path dir;

  private static Dialogue.Builder builder() {
    // 1,000 missed plus the one published while rejoining.
    return Dialogue.builder()
        .host("127.0.0.1")
        .port(0)
        .maxRecoveryEvents(1_001)
        .room(
            RoomConfig.builder("chat", "Chat")
                .events(MESSAGE)
                .defaultSubscriptions("message")
                .build());
  }

  private static Map<String, Object> trigger(String text) {
    return Map.of("roomId", "chat", "event", "message", "data", Map.of("text", text));
  }

  private static Map<String, Object> since(long offset, String epoch) {
    return Map.of("roomId", "chat", "since", Map.of("offset", offset, "epoch", epoch));
  }

  private static JsonNode ok(JsonNode ack) {
    assertThat(ack.path("ok").asBoolean()).as("ack %s", ack).isTrue();
    return ack;
  }

  /** Bob is away while Alice publishes 1,000 events; he rejoins and gets exactly what he missed. */
  private static void recoversAThousand(Dialogue server) {
    try (RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      ok(alice.request(Wire.JOIN, Map.of("roomId", "chat")));
      RawClient bob = RawClient.connectAs(server.port(), "bob");
      JsonNode joined = ok(bob.request(Wire.JOIN, Map.of("roomId", "chat")));
      ok(alice.request(Wire.TRIGGER, trigger("before")));
      long seen = bob.take(Wire.EVENT).data().path("offset").asLong();
      String epoch = joined.path("epoch").asText();
      bob.close();

      List<CompletableFuture<JsonNode>> acks = new ArrayList<>();
      for (int i = 0; i < 1_000; i++) {
        acks.add(alice.requestAsync(Wire.TRIGGER, trigger("m" + i)));
      }
      acks.forEach(CompletableFuture::join);

      try (RawClient back = RawClient.connectAs(server.port(), "bob")) {
        // Live events keep flowing while Bob rejoins: none may be lost or repeated.
        CompletableFuture<JsonNode> during = alice.requestAsync(Wire.TRIGGER, trigger("during"));
        JsonNode result = ok(back.request(Wire.JOIN, since(seen, epoch)));
        ok(during.join());
        ok(alice.request(Wire.TRIGGER, trigger("after")));
        back.barrier();

        assertThat(result.path("recovered").asBoolean()).isTrue();
        List<Long> offsets = new ArrayList<>();
        result.path("missed").forEach(m -> offsets.add(m.path("offset").asLong()));
        back.received(Wire.EVENT).forEach(e -> offsets.add(e.data().path("offset").asLong()));
        List<Long> expected = new ArrayList<>();
        for (long o = seen + 1; o <= seen + 1_002; o++) {
          expected.add(o);
        }
        assertThat(offsets).containsExactlyElementsOf(expected);
        assertThat(result.path("missed").get(0).path("data").path("text").asText()).isEqualTo("m0");
      }
    }
  }

  @Test
  void rejoinWithSince_recoversEveryMissedEventInOrder_fromMemory() {
    try (Dialogue server = builder().build().start()) {
      recoversAThousand(server);
    }
  }

  @Test
  void rejoinWithSince_recoversEveryMissedEventInOrder_fromTheStore() {
    // Memory holds only 10 per event name: almost everything comes from the store.
    EventDefinition<TestServers.Message> small =
        EventDefinition.builder("message", TestServers.Message.class).history(10).build();
    try (Dialogue server =
        Dialogue.builder()
            .host("127.0.0.1")
            .port(0)
            .maxRecoveryEvents(1_001)
            .room(
                RoomConfig.builder("chat", "Chat")
                    .events(small)
                    .defaultSubscriptions("message")
                    .build())
            .historyStore(JdbcHistoryStore.builder("jdbc:h2:file:" + dir.resolve("db")).build())
            .build()
            .start()) {
      recoversAThousand(server);
    }
  }

  @Test
  void rejoinWithSince_withoutAck_deliversMissedAsEventsAfterJoined() {
    try (Dialogue server = builder().build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      JsonNode joined = ok(alice.request(Wire.JOIN, Map.of("roomId", "chat")));
      ok(alice.request(Wire.TRIGGER, trigger("one")));
      ok(alice.request(Wire.TRIGGER, trigger("two")));
      try (RawClient again = RawClient.connectAs(server.port(), "alice")) {
        again.emit(Wire.JOIN, since(0, joined.path("epoch").asText()));
        again.take(Wire.JOINED);
        assertThat(again.take(Wire.EVENT).data().path("data").path("text").asText())
            .isEqualTo("one");
        assertThat(again.take(Wire.EVENT).data().path("data").path("text").asText())
            .isEqualTo("two");
      }
    }
  }

  @Test
  void rejoinWithSince_ofAnotherEpoch_isNotRecovered() {
    try (Dialogue server = builder().build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      ok(alice.request(Wire.JOIN, Map.of("roomId", "chat")));
      ok(alice.request(Wire.TRIGGER, trigger("one")));
      try (RawClient bob = RawClient.connectAs(server.port(), "bob")) {
        JsonNode result = ok(bob.request(Wire.JOIN, since(0, "an-old-epoch")));
        assertThat(result.path("recovered").asBoolean(true)).isFalse();
        assertThat(result.has("missed")).isFalse();
      }
    }
  }

  @Test
  void rejoinWithSince_beyondTheRecoveryLimit_isNotRecovered() {
    try (Dialogue server = builder().maxRecoveryEvents(5).build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      String epoch = ok(alice.request(Wire.JOIN, Map.of("roomId", "chat"))).path("epoch").asText();
      for (int i = 0; i < 6; i++) {
        ok(alice.request(Wire.TRIGGER, trigger("m" + i)));
      }
      try (RawClient bob = RawClient.connectAs(server.port(), "bob")) {
        assertThat(ok(bob.request(Wire.JOIN, since(0, epoch))).path("recovered").asBoolean(true))
            .isFalse();
      }
      try (RawClient carol = RawClient.connectAs(server.port(), "carol")) {
        JsonNode result = ok(carol.request(Wire.JOIN, since(1, epoch)));
        assertThat(result.path("recovered").asBoolean()).isTrue();
        assertThat(result.path("missed")).hasSize(5);
      }
    }
  }

  @Test
  void repeatedClientMessageId_isNotBroadcastAgain_andAcksTheFirstResult() {
    try (Dialogue server = builder().build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice");
        RawClient bob = RawClient.connectAs(server.port(), "bob")) {
      ok(alice.request(Wire.JOIN, Map.of("roomId", "chat")));
      ok(bob.request(Wire.JOIN, Map.of("roomId", "chat")));
      Map<String, Object> request = new HashMap<>(trigger("once"));
      request.put("clientMessageId", "c-1");

      JsonNode first = ok(alice.request(Wire.TRIGGER, request));
      JsonNode second = ok(alice.request(Wire.TRIGGER, request));
      bob.barrier();

      assertThat(first.has("duplicate")).isFalse();
      assertThat(second.path("duplicate").asBoolean()).isTrue();
      assertThat(second.path("id").asText()).isEqualTo(first.path("id").asText());
      assertThat(second.path("offset").asLong()).isEqualTo(first.path("offset").asLong());
      assertThat(bob.received(Wire.EVENT)).hasSize(1);
      assertThat(bob.received(Wire.EVENT).get(0).data().path("clientMessageId").asText())
          .isEqualTo("c-1");

      // Another user may use the same id.
      try (RawClient carol = RawClient.connectAs(server.port(), "carol")) {
        ok(carol.request(Wire.JOIN, Map.of("roomId", "chat")));
        assertThat(ok(carol.request(Wire.TRIGGER, request)).has("duplicate")).isFalse();
      }
    }
  }

  @Test
  void writeThrough_acknowledgesOnlyOnceDurable_pipelinesLaterRequests_answersInOrder()
      throws Exception {
    JdbcDataSource h2 = new JdbcDataSource();
    h2.setURL("jdbc:h2:file:" + dir.resolve("gated"));
    GatedDataSource gated = new GatedDataSource(h2);
    try (Dialogue server =
            builder().historyStore(JdbcHistoryStore.builder(gated).build()).build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      ok(alice.request(Wire.JOIN, Map.of("roomId", "chat")));
      gated.shut();
      List<String> answered = new CopyOnWriteArrayList<>();
      // Recorded as each ack arrives, before its future completes.
      CompletableFuture<JsonNode> first =
          alice.requestAsync(Wire.TRIGGER, trigger("one"), a -> answered.add("one"));
      CompletableFuture<JsonNode> second =
          alice.requestAsync(Wire.TRIGGER, trigger("two"), a -> answered.add("two"));
      CompletableFuture<JsonNode> rooms =
          alice.requestAsync(Wire.LIST_ROOMS, null, a -> answered.add("rooms"));
      RealConnection connection = (RealConnection) server.clients("alice").get(0);
      TestServers.awaitState("three answers waiting", () -> connection.unanswered() == 3);
      // Both events are delivered at once: the second trigger did not wait for the first commit.
      assertThat(alice.take(Wire.EVENT).data().path("data").path("text").asText()).isEqualTo("one");
      assertThat(alice.take(Wire.EVENT).data().path("data").path("text").asText()).isEqualTo("two");
      // Their acks, and the answer after them, wait for the store.
      assertThat(first).isNotDone();
      assertThat(second).isNotDone();
      assertThat(rooms).isNotDone();
      gated.open();
      assertThat(ok(first.get(10, TimeUnit.SECONDS)).path("offset").asLong()).isEqualTo(1);
      assertThat(ok(second.get(10, TimeUnit.SECONDS)).path("offset").asLong()).isEqualTo(2);
      ok(rooms.get(10, TimeUnit.SECONDS));
      TestServers.awaitState("three answers recorded", () -> answered.size() == 3);
      assertThat(answered).containsExactly("one", "two", "rooms");
    }
  }

  @Test
  void answersWaitingForTheStore_countAgainstPendingRequests() throws Exception {
    JdbcDataSource h2 = new JdbcDataSource();
    h2.setURL("jdbc:h2:file:" + dir.resolve("limit"));
    GatedDataSource gated = new GatedDataSource(h2);
    try (Dialogue server =
            builder()
                .maxPendingRequests(3)
                .historyStore(JdbcHistoryStore.builder(gated).build())
                .build()
                .start();
        RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      ok(alice.request(Wire.JOIN, Map.of("roomId", "chat")));
      gated.shut();
      List<CompletableFuture<JsonNode>> acks = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        acks.add(alice.requestAsync(Wire.TRIGGER, trigger("m" + i)));
        alice.take(Wire.EVENT); // handled, so its answer is what is pending now
      }
      CompletableFuture<JsonNode> fourth = alice.requestAsync(Wire.TRIGGER, trigger("too many"));
      // The refusal is an answer too, queued behind the three: the server has decided.
      RealConnection connection = (RealConnection) server.clients("alice").get(0);
      TestServers.awaitState("four answers waiting", () -> connection.unanswered() == 4);
      gated.open();
      for (CompletableFuture<JsonNode> ack : acks) {
        ok(ack.get(10, TimeUnit.SECONDS));
      }
      JsonNode refused = fourth.get(10, TimeUnit.SECONDS);
      assertThat(refused.path("ok").asBoolean()).isFalse();
      assertThat(refused.path("error").path("code").asText()).isEqualTo("RATE_LIMITED");
      assertThat(refused.path("error").path("message").asText()).contains("limit 3");
      assertThat(server.room("chat").orElseThrow().offset()).isEqualTo(3);
    }
  }

  @Test
  void restartOnTheSameStore_keepsTheEpoch_continuesOffsets_andServesOlderHistory() {
    String url = "jdbc:h2:file:" + dir.resolve("restart");
    EventDefinition<TestServers.Message> small =
        EventDefinition.builder("message", TestServers.Message.class).history(2).build();
    RoomConfig chat =
        RoomConfig.builder("chat", "Chat").events(small).defaultSubscriptions("message").build();
    String epoch;
    try (Dialogue first =
            Dialogue.builder()
                .host("127.0.0.1")
                .port(0)
                .room(chat)
                .historyStore(JdbcHistoryStore.builder(url).build())
                .build()
                .start();
        RawClient alice = RawClient.connectAs(first.port(), "alice")) {
      epoch = ok(alice.request(Wire.JOIN, Map.of("roomId", "chat"))).path("epoch").asText();
      for (int i = 1; i <= 5; i++) {
        ok(alice.request(Wire.TRIGGER, trigger("m" + i)));
      }
    }
    try (Dialogue second =
            Dialogue.builder()
                .host("127.0.0.1")
                .port(0)
                .room(chat)
                .historyStore(JdbcHistoryStore.builder(url).build())
                .build()
                .start();
        RawClient alice = RawClient.connectAs(second.port(), "alice")) {
      JsonNode joined = ok(alice.request(Wire.JOIN, since(2, epoch)));
      assertThat(joined.path("epoch").asText()).isEqualTo(epoch);
      assertThat(joined.path("offset").asLong()).isEqualTo(5);
      assertThat(joined.path("recovered").asBoolean()).isTrue();
      List<String> missed = new ArrayList<>();
      joined.path("missed").forEach(m -> missed.add(m.path("data").path("text").asText()));
      assertThat(missed).containsExactly("m3", "m4", "m5");
      assertThat(ok(alice.request(Wire.TRIGGER, trigger("m6"))).path("offset").asLong())
          .isEqualTo(6);

      JsonNode page =
          ok(
              alice.request(
                  Wire.GET_HISTORY,
                  Map.of("roomId", "chat", "eventName", "message", "start", 0, "end", 10)));
      List<String> texts = new ArrayList<>();
      page.path("events").forEach(e -> texts.add(e.path("data").path("text").asText()));
      assertThat(texts).containsExactly("m6", "m5", "m4", "m3", "m2", "m1");
    }
  }

  @Test
  void repeatedClientMessageId_afterARestart_isFoundInTheStore() {
    String url = "jdbc:h2:file:" + dir.resolve("idempotent");
    Map<String, Object> request = new HashMap<>(trigger("once"));
    request.put("clientMessageId", "retry-after-crash");
    JsonNode first;
    try (Dialogue server =
            builder().historyStore(JdbcHistoryStore.builder(url).build()).build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      ok(alice.request(Wire.JOIN, Map.of("roomId", "chat")));
      first = ok(alice.request(Wire.TRIGGER, request));
    }
    try (Dialogue server =
            builder().historyStore(JdbcHistoryStore.builder(url).build()).build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      ok(alice.request(Wire.JOIN, Map.of("roomId", "chat")));
      JsonNode again = ok(alice.request(Wire.TRIGGER, request));
      assertThat(again.path("duplicate").asBoolean()).isTrue();
      assertThat(again.path("id").asText()).isEqualTo(first.path("id").asText());
      assertThat(again.path("offset").asLong()).isEqualTo(first.path("offset").asLong());
      assertThat(server.room("chat").orElseThrow().offset())
          .isEqualTo(first.path("offset").asLong());
    }
  }
}
