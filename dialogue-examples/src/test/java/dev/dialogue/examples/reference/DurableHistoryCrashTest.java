package dev.dialogue.examples.reference;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dialogue.testing.RawClient;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Write-through history survives SIGKILL: the reference server runs as its own process with {@code
 * --history-db}, is killed in the middle of a stream of acknowledged events, and restarted on the
 * same database. Every acknowledged event must be recoverable by offset, in the same epoch.
 */
@Timeout(120)
class DurableHistoryCrashTest {
  @TempDir Path dir;

  @Test
  void killedWithSigkill_keepsEveryAcknowledgedEvent_recoverableByOffset() throws Exception {
    try (CrashTrial trial = new CrashTrial(dir)) {
      int port = trial.start();
      ConcurrentSkipListMap<Long, String> acked = new ConcurrentSkipListMap<>();
      String epoch;
      try (RawClient alice = RawClient.connectAs(port, "alice", null)) {
        epoch = alice.request("dialogue:join", Map.of("roomId", "chat")).path("epoch").asText();
        Semaphore inFlight = new Semaphore(32);
        for (int i = 0; acked.size() < 300; i++) {
          assertThat(inFlight.tryAcquire(10, TimeUnit.SECONDS)).as("acks keep coming").isTrue();
          String text = "m" + i;
          alice
              .requestAsync(
                  "dialogue:trigger",
                  Map.of("roomId", "chat", "event", "message", "data", Map.of("text", text)))
              .whenComplete(
                  (ack, e) -> {
                    if (ack != null && ack.path("ok").asBoolean()) {
                      acked.put(ack.path("offset").asLong(), text);
                    }
                    inFlight.release();
                  });
        }
        trial.kill(); // while triggers are still in flight
      }
      TreeMap<Long, String> acknowledged = new TreeMap<>(acked);

      try (RawClient bob = RawClient.connectAs(trial.start(), "bob", null)) {
        JsonNode joined =
            bob.request(
                "dialogue:join",
                Map.of("roomId", "chat", "since", Map.of("offset", 0, "epoch", epoch)));
        assertThat(joined.path("ok").asBoolean()).as("join %s", joined).isTrue();
        assertThat(joined.path("epoch").asText()).isEqualTo(epoch);
        assertThat(joined.path("recovered").asBoolean()).as("recovered").isTrue();

        TreeMap<Long, String> stored = new TreeMap<>();
        joined
            .path("missed")
            .forEach(
                m -> stored.put(m.path("offset").asLong(), m.path("data").path("text").asText()));
        assertThat(stored.keySet())
            .as("no gap")
            .containsExactlyElementsOf(
                java.util.stream.LongStream.rangeClosed(1, stored.isEmpty() ? 0 : stored.lastKey())
                    .boxed()
                    .toList());
        assertThat(stored).containsAllEntriesOf(acknowledged);

        JsonNode next =
            bob.request(
                "dialogue:trigger",
                Map.of("roomId", "chat", "event", "message", "data", Map.of("text", "after")));
        assertThat(next.path("offset").asLong()).isEqualTo(stored.lastKey() + 1);
      }
    }
  }
}
