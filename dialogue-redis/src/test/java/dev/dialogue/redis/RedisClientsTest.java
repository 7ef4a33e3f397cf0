package dev.dialogue.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dialogue.Dialogue;
import dev.dialogue.EventDefinition;
import dev.dialogue.RoomConfig;
import dev.dialogue.client.ClientRoom;
import dev.dialogue.client.DialogueClient;
import dev.dialogue.client.EventMessage;
import dev.dialogue.client.PendingTrigger;
import dev.dialogue.client.Published;
import dev.dialogue.testing.CallbackRecorder;
import dev.dialogue.testing.FaultProxy;
import dev.dialogue.testing.TestRedis;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The Java client in a cluster: two nodes on one real Redis, and a {@link FaultProxy} standing in
 * for the load balancer, which sends a client's next connection to the other node. The client
 * re-joins there with its position and loses nothing; a trigger it retries there is published once.
 */
@Timeout(120)
class RedisClientsTest {
  public record Message(String text) {}

  static final EventDefinition<Message> MESSAGE =
      EventDefinition.builder("message", Message.class).history(1_000).build();

  private final List<AutoCloseable> closeables = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      closeables.get(i).close();
    }
  }

  private <T extends AutoCloseable> T closing(T closeable) {
    closeables.add(closeable);
    return closeable;
  }

  private Dialogue node(TestRedis redis) {
    return closing(
        Dialogue.builder()
            .host("127.0.0.1")
            .port(0)
            .room(
                RoomConfig.builder("chat", "Chat")
                    .events(MESSAGE)
                    .defaultSubscriptions("message")
                    .build())
            .broker(RedisBroker.create(redis.uri()))
            .build()
            .start());
  }

  private DialogueClient connected(int port, String userId) throws Exception {
    DialogueClient client =
        closing(
            DialogueClient.builder("http://127.0.0.1:" + port)
                .auth(Map.of("userId", userId))
                .requestTimeout(Duration.ofMillis(700))
                .connectTimeout(Duration.ofSeconds(15))
                .reconnectBackoff(Duration.ofMillis(50), Duration.ofMillis(200), 0.5)
                .build());
    await(client.connect());
    return client;
  }

  private static <T> T await(CompletableFuture<T> future) throws Exception {
    return future.get(15, TimeUnit.SECONDS);
  }

  @Test
  void aSubscriberSentToTheOtherNode_reJoinsWithItsPosition_andSeesEveryEventOnce()
      throws Exception {
    TestRedis redis = closing(TestRedis.start());
    Dialogue a = node(redis);
    Dialogue b = node(redis);
    FaultProxy balancer = closing(FaultProxy.to(a.port()));
    DialogueClient subscriber = connected(balancer.port(), "sub");
    DialogueClient publisher = connected(b.port(), "pub");
    ClientRoom out = await(publisher.join("chat"));
    CallbackRecorder<EventMessage> received = new CallbackRecorder<>();
    await(subscriber.join("chat")).on("message", Message.class, (m, e) -> received.accept(e));

    List<CompletableFuture<Published>> sent = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      sent.add(out.trigger("message", new Message("m" + i)).result());
      if (i == 100) {
        balancer.retarget(b.port()); // the next connection goes to node B
        balancer.reset(); // and the one to node A drops now
      }
    }
    for (CompletableFuture<Published> f : sent) {
      await(f);
    }
    List<EventMessage> got = received.await(300, Duration.ofSeconds(30));
    assertThat(got)
        .extracting(e -> e.data(Message.class).text())
        .containsExactlyElementsOf(
            java.util.stream.IntStream.range(0, 300).mapToObj(i -> "m" + i).toList());
    for (int i = 0; i < got.size(); i++) {
      assertThat(got.get(i).offset()).isEqualTo(i + 1L);
    }
    assertThat(balancer.accepted()).as("the subscriber connected twice").isGreaterThanOrEqualTo(2);
  }

  @Test
  void aTriggerInFlightWhenItsNodeIsLost_isRetriedOnTheOtherNode_andPublishedOnce()
      throws Exception {
    TestRedis redis = closing(TestRedis.start());
    Dialogue a = node(redis);
    Dialogue b = node(redis);
    FaultProxy balancer = closing(FaultProxy.to(a.port()));
    DialogueClient publisher = connected(balancer.port(), "pub");
    DialogueClient watcher = connected(b.port(), "watch");
    ClientRoom out = await(publisher.join("chat"));
    CallbackRecorder<EventMessage> received = new CallbackRecorder<>();
    await(watcher.join("chat")).on("message", Message.class, (m, e) -> received.accept(e));

    // The trigger reaches node A and is published; its acknowledgement never comes back.
    // The trigger reaches node A and is published; what it sends back is cut off, and the
    // publisher's next connection goes to node B.
    CompletableFuture<Void> cut =
        balancer.cutWhen(FaultProxy.Direction.DOWNSTREAM, "\"offset\"", FaultProxy.When.BEFORE);
    balancer.retarget(b.port());
    PendingTrigger pending = out.trigger("message", new Message("once"));
    EventMessage first = received.next();
    await(cut);
    Published published = await(pending.result()); // retried on node B with the same id

    assertThat(first.clientMessageId()).isEqualTo(pending.clientMessageId());
    assertThat(published.offset()).isEqualTo(first.offset());
    await(out.trigger("message", new Message("next")).result());
    assertThat(received.next().data(Message.class).text()).isEqualTo("next");
  }
}
