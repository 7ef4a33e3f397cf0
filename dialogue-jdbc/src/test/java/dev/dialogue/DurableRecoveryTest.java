package dev.dialogue;

import static dev.dialogue.RecoveryTest.MESSAGE;
import static dev.dialogue.RecoveryTest.builder;
import static dev.dialogue.RecoveryTest.ok;
import static dev.dialogue.RecoveryTest.recoversAThousand;
import static dev.dialogue.RecoveryTest.since;
import static dev.dialogue.RecoveryTest.trigger;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dialogue.internal.RealConnection;
import dev.dialogue.internal.Wire;
import dev.dialogue.internal.socketio.HeadSession;
import dev.dialogue.jdbc.GatedDataSource;
import dev.dialogue.jdbc.JdbcHistoryStore;
import dev.dialogue.testing.RawClient;
import io.netty.channel.EventLoop;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link RecoveryTest} on a durable store: recovery from the store, write-through (nothing shown
 * before the commit), a failed commit, and restarts on the same database. Here rather than in the
 * core because the core's tests cannot depend on this module; in {@code dev.dialogue} to share
 * {@link RecoveryTest}'s servers and helpers (dialogue-core's test-jar).
 */
@Timeout(120)
class DurableRecoveryTest {
  @TempDir Path dir;

  @Test
  void rejoinWithSince_recoversEveryMissedEventInOrder_fromTheStore() {
    // Memory holds only 10 per event name: almost everything comes from the store.
    EventDefinition<TestServers.Message> small =
        EventDefinition.builder("message", TestServers.Message.class).history(10).build();
    try (Dialogue server =
        Dialogue.builder()
            .host("127.0.0.1")
            .port(0)
            .maxRecoveryEvents(1_001)
            .room(
                RoomConfig.builder("chat", "Chat")
                    .events(small)
                    .defaultSubscriptions("message")
                    .build())
            .historyStore(JdbcHistoryStore.builder("jdbc:h2:file:" + dir.resolve("db")).build())
            .build()
            .start()) {
      recoversAThousand(server);
    }
  }

  @Test
  void writeThrough_showsNothingBeforeTheCommit_thenDeliversAndAcknowledgesInOrder()
      throws Exception {
    JdbcDataSource h2 = new JdbcDataSource();
    h2.setURL("jdbc:h2:file:" + dir.resolve("gated"));
    GatedDataSource gated = new GatedDataSource(h2);
    List<String> handled = new CopyOnWriteArrayList<>();
    try (Dialogue server =
            builder().historyStore(JdbcHistoryStore.builder(gated).build()).build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice");
        RawClient bob = RawClient.connectAs(server.port(), "bob")) {
      server.on("chat", MESSAGE, (m, envelope) -> handled.add(m.text()));
      ok(alice.request(Wire.JOIN, Map.of("roomId", "chat")));
      ok(bob.request(Wire.JOIN, Map.of("roomId", "chat")));
      gated.shut();
      List<String> answered = new CopyOnWriteArrayList<>();
      List<Integer> eventsBeforeAck = new CopyOnWriteArrayList<>();
      // Recorded as each ack arrives, before its future completes.
      CompletableFuture<JsonNode> first =
          alice.requestAsync(
              Wire.TRIGGER,
              trigger("one"),
              a -> {
                answered.add("one");
                eventsBeforeAck.add(alice.received(Wire.EVENT).size());
              });
      CompletableFuture<JsonNode> second =
          alice.requestAsync(
              Wire.TRIGGER,
              trigger("two"),
              a -> {
                answered.add("two");
                eventsBeforeAck.add(alice.received(Wire.EVENT).size());
              });
      CompletableFuture<JsonNode> rooms =
          alice.requestAsync(Wire.LIST_ROOMS, null, a -> answered.add("rooms"));
      RealConnection connection = (RealConnection) server.clients("alice").get(0);
      // Both triggers were handled (pipelined): the second did not wait for the first commit.
      TestServers.awaitState("three answers waiting", () -> connection.unanswered() == 3);

      // Nobody sees an uncommitted event: not the subscriber, not a joiner, not the room's offset,
      // not a server-side handler.
      bob.barrier();
      assertThat(bob.received(Wire.EVENT)).isEmpty();
      assertThat(alice.received(Wire.EVENT)).isEmpty();
      assertThat(server.room("chat").orElseThrow().offset()).isZero();
      try (RawClient carol = RawClient.connectAs(server.port(), "carol")) {
        JsonNode joined = ok(carol.request(Wire.JOIN, Map.of("roomId", "chat")));
        assertThat(joined.path("offset").asLong()).isZero();
        assertThat(joined.path("history")).isEmpty();
      }
      assertThat(handled).isEmpty();
      assertThat(first).isNotDone();
      assertThat(second).isNotDone();
      assertThat(rooms).isNotDone();

      // An event without history, from someone else, queues behind them: the room keeps one order.
      CompletableFuture<JsonNode> typing =
          bob.requestAsync(
              Wire.TRIGGER,
              Map.of("roomId", "chat", "event", "typing", "data", Map.of("isTyping", true)));
      RealConnection bobs = (RealConnection) server.clients("bob").get(0);
      TestServers.awaitState("bob's trigger handled", () -> bobs.unanswered() == 1);
      assertThat(bob.received(Wire.EVENT)).isEmpty();
      gated.open();
      assertThat(bob.take(Wire.EVENT).data().path("offset").asLong()).isEqualTo(1);
      assertThat(bob.take(Wire.EVENT).data().path("offset").asLong()).isEqualTo(2);
      assertThat(bob.take(Wire.EVENT).data().path("event").asText()).isEqualTo("typing");
      ok(typing.get(10, TimeUnit.SECONDS));
      assertThat(ok(first.get(10, TimeUnit.SECONDS)).path("offset").asLong()).isEqualTo(1);
      assertThat(ok(second.get(10, TimeUnit.SECONDS)).path("offset").asLong()).isEqualTo(2);
      ok(rooms.get(10, TimeUnit.SECONDS));
      TestServers.awaitState("three answers recorded", () -> answered.size() == 3);
      assertThat(answered).containsExactly("one", "two", "rooms");
      // The sender sees its own event before its ack.
      assertThat(eventsBeforeAck.get(0)).isGreaterThanOrEqualTo(1);
      assertThat(eventsBeforeAck.get(1)).isGreaterThanOrEqualTo(2);
      assertThat(alice.take(Wire.EVENT).data().path("data").path("text").asText()).isEqualTo("one");
      assertThat(server.room("chat").orElseThrow().offset()).isEqualTo(2);
      TestServers.awaitState("handlers ran", () -> handled.size() == 2);
      assertThat(handled).containsExactly("one", "two");
    }
  }

