package dev.dialogue.examples.reference;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dialogue.client.ClientRoom;
import dev.dialogue.client.DialogueClient;
import dev.dialogue.client.PendingTrigger;
import dev.dialogue.examples.reference.CrashTrial.Seen;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The trial, with the Java client doing all the work: two publishers using the client's
 * trigger API and one subscriber, against the reference server with a durable store, SIGKILLed and
 * restarted on the same port and database three times mid-stream. The clients reconnect, re-join
 * from their offsets and resend what was not confirmed with the same {@code clientMessageId}s by
 * themselves. Every trigger ends confirmed, the store holds each exactly once, and the subscriber
 * saw every stored event once, in order, each at the offset the store gives it.
 */
@Timeout(180)
class ClientCrashTest {
  private static final int PER_PUBLISHER = 300;
  private static final int KILLS = 3;
  private static final int WINDOW = 32;

  @TempDir Path dir;
  private final List<DialogueClient> clients = new ArrayList<>();
  private CrashTrial trial;

  @AfterEach
  void end() {
    clients.forEach(DialogueClient::close);
    trial.close();
  }

  @Test
  void publishersAndSubscriberOnTheJavaClient_loseAndRepeatNothing_acrossThreeKills()
      throws Exception {
    trial = new CrashTrial(dir);
    int port = trial.start();

    List<Seen> seen = new CopyOnWriteArrayList<>();
    Semaphore seenCount = new Semaphore(0);
    DialogueClient carol = client(port, "carol");
    ClientRoom subscribed = carol.join("chat").get(10, TimeUnit.SECONDS);
    subscribed.on(
        "message",
        JsonNode.class,
        (data, envelope) -> {
          seen.add(new Seen(envelope.offset(), data.path("text").asText()));
          seenCount.release();
        });

    Semaphore confirmed = new Semaphore(0);
    List<Thread> publishers = new ArrayList<>();
    Map<String, PendingTrigger> triggers =
        java.util.Collections.synchronizedMap(new LinkedHashMap<>());
    List<Throwable> failures = new CopyOnWriteArrayList<>();
    for (String user : List.of("alice", "bob")) {
      DialogueClient client = client(port, user);
      ClientRoom room = client.join("chat").get(10, TimeUnit.SECONDS);
      Thread t =
          new Thread(
              () -> {
                Semaphore window = new Semaphore(WINDOW);
                try {
                  for (int i = 0; i < PER_PUBLISHER; i++) {
                    // Back-pressure while the server is down: the window waits for confirmations.
                    if (!window.tryAcquire(120, TimeUnit.SECONDS)) {
                      failures.add(new AssertionError(user + ": no confirmation for 120 s"));
                      return;
                    }
                    String text = user + "-" + i;
                    PendingTrigger sent = room.trigger("message", Map.of("text", text));
                    triggers.put(text, sent);
                    sent.result()
                        .whenComplete(
                            (published, failed) -> {
                              if (failed != null) {
                                failures.add(failed);
                              }
                              confirmed.release();
                              window.release();
                            });
                  }
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              },
              "publisher-" + user);
      t.start();
      publishers.add(t);
    }

    int total = 2 * PER_PUBLISHER;
    for (int kill = 1; kill <= KILLS; kill++) {
      // Another quarter of the triggers confirmed, then SIGKILL with the next ones in flight.
      assertThat(confirmed.tryAcquire(total / (KILLS + 1), 60, TimeUnit.SECONDS))
          .as("confirmations before kill %d", kill)
          .isTrue();
      trial.kill();
      trial.start();
    }
    for (Thread t : publishers) {
      t.join(TimeUnit.SECONDS.toMillis(120));
    }
    assertThat(triggers).hasSize(total);
    for (PendingTrigger t : triggers.values()) {
      t.result().get(60, TimeUnit.SECONDS); // confirmed, or the test fails here with its fate
    }
    assertThat(failures).as("triggers not confirmed").isEmpty();

    assertThat(seenCount.tryAcquire(total, 30, TimeUnit.SECONDS))
        .as("the subscriber saw %d events (has %d)", total, seen.size())
        .isTrue();
    CrashTrial.compare(seen, trial.stored(subscribed.epoch()), total);
  }

  private DialogueClient client(int port, String user) throws Exception {
    DialogueClient client =
        DialogueClient.builder("http://127.0.0.1:" + port)
            .auth(Map.of("userId", user))
            .reconnectBackoff(Duration.ofMillis(50), Duration.ofMillis(500), 0.2)
            .requestTimeout(Duration.ofSeconds(5))
            .build();
    clients.add(client);
    client.connect().get(10, TimeUnit.SECONDS);
    return client;
  }
}
