package dev.dialogue.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** State changes made on several threads at once reach the listeners in the order they took. */
@Timeout(60)
class ConnectionStateTest {
  @Test
  void concurrentChanges_areHeardInTheOrderTheyTookEffect() throws Exception {
    ExecutorService callbacks = Executors.newSingleThreadExecutor();
    ExecutorService racers = Executors.newFixedThreadPool(2);
    try {
      OrderedExecutor ordered = new OrderedExecutor(callbacks);
      // Hands tasks over after a pause of up to 2 ms, as a busy machine may: the window between a
      // change and the hand-over of its notification opens wide.
      Executor loop =
          task -> {
            LockSupport.parkNanos(ThreadLocalRandom.current().nextLong(2_000_000));
            ordered.execute(task);
          };
      Listeners listeners = new Listeners();
      List<ConnectionState> heard = new ArrayList<>(); // the callback thread's only
      listeners.state.add((state, reason) -> heard.add(state));
      Connection connection = new Connection(null, loop, listeners);
      List<ConnectionState> afterRace = new ArrayList<>();
      for (int round = 0; round < 500; round++) {
        CyclicBarrier start = new CyclicBarrier(2);
        CountDownLatch done = new CountDownLatch(2);
        for (ConnectionState s :
            List.of(ConnectionState.CONNECTING, ConnectionState.RECONNECTING)) {
          racers.execute(
              () -> {
                try {
                  start.await();
                  connection.setState(s, "race");
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                } finally {
                  done.countDown();
                }
              });
        }
        assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
        afterRace.add(connection.state());
        connection.setState(ConnectionState.DISCONNECTED, "reset");
      }
      CountDownLatch drained = new CountDownLatch(1);
      loop.execute(drained::countDown);
      assertThat(drained.await(10, TimeUnit.SECONDS)).isTrue();
      // Each round the listeners hear three changes (both racers', then DISCONNECTED), and the
      // second is the state the race left.
      assertThat(heard).hasSize(3 * afterRace.size());
      int wrong = 0;
      for (int round = 0; round < afterRace.size(); round++) {
        if (heard.get(3 * round + 1) != afterRace.get(round)) {
          wrong++;
        }
      }
      assertThat(wrong)
          .as("rounds whose listeners heard another state last than the one left")
          .isZero();
    } finally {
      racers.shutdownNow();
      callbacks.shutdownNow();
    }
  }
}
