package dev.dialogue.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dialogue.Dialogue;
import dev.dialogue.RoomConfig;
import io.netty.channel.EventLoop;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The generator against a real Dialogue server on 127.0.0.1: publishers kept apart on their own
 * event loop still publish to, and receive from, the same room, and every published event's lag
 * behind its due time is recorded.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class LoadGeneratorTest {
  private final Dialogue server =
      Dialogue.builder()
          .host("127.0.0.1")
          .port(0)
          .room(
              RoomConfig.builder("fanout", "fanout")
                  .events(DialogueServer.TICK)
                  .defaultSubscriptions(DialogueServer.TICK.name())
                  .build())
          .build()
          .start();

  private final LoadGenerator gen = new LoadGenerator(2, 2);

  @AfterEach
  void stop() {
    gen.close();
    server.stop();
  }

  @Test
  void publishersApart_haveAnEventLoopOfTheirOwn_andReachEveryReceiver() throws Exception {
    List<Conn> conns = gen.open(server.port(), 6, i -> "fanout", Scenarios::devAuth, 20, 2);
    assertThat(conns).hasSize(6);

    EventLoop publishing = conns.get(0).channel().eventLoop();
    assertThat(conns.get(1).channel().eventLoop()).isSameAs(publishing);
    assertThat(conns.subList(2, 6).stream().map(c -> c.channel().eventLoop()))
        .doesNotContain(publishing);
    assertThat(
            conns.subList(2, 6).stream()
                .map(c -> c.channel().eventLoop())
                .collect(Collectors.toSet()))
        .as("the receivers share the generator's other loops")
        .hasSize(2);

    try (AutoCloseable publishing1 = gen.publish(conns.subList(0, 2), 100)) {
      // 2 publishers x 10 events, each to all 6 members of the room.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (gen.stats.snapshot().deliveries() < 120 && System.nanoTime() < deadline) {
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
      }
    }
    Stats.Snapshot seen = gen.stats.snapshot();
    assertThat(seen.deliveries()).isGreaterThanOrEqualTo(120);
    assertThat(seen.errors()).isZero();
    assertThat(seen.gaps()).isZero();
    assertThat(seen.published()).isGreaterThanOrEqualTo(20);
    assertThat(gen.stats.publishLagSinceLast().getTotalCount())
        .as("a lag for every event published")
        .isGreaterThanOrEqualTo(seen.published());
  }

  @Test
  void withoutPublishersApart_everyConnectionIsOnTheReceivingLoops() throws Exception {
    List<Conn> conns = gen.open(server.port(), 4, i -> "fanout", Scenarios::devAuth, 20);
    assertThat(conns).hasSize(4);
    assertThat(conns.stream().map(c -> c.channel().eventLoop()).collect(Collectors.toSet()))
        .hasSize(2);
  }
}
