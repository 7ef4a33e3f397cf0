package dev.dialogue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dialogue.testing.MutableClock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link Room#schedule}: a task due on the server's clock, run on the room's serial executor;
 * cancelled by its registration and by the room's deletion.
 */
@Timeout(60)
class RoomScheduleTest {
  private final MutableClock clock = MutableClock.atFixedStart();
  private Dialogue server;
  private Room room;

  @BeforeEach
  void start() {
    server = Dialogue.builder().host("127.0.0.1").port(0).clock(clock).build().start();
    room = server.createRoom(RoomConfig.builder("r", "R").anyEvent().build());
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void runsWhenTheServerClockReachesIt_notBefore_onTheRoomsSerialExecutor() throws Exception {
    CountDownLatch ran = new CountDownLatch(1);
    List<String> threads = new CopyOnWriteArrayList<>();
    room.schedule(
        Duration.ofSeconds(30),
        () -> {
          threads.add(Thread.currentThread().getName());
          ran.countDown();
        });
    assertThat(ran.await(300, TimeUnit.MILLISECONDS)).isFalse();
    clock.advance(Duration.ofSeconds(29));
    assertThat(ran.await(200, TimeUnit.MILLISECONDS)).isFalse();
    clock.advance(Duration.ofSeconds(1));
    assertThat(ran.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(threads).singleElement().asString().startsWith("dialogue-hook-");
  }

  @Test
  void tasksRunOneAtATime_inDueOrder_andAZeroDelayRunsAtOnce() throws Exception {
    List<Integer> order = new CopyOnWriteArrayList<>();
    AtomicInteger inside = new AtomicInteger();
    AtomicInteger most = new AtomicInteger();
    CountDownLatch all = new CountDownLatch(20);
    for (int i = 0; i < 20; i++) {
      int n = i;
      room.schedule(
          Duration.ofMillis(20 - i),
          () -> {
            most.accumulateAndGet(inside.incrementAndGet(), Math::max);
            order.add(n);
            inside.decrementAndGet();
            all.countDown();
          });
    }
    clock.advance(Duration.ofSeconds(1));
    assertThat(all.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(most.get()).isEqualTo(1);
    assertThat(order).hasSize(20);

    CountDownLatch now = new CountDownLatch(1);
    room.schedule(Duration.ZERO, now::countDown);
    assertThat(now.await(5, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void closingTheRegistration_orDeletingTheRoom_cancelsIt_andAFailureIsOnlyLogged()
      throws Exception {
    AtomicInteger runs = new AtomicInteger();
    Registration cancelled = room.schedule(Duration.ofSeconds(5), runs::incrementAndGet);
    room.schedule(
        Duration.ofSeconds(5),
        () -> {
          throw new IllegalStateException("boom");
        });
    CountDownLatch after = new CountDownLatch(1);
    room.schedule(Duration.ofSeconds(6), after::countDown);
    cancelled.close();
    cancelled.close(); // idempotent
    clock.advance(Duration.ofSeconds(10));
    assertThat(after.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(runs.get()).isZero();

    Room other = server.createRoom(RoomConfig.builder("other", "Other").anyEvent().build());
    other.schedule(Duration.ofSeconds(5), runs::incrementAndGet);
    assertThat(server.deleteRoom("other")).isTrue();
    other.schedule(Duration.ZERO, runs::incrementAndGet); // deleted: never runs
    clock.advance(Duration.ofSeconds(10));
    CountDownLatch control = new CountDownLatch(1);
    room.schedule(Duration.ZERO, control::countDown);
    assertThat(control.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(runs.get()).isZero();

    assertThatThrownBy(() -> room.schedule(Duration.ofMillis(-1), () -> {}))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
