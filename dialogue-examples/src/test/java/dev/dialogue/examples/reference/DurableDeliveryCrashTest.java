package dev.dialogue.examples.reference;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dialogue.examples.reference.CrashTrial.Seen;
import dev.dialogue.testing.RawClient;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several publishers, one subscriber, and a durable store, while the server is SIGKILLed and
 * restarted on the same port and database several times mid-stream. Publishers resend what was not
 * acknowledged with the same {@code clientMessageId}; the subscriber re-joins from its last offset.
 * What the subscriber saw is compared with the store offset by offset: no offset it was shown may
 * hold another event in the store, and it sees every stored event exactly once, in order.
 */
@Timeout(180)
class DurableDeliveryCrashTest {
  private static final Pattern READY = Pattern.compile("READY (\\d+)");
  private static final int PER_PUBLISHER = 300;
  private static final int KILLS = 3;
  private static final int WINDOW = 32;

  @TempDir Path dir;

  @Test
  void subscriberNeverSeesAnOffsetTheStoreGivesToAnotherEvent_acrossKillsWithTwoPublishers()
      throws Exception {
    CrashTrial trial = new CrashTrial(dir);
    List<Publisher> publishers = List.of(new Publisher("alice"), new Publisher("bob"));
    List<Seen> seen = new ArrayList<>();
    long lastOffset = 0;
    String epoch = null;
    try (trial) {
      for (int phase = 0; phase <= KILLS; phase++) {
        int port = trial.start();
        boolean last = phase == KILLS;
        try (RawClient carol = RawClient.connectAs(port, "carol", null)) {
          Map<String, Object> join = new HashMap<>(Map.of("roomId", "chat"));
          if (epoch != null) {
            join.put("since", Map.of("offset", lastOffset, "epoch", epoch));
          }
          JsonNode joined = carol.request("dialogue:join", join);
          assertThat(joined.path("ok").asBoolean()).as("join %s", joined).isTrue();
          if (epoch != null) {
            assertThat(joined.path("epoch").asText())
                .as("same epoch after a crash")
                .isEqualTo(epoch);
            assertThat(joined.path("recovered").asBoolean())
                .as(
                    "re-join from offset %d after kill %d recovers (the room is at %d)",
                    lastOffset, phase, joined.path("offset").asLong())
                .isTrue();
          }
          epoch = joined.path("epoch").asText();
          joined.path("missed").forEach(m -> seen.add(Seen.of(m)));

          Semaphore acked = new Semaphore(0);
          AtomicBoolean stop = new AtomicBoolean();
          int portNow = port;
          List<Thread> threads = new ArrayList<>();
          for (Publisher p : publishers) {
            Thread t = new Thread(() -> p.run(portNow, acked, stop, last), "publisher-" + p.user);
            t.start();
            threads.add(t);
          }
          if (last) {
            for (Thread t : threads) {
              t.join(TimeUnit.SECONDS.toMillis(60));
            }
          } else {
            int target = PER_PUBLISHER * publishers.size() / (KILLS + 2);
            assertThat(acked.tryAcquire(target, 30, TimeUnit.SECONDS))
                .as("%d acks before kill %d", target, phase + 1)
                .isTrue();
            trial.kill(); // with triggers of both publishers in flight
            stop.set(true);
            for (Thread t : threads) {
              t.join(TimeUnit.SECONDS.toMillis(30));
            }
          }
          RawClient.Received lastEvent = null;
          if (last) {
            long total = (long) PER_PUBLISHER * publishers.size();
            assertThat(publishers)
                .allMatch(p -> p.unconfirmed.isEmpty(), "every trigger confirmed");
            lastEvent =
                carol.take(
                    r ->
                        r.name().equals("dialogue:event")
                            && r.data().path("offset").asLong() == total,
                    "the last offset " + total);
          }
          for (RawClient.Received r : carol.received("dialogue:event")) {
            seen.add(Seen.of(r.data()));
          }
          if (lastEvent != null) {
            seen.add(Seen.of(lastEvent.data())); // taken off the recording, and the newest
          }
          if (!seen.isEmpty()) {
            lastOffset = seen.get(seen.size() - 1).offset();
          }
        }
        if (last) {
          CrashTrial.compare(seen, trial.stored(epoch), PER_PUBLISHER * publishers.size());
        }
      }
    }
  }

  /** Sends its own numbered messages, each with a clientMessageId, resending the unconfirmed. */
  private static final class Publisher {
    final String user;
    final Map<String, Boolean> unconfirmed =
        java.util.Collections.synchronizedMap(new LinkedHashMap<>());
    int next;

    Publisher(String user) {
      this.user = user;
    }

    void run(int port, Semaphore acks, AtomicBoolean stop, boolean untilDone) {
      try (RawClient r = RawClient.connectAs(port, user, null)) {
        r.request("dialogue:join", Map.of("roomId", "chat"));
        ConcurrentLinkedDeque<String> resend;
        synchronized (unconfirmed) {
          resend = new ConcurrentLinkedDeque<>(unconfirmed.keySet());
        }
        Semaphore window = new Semaphore(WINDOW);
        while (!stop.get()) {
          if (!window.tryAcquire(50, TimeUnit.MILLISECONDS)) {
            continue;
          }
          String id = resend.poll();
          if (id == null && next < PER_PUBLISHER) {
            id = user + "-" + next++;
            unconfirmed.put(id, true);
          }
          if (id == null) {
            window.release();
            if (untilDone && unconfirmed.isEmpty()) {
              return;
            }
            continue;
          }
          String sent = id;
          r.requestAsync(
                  "dialogue:trigger",
                  Map.of(
                      "roomId",
                      "chat",
                      "event",
                      "message",
                      "clientMessageId",
                      sent,
                      "data",
                      Map.of("text", sent)))
              .whenComplete(
                  (ack, e) -> {
                    if (ack != null && ack.path("ok").asBoolean()) {
                      unconfirmed.remove(sent);
                      acks.release();
                    } else {
                      resend.add(sent); // e.g. the store failed: retry with the same id
                    }
                    window.release();
                  });
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
