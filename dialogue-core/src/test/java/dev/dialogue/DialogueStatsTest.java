package dev.dialogue;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dialogue.internal.Wire;
import dev.dialogue.testing.RawClient;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link Dialogue#stats()}: connections, rooms, events in and out, delivery latency. */
@Timeout(30)
class DialogueStatsTest {
  @Test
  void stats_countConnectionsRoomsEventsAndDeliveries_andMeasureTheirLatency() {
    try (Dialogue server = TestServers.builder().build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice");
        RawClient bob = RawClient.connectAs(server.port(), "bob")) {
      DialogueStats before = server.stats();
      assertThat(before.connections()).isEqualTo(2);
      assertThat(before.rooms()).isEqualTo(3);
      assertThat(before.eventsPublished()).isZero();
      HistoryTest.ack(alice, Wire.JOIN, Map.of("roomId", "lobby"));
      HistoryTest.ack(bob, Wire.JOIN, Map.of("roomId", "lobby"));

      for (int n = 0; n < 5; n++) {
        server.trigger("lobby", "tick", Map.of("n", n));
      }
      HistoryTest.ack(
          alice, Wire.TRIGGER, Map.of("roomId", "lobby", "event", "hello", "data", Map.of()));
      for (int n = 0; n < 6; n++) {
        bob.take(Wire.EVENT);
      }

      DialogueStats after = server.stats();
      assertThat(after.eventsPublished()).isEqualTo(6);
      assertThat(after.eventsDelivered()).as("6 events to 2 members").isEqualTo(12);
      DialogueStats.Latency latency = after.deliveryLatency();
      assertThat(latency.count()).isGreaterThanOrEqualTo(12);
      assertThat(latency.p50()).isLessThanOrEqualTo(latency.p90());
      assertThat(latency.p90()).isLessThanOrEqualTo(latency.p99());
      assertThat(latency.p99()).isLessThanOrEqualTo(latency.max());
      assertThat(latency.max()).isPositive().isLessThan(Duration.ofSeconds(5));
      assertThat(after.latencyWindowSeconds()).isEqualTo(10);
    }
  }

  @Test
  void refusedTriggers_areNotCounted() {
    try (Dialogue server = TestServers.builder().build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      HistoryTest.ack(alice, Wire.JOIN, Map.of("roomId", "chat"));
      JsonNode ack =
          alice.request(
              Wire.TRIGGER,
              Map.of("roomId", "chat", "event", "message", "data", Map.of("text", "")));
      assertThat(ack.path("ok").asBoolean()).as("ack %s", ack).isFalse();
      assertThat(server.stats().eventsPublished()).isZero();
    }
  }
}