  /**
   * Events released by one commit go out as frames handed to the sender's event loop, their acks as
   * netty-socketio packets: an ack queued from the releasing thread must not overtake the frames
   * handed to the loop before it. The sender's loop is held while the whole burst is released, so
   * that everything waits in its queue at once (as it does when the loop is busy).
   */
  @Test
  void writeThrough_burstReleasedWhileTheLoopIsBusy_eachAckFollowsItsOwnEvent() throws Exception {
    JdbcDataSource h2 = new JdbcDataSource();
    h2.setURL("jdbc:h2:file:" + dir.resolve("burst"));
    GatedDataSource gated = new GatedDataSource(h2);
    int count = 40;
    try (Dialogue server =
            builder().historyStore(JdbcHistoryStore.builder(gated).build()).build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      ok(alice.request(Wire.JOIN, Map.of("roomId", "chat")));
      gated.shut();
      List<Integer> eventsBeforeAck = new CopyOnWriteArrayList<>();
      List<CompletableFuture<JsonNode>> acks = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        acks.add(
            alice.requestAsync(
                Wire.TRIGGER,
                trigger("m" + i),
                a -> eventsBeforeAck.add(alice.received(Wire.EVENT).size())));
      }
      RealConnection connection = (RealConnection) server.clients("alice").get(0);
      TestServers.awaitState("every trigger handled", () -> connection.unanswered() == count);
      EventLoop loop =
          ((HeadSession) connection.session()).webSocket().encoder.channel().eventLoop();
      CountDownLatch busy = new CountDownLatch(1);
      CountDownLatch held = new CountDownLatch(1);
      loop.execute(
          () -> {
            held.countDown();
            try {
              busy.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          });
      try {
        assertThat(held.await(10, TimeUnit.SECONDS)).isTrue();
        gated.open();
        TestServers.awaitState("every answer released", () -> connection.unanswered() == 0);
      } finally {
        busy.countDown();
      }
      for (CompletableFuture<JsonNode> ack : acks) {
        ok(ack.get(10, TimeUnit.SECONDS));
      }
      TestServers.awaitState("every ack recorded", () -> eventsBeforeAck.size() == count);
      for (int i = 0; i < count; i++) {
        assertThat(eventsBeforeAck.get(i)).as("events before ack %d", i).isGreaterThan(i);
      }
    }
  }

