package dev.dialogue;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dialogue.internal.Wire;
import dev.dialogue.testing.RawClient;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Offsets, recovery by offset (PROTOCOL 8.2), idempotent publish (8.3). The same on a durable
 * store: dialogue-jdbc's DurableRecoveryTest, with these servers and helpers.
 */
@Timeout(120)
class RecoveryTest {
  static final EventDefinition<TestServers.Message> MESSAGE =
      EventDefinition.builder("message", TestServers.Message.class).history(2_000).build();

  static Dialogue.Builder builder() {
    // 1,000 missed plus the one published while rejoining.
    return Dialogue.builder()
        .host("127.0.0.1")
        .port(0)
        .maxRecoveryEvents(1_001)
        .room(
            RoomConfig.builder("chat", "Chat")
                .events(MESSAGE, TestServers.TYPING)
                .defaultSubscriptions("message", "typing")
                .build());
  }

  static Map<String, Object> trigger(String text) {
    return Map.of("roomId", "chat", "event", "message", "data", Map.of("text", text));
  }

  static Map<String, Object> since(long offset, String epoch) {
    return Map.of("roomId", "chat", "since", Map.of("offset", offset, "epoch", epoch));
  }

  static JsonNode ok(JsonNode ack) {
    assertThat(ack.path("ok").asBoolean()).as("ack %s", ack).isTrue();
    return ack;
  }

  /** Bob is away while Alice publishes 1,000 events; he rejoins and gets exactly what he missed. */
  static void recoversAThousand(Dialogue server) {
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
  void repeatAfterLeavingTheRoom_isAnsweredAsARepeat_butANewTriggerIsNotInRoom() {
    try (Dialogue server =
            builder()
                .room(RoomConfig.builder("lobby", "Lobby").events(MESSAGE).build())
                .build()
                .start();
        RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      ok(alice.request(Wire.JOIN, Map.of("roomId", "chat")));
      Map<String, Object> request = new HashMap<>(trigger("once"));
      request.put("clientMessageId", "c-1");
      JsonNode first = ok(alice.request(Wire.TRIGGER, request));
      ok(alice.request(Wire.LEAVE, Map.of("roomId", "chat")));

      // Its ack was lost, say, and the client retries after losing the room.
      JsonNode repeat = ok(alice.request(Wire.TRIGGER, request));
      assertThat(repeat.path("duplicate").asBoolean()).isTrue();
      assertThat(repeat.path("offset").asLong()).isEqualTo(first.path("offset").asLong());
      assertThat(repeat.path("id").asText()).isEqualTo(first.path("id").asText());

      request.put("clientMessageId", "c-2");
      JsonNode fresh = alice.request(Wire.TRIGGER, request);
      assertThat(fresh.path("error").path("code").asText()).isEqualTo("NOT_IN_ROOM");
      Map<String, Object> elsewhere = new HashMap<>(request);
      elsewhere.put("roomId", "lobby");
      elsewhere.put("clientMessageId", "c-1");
      JsonNode other = alice.request(Wire.TRIGGER, elsewhere);
      assertThat(other.path("error").path("code").asText()).isEqualTo("NOT_IN_ROOM");
      assertThat(server.room("chat").orElseThrow().offset()).isEqualTo(1);
    }
  }
}
