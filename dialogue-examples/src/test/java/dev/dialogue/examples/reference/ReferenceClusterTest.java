package dev.dialogue.examples.reference;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dialogue.Dialogue;
import dev.dialogue.testing.Await;
import dev.dialogue.testing.RawClient;
import dev.dialogue.testing.TestRedis;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reference server as a cluster ({@code --redis}): one node a child process, one in this JVM,
 * on a real redis-server. A node killed with SIGKILL in the middle of a stream: each of its
 * subscribers moves to the other node and, with the position it held, ends up with every event
 * exactly once, in offset order.
 */
@Timeout(180)
class ReferenceClusterTest {
  @TempDir Path dir;

  /** A subscriber of room chat: what it saw, by offset, and how often. */
  static final class Subscriber {
    final String user;
    final List<Long> offsets = new ArrayList<>();
    String epoch;
    RawClient client;

    Subscriber(String user) {
      this.user = user;
    }

    void joinOn(int port) {
      client = RawClient.connectAs(port, user, null);
      JsonNode joined = client.request("dialogue:join", Map.of("roomId", "chat"));
      assertThat(joined.path("ok").asBoolean()).as("join %s", joined).isTrue();
      epoch = joined.path("epoch").asText();
    }

    /** Takes what arrived on the old connection, then rejoins on {@code port} with the position. */
    JsonNode moveTo(int port) {
      client.received("dialogue:event").forEach(e -> offsets.add(e.data().path("offset").asLong()));
      client.close();
      long since = offsets.isEmpty() ? 0 : offsets.get(offsets.size() - 1);
      client = RawClient.connectAs(port, user, null);
      JsonNode joined =
          client.request(
              "dialogue:join",
              Map.of("roomId", "chat", "since", Map.of("offset", since, "epoch", epoch)));
      joined.path("missed").forEach(m -> offsets.add(m.path("offset").asLong()));
      return joined;
    }
  }

  @Test
  void aNodeKilledMidStream_itsSubscribersRecoverOnTheOther_everyEventOnceInOrder()
      throws Exception {
    try (TestRedis redis = TestRedis.start();
        CrashTrial killed =
            new CrashTrial(dir, null, List.of("-Xmx256m"), List.of("--redis", redis.uri()))) {
      int killedPort = killed.start();
      Dialogue survivor =
          ReferenceServer.start("--port", "0", "--host", "127.0.0.1", "--redis", redis.uri());
      try (RawClient publisher = RawClient.connectAs(survivor.port(), "pub", null)) {
        assertThat(
                publisher.request("dialogue:join", Map.of("roomId", "chat")).path("ok").asBoolean())
            .isTrue();
        List<Subscriber> subscribers = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
          Subscriber s = new Subscriber("sub" + i);
          s.joinOn(killedPort);
          subscribers.add(s);
        }
        ConcurrentSkipListMap<Long, String> acked = new ConcurrentSkipListMap<>();
        Semaphore inFlight = new Semaphore(16);
        int total = 600;
        for (int i = 0; i < total; i++) {
          assertThat(inFlight.tryAcquire(10, TimeUnit.SECONDS)).as("acks keep coming").isTrue();
          String text = "m" + i;
          publisher
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
          if (i == 200) {
            killed.kill(); // its subscribers' connections drop mid-stream
          }
          if (i == 300) {
            for (Subscriber s : subscribers) {
              JsonNode joined = s.moveTo(survivor.port());
              assertThat(joined.path("recovered").asBoolean())
                  .as("%s: %s", s.user, joined)
                  .isTrue();
            }
          }
        }
        assertThat(inFlight.tryAcquire(16, 30, TimeUnit.SECONDS)).as("every ack").isTrue();
        assertThat(acked).hasSize(total);
        JsonNode end =
            publisher.request(
                "dialogue:trigger",
                Map.of("roomId", "chat", "event", "message", "data", Map.of("text", "end")));
        long last = end.path("offset").asLong();
        for (Subscriber s : subscribers) {
          s.client.take(
              e ->
                  e.name().equals("dialogue:event")
                      && e.data().path("data").path("text").asText().equals("end"),
              "the end marker");
          s.client
              .received("dialogue:event")
              .forEach(e -> s.offsets.add(e.data().path("offset").asLong()));
          s.offsets.add(last);
          assertThat(s.offsets)
              .as("%s saw every event once, in order", s.user)
              .containsExactlyElementsOf(LongStream.rangeClosed(1, last).boxed().toList());
          s.client.close();
        }
      } finally {
        survivor.stop();
      }
    }
  }

  @Test
  void theMembersOfAKilledNode_leaveThePresenceOfTheOthers_onceEach_withinTheTimeout()
      throws Exception {
    try (TestRedis redis = TestRedis.start();
        CrashTrial killed =
            new CrashTrial(dir, null, List.of("-Xmx256m"), List.of("--redis", redis.uri()))) {
      int killedPort = killed.start();
      Dialogue survivor =
          ReferenceServer.start("--port", "0", "--host", "127.0.0.1", "--redis", redis.uri());
      try (RawClient watcher = RawClient.connectAs(survivor.port(), "watcher", null);
          RawClient gone1 = RawClient.connectAs(killedPort, "gone1", null);
          RawClient gone2 = RawClient.connectAs(killedPort, "gone2", null);
          RawClient both = RawClient.connectAs(killedPort, "both", null);
          RawClient bothHere = RawClient.connectAs(survivor.port(), "both", null)) {
        assertThat(
                watcher.request("dialogue:join", Map.of("roomId", "chat")).path("ok").asBoolean())
            .isTrue();
        for (RawClient c : List.of(gone1, gone2, both, bothHere)) {
          assertThat(c.request("dialogue:join", Map.of("roomId", "chat")).path("ok").asBoolean())
              .isTrue();
        }
        for (String user : List.of("gone1", "gone2", "both")) {
          watcher.take(
              e ->
                  e.name().equals("dialogue:presence")
                      && e.data().path("joins").toString().contains("\"" + user + "\""),
              user + " came");
        }
        long killedAt = System.nanoTime();
        killed.kill();
        List<String> left = new ArrayList<>();
        Await.until(
            "the killed node's members leave",
            Duration.ofSeconds(30),
            () -> {
              left.clear();
              watcher
                  .received("dialogue:presence")
                  .forEach(e -> e.data().path("leaves").forEach(u -> left.add(u.asText())));
              return left.size() >= 2;
            });
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - killedAt);
        assertThat(left).containsExactlyInAnyOrder("gone1", "gone2");
        assertThat(seconds).as("left within the timeout and a heartbeat").isLessThanOrEqualTo(20);
        JsonNode present = watcher.request("dialogue:getPresence", Map.of("roomId", "chat"));
        // "both" keeps the connection on the survivor, so it never left.
        assertThat(present.toString()).contains("\"both\"").doesNotContain("gone1", "gone2");
        assertThat(watcher.received("dialogue:presence").toString()).doesNotContain("both");
      } finally {
        survivor.stop();
      }
    }
  }
}