  /** A real H2 store whose next append fails, as a commit that the database refused. */
  private static final class FailNextAppend implements HistoryStore {
    private final HistoryStore delegate;
    private volatile boolean failNext;

    FailNextAppend(HistoryStore delegate) {
      this.delegate = delegate;
    }

    @Override
    public CompletableFuture<Void> append(String epoch, EventMessage event) {
      if (failNext) {
        failNext = false;
        return CompletableFuture.failedFuture(
            new DialogueException(ErrorCode.INTERNAL_ERROR, "test: the commit failed"));
      }
      return delegate.append(epoch, event);
    }

    @Override
    public List<EventMessage> eventsAfter(String roomId, long afterOffset, int limit) {
      return delegate.eventsAfter(roomId, afterOffset, limit);
    }

    @Override
    public List<EventMessage> history(String roomId, String eventName, int start, int end) {
      return delegate.history(roomId, eventName, start, end);
    }

    @Override
    public java.util.Optional<Position> position(String roomId) {
      return delegate.position(roomId);
    }

    @Override
    public java.util.Optional<EventMessage> findByClientMessageId(
        String roomId, String from, String clientMessageId) {
      return delegate.findByClientMessageId(roomId, from, clientMessageId);
    }

    @Override
    public CompletableFuture<Void> deleteRoom(String roomId) {
      return delegate.deleteRoom(roomId);
    }

    @Override
    public void close() {
      delegate.close();
    }
  }

  @Test
  void failedCommit_isShownToNoOne_andARetryWithTheSameIdPublishesIt() {
    FailNextAppend store =
        new FailNextAppend(JdbcHistoryStore.builder("jdbc:h2:file:" + dir.resolve("fail")).build());
    Map<String, Object> request = new HashMap<>(trigger("retried"));
    request.put("clientMessageId", "c-1");
    try (Dialogue server = builder().historyStore(store).build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice");
        RawClient bob = RawClient.connectAs(server.port(), "bob")) {
      String epoch = ok(bob.request(Wire.JOIN, Map.of("roomId", "chat"))).path("epoch").asText();
      ok(alice.request(Wire.JOIN, Map.of("roomId", "chat")));
      store.failNext = true;
      JsonNode failed = alice.request(Wire.TRIGGER, request);
      assertThat(failed.path("ok").asBoolean()).as("%s", failed).isFalse();
      assertThat(failed.path("error").path("code").asText()).isEqualTo("INTERNAL_ERROR");
      assertThat(failed.path("error").path("message").asText())
          .contains("retry with the same clientMessageId");
      bob.barrier();
      assertThat(bob.received(Wire.EVENT)).as("the failed event was never delivered").isEmpty();
      assertThat(server.room("chat").orElseThrow().offset()).isZero();

      JsonNode retried = ok(alice.request(Wire.TRIGGER, request));
      assertThat(retried.has("duplicate")).as("published anew, not a duplicate").isFalse();
      assertThat(retried.path("offset").asLong()).isEqualTo(2); // offset 1 stays unused
      RawClient.Received event = bob.take(Wire.EVENT);
      assertThat(event.data().path("offset").asLong()).isEqualTo(2);
      assertThat(event.data().path("data").path("text").asText()).isEqualTo("retried");
      JsonNode again = ok(alice.request(Wire.TRIGGER, request));
      assertThat(again.path("duplicate").asBoolean()).isTrue();
      assertThat(again.path("offset").asLong()).isEqualTo(2);
      // Recovery across the unused offset cannot prove it has everything: recovered false.
      try (RawClient carol = RawClient.connectAs(server.port(), "carol")) {
        assertThat(ok(carol.request(Wire.JOIN, since(0, epoch))).path("recovered").asBoolean())
            .isFalse();
      }
    }
  }

