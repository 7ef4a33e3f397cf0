package dev.dialogue.examples.reference;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dialogue.testing.FaultProxy;
import dev.dialogue.testing.RawClient;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17's first defect, against the reference server in its own process: ten subscribers stop
 * reading (their routes black-holed) while 900 KB events flow. Each is cut off once 4 MiB wait for
 * it ({@code maxOutboundBytes}' default), long before the 10,000-packet bound; the server's memory
 * stays bounded (its direct memory is capped at 192 MiB here, less than what the ten would hold
 * without the byte bound: 10 x 60 x 900 KB = 540 MB), every publish is acknowledged and a reading
 * subscriber receives everything.
 */
@Timeout(180)
class SlowConsumerMemoryTest {
  private static final int STALLED = 10;
  private static final int EVENTS = 60;
  private static final int EVENT_BYTES = 900_000;

  /** The RSS the server may gain over its baseline while the ten stall: stated in the docs. */
  private static final long RSS_BOUND = 400L << 20;

  @TempDir Path dir;

  @Test
  void tenNonReadingSubscribersOfLargeEvents_areCutOff_andTheServerStaysBounded() throws Exception {
    try (CrashTrial trial =
        new CrashTrial(
            dir, null, List.of("-Xmx256m", "-XX:MaxDirectMemorySize=192m", "-XX:+UseSerialGC"))) {
      int port = trial.start();
      List<FaultProxy> routes = new ArrayList<>();
      List<RawClient> stalled = new ArrayList<>();
      try (RawClient alice = RawClient.connectAs(port, "alice", null);
          RawClient bob = RawClient.connectAs(port, "bob", null)) {
        alice.request("dialogue:join", Map.of("roomId", "lobby"));
        bob.request("dialogue:join", Map.of("roomId", "lobby"));
        for (int i = 0; i < STALLED; i++) {
          FaultProxy route = FaultProxy.to(port);
          routes.add(route);
          RawClient slow = RawClient.connectAs(route.port(), "slow" + i, null);
          stalled.add(slow);
          assertThat(
                  slow.request("dialogue:join", Map.of("roomId", "lobby")).path("ok").asBoolean())
              .isTrue();
        }
        assertThat(lobbySize(alice)).isEqualTo(2 + STALLED);
        long baseline = trial.rssBytes();
        routes.forEach(FaultProxy::blackHole); // they stop reading, as far as the server can tell

        String blob = "x".repeat(EVENT_BYTES);
        long peak = baseline;
        for (int n = 0; n < EVENTS; n++) {
          JsonNode ack =
              alice.request(
                  "dialogue:trigger",
                  Map.of("roomId", "lobby", "event", "blob", "data", Map.of("n", n, "blob", blob)));
          assertThat(ack.path("ok").asBoolean()).as("publish %d: %s", n, ack).isTrue();
          JsonNode event =
              bob.take(
                      r -> r.name().equals("dialogue:event") && r.data().path("data").has("n"),
                      "event " + n)
                  .data();
          assertThat(event.path("data").path("n").asInt()).isEqualTo(n);
          peak = Math.max(peak, trial.rssBytes());
        }
        System.out.printf(
            "SlowConsumerMemoryTest: server RSS baseline %d MiB, peak %d MiB, gained %d MiB%n",
            baseline >> 20, peak >> 20, (peak - baseline) >> 20);
        assertThat(lobbySize(alice)).as("the ten were cut off").isEqualTo(2);
        assertThat(peak - baseline)
            .as("RSS gained over %d MiB baseline", baseline >> 20)
            .isLessThan(RSS_BOUND);
      } finally {
        routes.forEach(FaultProxy::close);
        stalled.forEach(RawClient::close);
      }
    }
  }

  private static int lobbySize(RawClient client) {
    for (JsonNode room : client.request("dialogue:listRooms", null).path("rooms")) {
      if (room.path("id").asText().equals("lobby")) {
        return room.path("size").asInt();
      }
    }
    throw new AssertionError("no lobby in listRooms");
  }
}
