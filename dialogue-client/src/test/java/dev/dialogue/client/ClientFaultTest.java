package dev.dialogue.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dialogue.Decision;
import dev.dialogue.Dialogue;
import dev.dialogue.EventDefinition;
import dev.dialogue.RoomConfig;
import dev.dialogue.client.DialogueClientException.Fate;
import dev.dialogue.testing.CallbackRecorder;
import dev.dialogue.testing.FaultProxy;
import dev.dialogue.testing.FaultProxy.Direction;
import dev.dialogue.testing.FaultProxy.When;
import dev.dialogue.testing.RejoinCut;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Java client between a real server and a {@link FaultProxy}: connections reset and black-holed
 * (past the heartbeat) while acknowledged triggers flow, cuts at every moment of a re-join, and the
 * fate of every future.
 */
@Timeout(60)
class ClientFaultTest {
  public record Message(String text) {}

  static final EventDefinition<Message> MESSAGE =
      EventDefinition.builder("message", Message.class).history(10_000).build();

  private final List<AutoCloseable> closeables = new ArrayList<>();
  private final AtomicBoolean denyJoins = new AtomicBoolean();

  @AfterEach
  void closeAll() throws Exception {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      closeables.get(i).close();
    }
  }

  private Dialogue server() {
    Dialogue server =
        Dialogue.builder()
            .host("127.0.0.1")
            .port(0)
            .heartbeat(Duration.ofMillis(300), Duration.ofMillis(700))
            .joinPolicy(
                (connection, room) ->
                    denyJoins.get() ? Decision.deny("joins are closed") : Decision.allow())
            .room(
                RoomConfig.builder("chat", "Chat")
                    .events(MESSAGE)
                    .defaultSubscriptions("message")
                    .build())
            .build()
            .start();
    closeables.add(server);
    return server;
  }

  private FaultProxy proxy(Dialogue server) {
    FaultProxy proxy = FaultProxy.to(server.port());
    closeables.add(proxy);
    return proxy;
  }

  private DialogueClient.Builder clientBuilder(int port, String userId) {
    return DialogueClient.builder("http://127.0.0.1:" + port)
        .auth(Map.of("userId", userId))
        .requestTimeout(Duration.ofMillis(700))
        .connectTimeout(Duration.ofSeconds(15))
        .reconnectBackoff(Duration.ofMillis(50), Duration.ofMillis(200), 0.5);
  }

  private DialogueClient client(DialogueClient.Builder builder) {
    DialogueClient client = builder.build();
    closeables.add(client);
    return client;
  }

  private DialogueClient connected(int port, String userId) throws Exception {
    DialogueClient client = client(clientBuilder(port, userId));
    await(client.connect());
    return client;
  }

  private static <T> T await(CompletableFuture<T> future) throws Exception {
    return future.get(15, TimeUnit.SECONDS);
  }

  private static DialogueClientException failure(CompletableFuture<?> future) throws Exception {
    try {
      Object value = future.get(15, TimeUnit.SECONDS);
      throw new AssertionError("expected a failure, got " + value);
    } catch (java.util.concurrent.ExecutionException e) {
      assertThat(e.getCause()).isInstanceOf(DialogueClientException.class);
      return (DialogueClientException) e.getCause();
    }
  }

  /** Subscribes a recorder of "message" events. */
  private static CallbackRecorder<EventMessage> record(ClientRoom room) {
    CallbackRecorder<EventMessage> received = new CallbackRecorder<>();
    room.on("message", Message.class, (message, envelope) -> received.accept(envelope));
    return received;
  }

  /** Takes {@code n} events and checks they are {@code texts}, offsets rising by one. */
  private static void assertExactlyInOrder(
      CallbackRecorder<EventMessage> received, List<String> texts) {
    List<EventMessage> got = new ArrayList<>();
    for (int i = 0; i < texts.size(); i++) {
      got.add(received.next());
    }
    assertThat(got).extracting(e -> e.data(Message.class).text()).containsExactlyElementsOf(texts);
    for (int i = 1; i < got.size(); i++) {
      assertThat(got.get(i).offset()).isEqualTo(got.get(i - 1).offset() + 1);
    }
  }

  private static List<String> texts(String prefix, int n) {
    return IntStream.range(0, n).mapToObj(i -> prefix + i).toList();
  }

  // ---- exactly once under faults ----

  enum Fault {
    RESET,
    BLACK_HOLE_PAST_HEARTBEAT
  }

  @ParameterizedTest
  @EnumSource(Fault.class)
  void publisherAndSubscriberCutRepeatedly_everyTriggerArrivesOnceInOrder(Fault fault)
      throws Exception {
    Dialogue server = server();
    FaultProxy toPublisher = proxy(server);
    FaultProxy toSubscriber = proxy(server);
    DialogueClient publisher = connected(toPublisher.port(), "pub");
    DialogueClient subscriber = connected(toSubscriber.port(), "sub");
    ClientRoom out = await(publisher.join("chat"));
    CallbackRecorder<EventMessage> received = record(await(subscriber.join("chat")));
    AtomicInteger seenByServer = new AtomicInteger();
    server
        .room("chat")
        .orElseThrow()
        .on("message", (data, message) -> seenByServer.incrementAndGet());

    int n = fault == Fault.RESET ? 200 : 120;
    List<PendingTrigger> sent = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      sent.add(out.trigger("message", new Message("m" + i)));
      if (fault == Fault.RESET) {
        if (i % 20 == 10) {
          toPublisher.reset();
        } else if (i % 20 == 0) {
          toSubscriber.reset();
        }
      } else if (i == 30) {
        toPublisher.blackHole(Duration.ofMillis(1_200));
      } else if (i == 80) {
        toSubscriber.blackHole(Duration.ofMillis(1_200));
      }
      if (i >= 10) {
        await(sent.get(i - 10).result()); // at most ten in flight
      }
    }
    List<Long> offsets = new ArrayList<>();
    for (PendingTrigger p : sent) {
      offsets.add(await(p.result()).offset());
    }

    assertThat(offsets)
        .containsExactlyElementsOf(IntStream.rangeClosed(1, n).mapToObj(i -> (long) i).toList());
    assertExactlyInOrder(received, texts("m", n));
    await(out.trigger("message", new Message("end")).result());
    assertThat(received.next().data(Message.class).text()).isEqualTo("end");
    assertThat(received.pending()).isEmpty();
    assertThat(seenByServer.get()).isEqualTo(n + 1);
    assertThat(toPublisher.resets() + toSubscriber.resets()).isPositive();
  }

  @Test
  void triggerBlackHoledThenRestored_isConfirmedOnceWithItsOffset() throws Exception {
    Dialogue server = server();
    FaultProxy proxy = proxy(server);
    DialogueClient publisher = connected(proxy.port(), "pub");
    DialogueClient subscriber = connected(server.port(), "sub");
    ClientRoom out = await(publisher.join("chat"));
    CallbackRecorder<EventMessage> received = record(await(subscriber.join("chat")));
    CallbackRecorder<String> disconnects = new CallbackRecorder<>();
    publisher.onDisconnect(disconnects);

    proxy.blackHole();
    PendingTrigger pending = out.trigger("message", new Message("held"));
    disconnects.next(); // the heartbeat gave up on the held connection
    proxy.restore();
    Published published = await(pending.result());

    EventMessage event = received.next();
    assertThat(event.clientMessageId()).isEqualTo(pending.clientMessageId());
    assertThat(published.offset()).isEqualTo(event.offset()).isEqualTo(1L);
    await(out.trigger("message", new Message("next")).result());
    assertThat(received.next().data(Message.class).text()).isEqualTo("next");
    assertThat(server.room("chat").orElseThrow().history("message", 0, 10))
        .extracting(dev.dialogue.EventMessage::clientMessageId)
        .containsOnlyOnce(pending.clientMessageId())
        .hasSize(2);
  }

  // ---- re-join interrupted at every moment ----

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 2, 10})
  void cutsRightAfterReconnecting_leaveTheRoomJoined(int delayMillis) throws Exception {
    Dialogue server = server();
    FaultProxy proxy = proxy(server);
    DialogueClient client = connected(proxy.port(), "sub");
    ClientRoom room = await(client.join("chat"));
    CallbackRecorder<EventMessage> received = record(room);
    ScheduledExecutorService cutter = Executors.newSingleThreadScheduledExecutor();
    closeables.add(cutter::shutdownNow);
    AtomicInteger connects = new AtomicInteger();
    CompletableFuture<Void> cutTwice = new CompletableFuture<>();
    client.onConnect(
        () -> {
          int n = connects.incrementAndGet();
          if (n <= 2) {
            cutter.schedule(
                () -> {
                  proxy.reset();
                  if (n == 2) {
                    cutTwice.complete(null);
                  }
                },
                delayMillis,
                TimeUnit.MILLISECONDS);
          }
        });

    proxy.reset();
    dev.dialogue.Room chat = server.room("chat").orElseThrow();
    chat.trigger("message", new Message("during 0"));
    await(cutTwice);
    chat.trigger("message", new Message("during 1"));
    chat.trigger("message", new Message("after"));

    assertExactlyInOrder(received, List.of("during 0", "during 1", "after"));
    assertThat(client.room("chat")).contains(room);
    assertThat(room.joined()).isTrue();
    assertThat(connects.get()).isGreaterThanOrEqualTo(3);
  }

  @ParameterizedTest
  @EnumSource(RejoinCut.class)
  void cutDuringTheRejoin_isRetriedOnTheNextConnection(RejoinCut cut) throws Exception {
    Dialogue server = server();
    FaultProxy proxy = proxy(server);
    DialogueClient client = connected(proxy.port(), "sub");
    ClientRoom room = await(client.join("chat"));
    CallbackRecorder<EventMessage> received = record(room);
    CallbackRecorder<DialogueClientException> errors = new CallbackRecorder<>();
    client.onError(errors);
    dev.dialogue.Room chat = server.room("chat").orElseThrow();
    chat.trigger("message", new Message("before"));
    assertExactlyInOrder(received, List.of("before"));

    CompletableFuture<Void> cutDone = proxy.cutWhen(cut.direction, cut.marker, cut.when);
    proxy.reset();
    chat.trigger("message", new Message("while away"));
    await(cutDone);
    chat.trigger("message", new Message("after"));

    assertExactlyInOrder(received, List.of("while away", "after"));
    assertThat(client.room("chat")).contains(room);
    assertThat(errors.pending()).isEmpty();
  }

  @Test
  void rejoin_carriesTheSubscriptions_soNoEventPassesByBeforeTheirRestore() throws Exception {
    Dialogue server = server();
    FaultProxy proxy = proxy(server);
    DialogueClient client = connected(proxy.port(), "sub");
    ClientRoom room = await(client.join("chat"));
    CallbackRecorder<EventMessage> received = record(room);
    await(client.listRooms()); // the subscription is answered

    // Completes only if a re-join carries them (then cuts it: the next connection re-joins).
    CompletableFuture<Void> carried =
        proxy.cutWhen(Direction.UPSTREAM, "\"subscribe\":[\"message\"]", When.AFTER);
    proxy.reset();
    await(carried);
    server.room("chat").orElseThrow().trigger("message", new Message("after"));

    assertExactlyInOrder(received, List.of("after"));
  }

  @Test
  void rejoinRefused_removesTheRoomAndSaysSo() throws Exception {
    Dialogue server = server();
    FaultProxy proxy = proxy(server);
    DialogueClient client = connected(proxy.port(), "sub");
    ClientRoom room = await(client.join("chat"));
    CallbackRecorder<DialogueClientException> removed = new CallbackRecorder<>();
    room.onRemoved(removed);
    CallbackRecorder<DialogueClientException> errors = new CallbackRecorder<>();
    client.onError(errors);

    denyJoins.set(true);
    proxy.reset();

    assertThat(removed.next().code()).isEqualTo("JOIN_DENIED");
    DialogueClientException error = errors.next();
    assertThat(error.code()).isEqualTo("JOIN_DENIED");
    assertThat(error.getMessage()).contains("chat").contains("joins are closed");
    assertThat(room.joined()).isFalse();
    assertThat(client.room("chat")).isEmpty();
  }

  // ---- handlers registered right after the join ----

  @Test
  void handlerRegisteredAfterJoinCompletes_seesEveryEventAfterTheJoin() throws Exception {
    Dialogue server = server();
    DialogueClient publisher = connected(server.port(), "pub");
    DialogueClient subscriber = connected(server.port(), "sub");
    ClientRoom out = await(publisher.join("chat"));
    ClientRoom room = await(subscriber.join("chat"));
    for (int i = 0; i < 50; i++) {
      out.trigger("message", new Message("early " + i));
    }
    long last = await(out.trigger("message", new Message("early 50")).result()).offset();
    await(subscriber.listRooms()); // answered after the events reached the subscriber
    assertThat(room.lastOffset()).isEqualTo(last); // delivered before any handler existed

    CallbackRecorder<EventMessage> received = record(room);
    CallbackRecorder<EventMessage> any = new CallbackRecorder<>();
    room.onAny(any);
    await(out.trigger("message", new Message("late")).result());

    List<String> expected = new ArrayList<>(texts("early ", 51));
    expected.add("late");
    assertExactlyInOrder(received, expected);
    assertThat(any.next().data(Message.class).text()).isEqualTo("late"); // the named one took them
  }

  // ---- every future completes ----

  @Test
  void close_failsEveryFutureWithClosed_sentOnesUnknown() throws Exception {
    Dialogue server = server();
    FaultProxy proxy = proxy(server);
    DialogueClient client = client(clientBuilder(proxy.port(), "pub").maxTriggersInFlight(2));
    await(client.connect());
    ClientRoom room = await(client.join("chat"));
    proxy.blackHole();
    List<PendingTrigger> pending = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      pending.add(room.trigger("message", new Message("t" + i)));
    }
    CompletableFuture<List<RoomInfo>> list = client.listRooms();

    client.close();

    for (int i = 0; i < 4; i++) {
      DialogueClientException e = failure(pending.get(i).result());
      assertThat(e.code()).isEqualTo("CLOSED");
      assertThat(e.fate()).isEqualTo(i < 2 ? Fate.UNKNOWN : Fate.NOT_SENT);
    }
    assertThat(failure(list).code()).isEqualTo("CLOSED");
    DialogueClientException late = failure(room.trigger("message", new Message("late")).result());
    assertThat(late.code()).isEqualTo("CLOSED");
    assertThat(late.fate()).isEqualTo(Fate.NOT_SENT);
    assertThat(failure(client.connect()).code()).isEqualTo("CLOSED");
    assertThat(failure(client.join("other")).code()).isEqualTo("CLOSED");
    assertThat(client.pendingTriggers()).isZero();
  }

  @Test
  void disconnect_failsTriggersInFlightWithDisconnected() throws Exception {
    Dialogue server = server();
    FaultProxy proxy = proxy(server);
    DialogueClient client = connected(proxy.port(), "pub");
    ClientRoom room = await(client.join("chat"));
    proxy.blackHole();
    PendingTrigger pending = room.trigger("message", new Message("held"));

    client.disconnect();

    DialogueClientException e = failure(pending.result());
    assertThat(e.code()).isEqualTo("DISCONNECTED");
    assertThat(e.fate()).isEqualTo(Fate.UNKNOWN);
    DialogueClientException after = failure(room.trigger("message", new Message("x")).result());
    assertThat(after.code()).isEqualTo("NOT_CONNECTED");
    assertThat(after.fate()).isEqualTo(Fate.NOT_SENT);
  }

  @Test
  void withReconnectOff_aLostConnectionFailsWhatWaits_andLaterTriggersAreNotSent()
      throws Exception {
    Dialogue server = server();
    FaultProxy proxy = proxy(server);
    DialogueClient client = client(clientBuilder(proxy.port(), "pub").reconnect(false));
    await(client.connect());
    ClientRoom room = await(client.join("chat"));
    CallbackRecorder<ConnectionState> states = new CallbackRecorder<>();
    client.onStateChange((state, reason) -> states.accept(state));
    proxy.blackHole();
    PendingTrigger inFlight = room.trigger("message", new Message("held"));
    CompletableFuture<List<RoomInfo>> list = client.listRooms();

    proxy.reset();
    assertThat(states.next()).isEqualTo(ConnectionState.DISCONNECTED);

    DialogueClientException lost = failure(inFlight.result());
    assertThat(lost.code()).isEqualTo("DISCONNECTED");
    assertThat(lost.fate()).isEqualTo(Fate.UNKNOWN);
    assertThat(failure(list).code()).isIn("DISCONNECTED", "TIMEOUT");
    DialogueClientException later = failure(room.trigger("message", new Message("x")).result());
    assertThat(later.code()).isEqualTo("NOT_CONNECTED");
    assertThat(later.fate()).isEqualTo(Fate.NOT_SENT);
    assertThat(failure(client.listRooms()).code()).isEqualTo("NOT_CONNECTED");
    assertThat(client.pendingTriggers()).isZero();
  }

  @Test
  void cancelAndDeadline_sayWhetherTheTriggerHadLeftTheClient() throws Exception {
    Dialogue server = server();
    FaultProxy proxy = proxy(server);
    DialogueClient client =
        client(clientBuilder(proxy.port(), "pub").triggerDeadline(Duration.ofMillis(1_500)));
    await(client.connect());
    ClientRoom room = await(client.join("chat"));
    AtomicInteger seenByServer = new AtomicInteger();
    server
        .room("chat")
        .orElseThrow()
        .on("message", (data, message) -> seenByServer.incrementAndGet());
    CallbackRecorder<ConnectionState> states = new CallbackRecorder<>();
    client.onStateChange((state, reason) -> states.accept(state));

    proxy.blackHole();
    PendingTrigger sentThenCancelled = room.trigger("message", new Message("a"));
    PendingTrigger expires = room.trigger("message", new Message("b"));
    while (states.next() != ConnectionState.RECONNECTING) {
      // the heartbeat gave up; what follows waits offline
    }
    proxy.refuse(true);
    PendingTrigger queuedThenCancelled = room.trigger("message", new Message("c"));

    assertThat(sentThenCancelled.cancel()).isTrue();
    assertThat(queuedThenCancelled.cancel()).isTrue();
    assertThat(queuedThenCancelled.cancel()).isFalse();
    DialogueClientException cancelled = failure(sentThenCancelled.result());
    assertThat(cancelled.code()).isEqualTo("CANCELLED");
    assertThat(cancelled.fate()).isEqualTo(Fate.UNKNOWN);
    DialogueClientException notSent = failure(queuedThenCancelled.result());
    assertThat(notSent.code()).isEqualTo("CANCELLED");
    assertThat(notSent.fate()).isEqualTo(Fate.NOT_SENT);
    DialogueClientException expired = failure(expires.result());
    assertThat(expired.code()).isEqualTo("DEADLINE_EXCEEDED");
    assertThat(expired.fate()).isEqualTo(Fate.UNKNOWN);
    assertThat(client.pendingTriggers()).isZero();

    proxy.restore();
    await(room.trigger("message", new Message("d")).result());
    List<String> stored =
        server.room("chat").orElseThrow().history("message", 0, 10).stream()
            .map(e -> e.data().path("text").asText())
            .toList();
    assertThat(stored).doesNotContain("c").doesNotHaveDuplicates().contains("d");
    assertThat(seenByServer.get()).isEqualTo(stored.size()); // a and b may have arrived; c never
  }

  @Test
  void triggersExpiredOrCancelledInTheQueue_areNeverSentAfterwards() throws Exception {
    Dialogue server = server();
    FaultProxy proxy = proxy(server);
    DialogueClient client =
        client(clientBuilder(proxy.port(), "pub").triggerDeadline(Duration.ofMillis(700)));
    await(client.connect());
    ClientRoom room = await(client.join("chat"));
    CallbackRecorder<ConnectionState> states = new CallbackRecorder<>();
    client.onStateChange((state, reason) -> states.accept(state));

    proxy.refuse(true);
    proxy.reset();
    while (states.next() != ConnectionState.RECONNECTING) {
      // every attempt is refused: triggers wait in the queue
    }
    PendingTrigger expires = room.trigger("message", new Message("expired"));
    PendingTrigger cancelled = room.trigger("message", new Message("cancelled"));
    assertThat(cancelled.cancel()).isTrue();
    DialogueClientException expired = failure(expires.result());
    assertThat(expired.code()).isEqualTo("DEADLINE_EXCEEDED");
    assertThat(expired.fate()).isEqualTo(Fate.NOT_SENT);
    assertThat(failure(cancelled.result()).fate()).isEqualTo(Fate.NOT_SENT);

    proxy.refuse(false);
    await(room.trigger("message", new Message("after")).result());
    assertThat(server.room("chat").orElseThrow().history("message", 0, 10))
        .extracting(e -> e.data().path("text").asText())
        .containsExactly("after");
  }

  // ---- scheduler hygiene ----

  @Test
  void confirmedTriggers_leaveNoScheduledTasksBehind() throws Exception {
    Dialogue server = server();
    DialogueClient client = connected(server.port(), "pub");
    ClientRoom room = await(client.join("chat"));
    for (int batch = 0; batch < 10; batch++) {
      List<PendingTrigger> sent = new ArrayList<>();
      for (int i = 0; i < 500; i++) {
        sent.add(room.trigger("message", new Message("b" + batch + " " + i)));
      }
      for (PendingTrigger p : sent) {
        await(p.result());
      }
    }
    assertThat(client.scheduledTasks()).isLessThan(10);
    assertThat(client.pendingTriggers()).isZero();
  }
}