  @Test
  void answersWaitingForTheStore_countAgainstPendingRequests() throws Exception {
    JdbcDataSource h2 = new JdbcDataSource();
    h2.setURL("jdbc:h2:file:" + dir.resolve("limit"));
    GatedDataSource gated = new GatedDataSource(h2);
    try (Dialogue server =
            builder()
                .maxPendingRequests(3)
                .historyStore(JdbcHistoryStore.builder(gated).build())
                .build()
                .start();
        RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      ok(alice.request(Wire.JOIN, Map.of("roomId", "chat")));
      gated.shut();
      List<CompletableFuture<JsonNode>> acks = new ArrayList<>();
      RealConnection connection = (RealConnection) server.clients("alice").get(0);
      for (int i = 0; i < 3; i++) {
        acks.add(alice.requestAsync(Wire.TRIGGER, trigger("m" + i)));
        int handled = i + 1; // handled, so its answer is what is pending now
        TestServers.awaitState(handled + " waiting", () -> connection.unanswered() == handled);
      }
      CompletableFuture<JsonNode> fourth = alice.requestAsync(Wire.TRIGGER, trigger("too many"));
      // The refusal is an answer too, queued behind the three: the server has decided.
      TestServers.awaitState("four answers waiting", () -> connection.unanswered() == 4);
      gated.open();
      for (CompletableFuture<JsonNode> ack : acks) {
        ok(ack.get(10, TimeUnit.SECONDS));
      }
      JsonNode refused = fourth.get(10, TimeUnit.SECONDS);
      assertThat(refused.path("ok").asBoolean()).isFalse();
      assertThat(refused.path("error").path("code").asText()).isEqualTo("RATE_LIMITED");
      assertThat(refused.path("error").path("message").asText()).contains("limit 3");
      assertThat(server.room("chat").orElseThrow().offset()).isEqualTo(3);
    }
  }

  @Test
  void restartOnTheSameStore_keepsTheEpoch_continuesOffsets_andServesOlderHistory() {
    String url = "jdbc:h2:file:" + dir.resolve("restart");
    EventDefinition<TestServers.Message> small =
        EventDefinition.builder("message", TestServers.Message.class).history(2).build();
    RoomConfig chat =
        RoomConfig.builder("chat", "Chat").events(small).defaultSubscriptions("message").build();
    Supplier<Dialogue> onTheStore =
        () ->
            Dialogue.builder()
                .host("127.0.0.1")
                .port(0)
                .room(chat)
                .historyStore(JdbcHistoryStore.builder(url).build())
                .build()
                .start();
    String epoch;
    try (Dialogue first = onTheStore.get();
        RawClient alice = RawClient.connectAs(first.port(), "alice")) {
      epoch = ok(alice.request(Wire.JOIN, Map.of("roomId", "chat"))).path("epoch").asText();
      for (int i = 1; i <= 5; i++) {
        ok(alice.request(Wire.TRIGGER, trigger("m" + i)));
      }
    }
    try (Dialogue second = onTheStore.get();
        RawClient alice = RawClient.connectAs(second.port(), "alice")) {
      JsonNode joined = ok(alice.request(Wire.JOIN, since(2, epoch)));
      assertThat(joined.path("epoch").asText()).isEqualTo(epoch);
      assertThat(joined.path("offset").asLong()).isEqualTo(5);
      assertThat(joined.path("recovered").asBoolean()).isTrue();
      List<String> missed = new ArrayList<>();
      joined.path("missed").forEach(m -> missed.add(m.path("data").path("text").asText()));
      assertThat(missed).containsExactly("m3", "m4", "m5");
      assertThat(ok(alice.request(Wire.TRIGGER, trigger("m6"))).path("offset").asLong())
          .isEqualTo(6);

      JsonNode page =
          ok(
              alice.request(
                  Wire.GET_HISTORY,
                  Map.of("roomId", "chat", "eventName", "message", "start", 0, "end", 10)));
      List<String> texts = new ArrayList<>();
      page.path("events").forEach(e -> texts.add(e.path("data").path("text").asText()));
      assertThat(texts).containsExactly("m6", "m5", "m4", "m3", "m2", "m1");
    }
  }

  @Test
  void repeatedClientMessageId_afterARestart_isFoundInTheStore() {
    String url = "jdbc:h2:file:" + dir.resolve("idempotent");
    Map<String, Object> request = new HashMap<>(trigger("once"));
    request.put("clientMessageId", "retry-after-crash");
    JsonNode first;
    try (Dialogue server =
            builder().historyStore(JdbcHistoryStore.builder(url).build()).build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      ok(alice.request(Wire.JOIN, Map.of("roomId", "chat")));
      first = ok(alice.request(Wire.TRIGGER, request));
    }
    try (Dialogue server =
            builder().historyStore(JdbcHistoryStore.builder(url).build()).build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      ok(alice.request(Wire.JOIN, Map.of("roomId", "chat")));
      JsonNode again = ok(alice.request(Wire.TRIGGER, request));
      assertThat(again.path("duplicate").asBoolean()).isTrue();
      assertThat(again.path("id").asText()).isEqualTo(first.path("id").asText());
      assertThat(again.path("offset").asLong()).isEqualTo(first.path("offset").asLong());
      assertThat(server.room("chat").orElseThrow().offset())
          .isEqualTo(first.path("offset").asLong());
    }
  }
}
