package dev.dialogue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link Room#execute}: code from outside the room runs after the room's queued listeners and
 * handlers (so it sees what {@code onTriggered} of the events delivered before did), one at a time
 * with them; what it throws reaches its future.
 */
@Timeout(30)
class RoomExecuteTest {
  @Test
  void runsAfterTheListenersOfEventsDeliveredBefore_andReportsFailures() throws Exception {
    List<String> stored = new CopyOnWriteArrayList<>();
    CountDownLatch release = new CountDownLatch(1);
    DialogueListener slowStore =
        new DialogueListener() {
          @Override
          public void onTriggered(Room room, EventMessage message) {
            try {
              release.await(10, TimeUnit.SECONDS); // a slow table write
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            stored.add(message.data().path("text").asText());
          }
        };
    try (Dialogue server = TestServers.builder().listener(slowStore).build().start()) {
      Room chat = server.room("chat").orElseThrow();
      server.trigger("chat", "message", new TestServers.Message("one"));
      server.trigger("chat", "message", new TestServers.Message("two"));
      List<String> seen = new CopyOnWriteArrayList<>();
      var after = chat.execute(() -> seen.addAll(stored));
      assertThat(after).isNotDone(); // queued behind the listeners
      release.countDown();
      after.get(10, TimeUnit.SECONDS);
      assertThat(seen).containsExactly("one", "two");

      var failing =
          chat.execute(
              () -> {
                throw new IllegalStateException("boom");
              });
      assertThatThrownBy(() -> failing.get(10, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .hasRootCauseMessage("boom");
      chat.execute(() -> {}).get(10, TimeUnit.SECONDS); // the room goes on
    }
  }
}
