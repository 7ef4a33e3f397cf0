package dev.dialogue.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dialogue.ClientConnection;
import dev.dialogue.Decision;
import dev.dialogue.Dialogue;
import dev.dialogue.DialogueListener;
import dev.dialogue.EventDefinition;
import dev.dialogue.Room;
import dev.dialogue.RoomConfig;
import dev.dialogue.testing.Await;
import dev.dialogue.testing.CallbackRecorder;
import dev.dialogue.testing.FaultProxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The losses of issue 14 over real sockets: events the server sends right after a join (before the
 * application's handlers exist), events for a join still waiting for its answer, and rooms the
 * server joins or leaves for the client.
 */
@Timeout(60)
class NoLostEventsTest {
  public record Message(String text) {}

  static final EventDefinition<Message> MESSAGE =
      EventDefinition.builder("message", Message.class).history(5_000).build();

  private final List<AutoCloseable> closeables = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      closeables.get(i).close();
    }
  }

  private Dialogue server(Dialogue.Builder builder) {
    Dialogue server =
        builder
            .host("127.0.0.1")
            .port(0)
            .room(
                RoomConfig.builder("chat", "Chat")
                    .events(MESSAGE)
                    .defaultSubscriptions("message")
                    .build(),
                RoomConfig.builder("lobby", "Lobby").anyEvent().defaultSubscriptions("*").build(),
                RoomConfig.builder("quiet", "Quiet").anyEvent().build())
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

  /** Cuts the client off, runs {@code whileAway} once the server has forgotten it, lets it back. */
  private static void away(Dialogue server, FaultProxy proxy, String userId, Runnable whileAway) {
    proxy.refuse(true);
    proxy.reset();
    eventually("the server forgot " + userId, () -> server.clients(userId).isEmpty());
    whileAway.run();
    proxy.refuse(false);
  }

  private DialogueClient client(int port, String userId) {
    DialogueClient client =
        DialogueClient.builder("http://127.0.0.1:" + port)
            .auth(Map.of("userId", userId))
            .reconnectBackoff(Duration.ofMillis(50), Duration.ofMillis(200), 0.5)
            .build();
    closeables.add(client);
    return client;
  }

  private static <T> T await(CompletableFuture<T> future) throws Exception {
    return future.get(15, TimeUnit.SECONDS);
  }

  static void eventually(String what, BooleanSupplier condition) {
    Await.until(what, CallbackRecorder.DEFAULT_TIMEOUT, condition);
  }

  @Test
  void eventsFromOnJoined_reachAHandlerRegisteredAfterTheJoinAnswer() throws Exception {
    Dialogue server =
        server(
            Dialogue.builder()
                .listener(
                    new DialogueListener() {
                      @Override
                      public void onJoined(ClientConnection client, Room room) {
                        for (int i = 1; i <= 5; i++) {
                          room.trigger("message", new Message("welcome " + i));
                        }
                      }
                    }));
    DialogueClient alice = client(server.port(), "alice");
    await(alice.connect());
    ClientRoom chat = await(alice.join("chat"));
    CallbackRecorder<EventMessage> received = new CallbackRecorder<>();
    chat.on("message", Message.class, (m, e) -> received.accept(e));
    for (int i = 1; i <= 5; i++) {
      assertThat(received.next().data(Message.class).text()).isEqualTo("welcome " + i);
    }
    assertThat(chat.lastOffset()).isEqualTo(5);
  }

  @Test
  void aBurstPastTheBound_beforeAnyHandler_isReportedThroughOnError() throws Exception {
    int burst = ClientRoom.MAX_KEPT + 100;
    Dialogue server =
        server(
            Dialogue.builder()
                .listener(
                    new DialogueListener() {
                      @Override
                      public void onJoined(ClientConnection client, Room room) {
                        for (int i = 1; i <= burst; i++) {
                          room.trigger("message", new Message("n" + i));
                        }
                        client.send("burstDone", Map.of());
                      }
                    }));
    DialogueClient alice = client(server.port(), "alice");
    CallbackRecorder<DialogueClientException> errors = new CallbackRecorder<>();
    alice.onError(errors);
    CallbackRecorder<Object> done = new CallbackRecorder<>();
    alice.on("burstDone", Object.class, done);
    await(alice.connect());
    ClientRoom chat = await(alice.join("chat"));
    done.next(); // every event of the burst has reached the client, none had a handler
    CallbackRecorder<String> texts = new CallbackRecorder<>();
    chat.on("message", Message.class, m -> texts.accept(m.text()));
    DialogueClientException dropped = errors.next();
    assertThat(dropped.code()).isEqualTo("EVENTS_DROPPED");
    assertThat(dropped.getMessage())
        .contains("chat")
        .contains(Integer.toString(ClientRoom.MAX_KEPT));
    assertThat(texts.next()).isEqualTo("n101"); // the oldest 100 were dropped
    assertThat(errors.pending()).isEmpty(); // one report, not one per event
  }

  @Test
  void eventsForAJoinStillWaitingForItsAnswer_areKeptForTheRoom() throws Exception {
    CountDownLatch policyEntered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Dialogue server =
        server(
            Dialogue.builder()
                .joinPolicy(
                    (connection, room) -> {
                      policyEntered.countDown();
                      release.await(15, TimeUnit.SECONDS);
                      return Decision.allow();
                    }));
    DialogueClient alice = client(server.port(), "alice");
    await(alice.connect());
    CompletableFuture<ClientRoom> joining = alice.join("chat");
    assertThat(policyEntered.await(15, TimeUnit.SECONDS)).isTrue();
    // Server code joins the same room meanwhile (no policy) and publishes into it.
    server.clients("alice").get(0).join("chat");
    for (int i = 1; i <= 3; i++) {
      server.trigger("chat", "message", new Message("early " + i));
    }
    release.countDown();
    ClientRoom chat = await(joining);
    CallbackRecorder<String> texts = new CallbackRecorder<>();
    chat.on("message", Message.class, m -> texts.accept(m.text()));
    for (int i = 1; i <= 3; i++) {
      assertThat(texts.next()).isEqualTo("early " + i);
    }
  }

  @Test
  void aRoomServerCodeJoins_becomesAClientRoom_withItsEvents() throws Exception {
    Dialogue server =
        server(
            Dialogue.builder()
                .listener(
                    new DialogueListener() {
                      @Override
                      public void onConnected(ClientConnection client) {
                        client.join("lobby");
                      }

                      @Override
                      public void onJoined(ClientConnection client, Room room) {
                        room.trigger("hello", Map.of("to", client.userId()));
                      }
                    }));
    DialogueClient alice = client(server.port(), "alice");
    await(alice.connect());
    eventually("the client keeps lobby", () -> alice.room("lobby").isPresent());
    CallbackRecorder<EventMessage> hellos = new CallbackRecorder<>();
    alice.room("lobby").orElseThrow().onAny(hellos);
    EventMessage hello = hellos.next();
    assertThat(hello.event()).isEqualTo("hello");
    assertThat(hello.data().path("to").asText()).isEqualTo("alice");
  }

  @Test
  void aServerSideLeave_closesTheClientRoom() throws Exception {
    Dialogue server = server(Dialogue.builder());
    DialogueClient alice = client(server.port(), "alice");
    await(alice.connect());
    ClientRoom chat = await(alice.join("chat"));
    CallbackRecorder<DialogueClientException> removed = new CallbackRecorder<>();
    chat.onRemoved(removed);
    CallbackRecorder<ClientRoom> left = new CallbackRecorder<>();
    alice.onLeft(left);
    assertThat(server.clients("alice").get(0).leave("chat")).isTrue();
    assertThat(removed.next().code()).isEqualTo("NOT_IN_ROOM");
    assertThat(left.next()).isSameAs(chat);
    assertThat(chat.joined()).isFalse();
    assertThat(alice.room("chat")).isEmpty();
  }

  @Test
  void handlersFromTheJoinSetup_getEventsOfNamesOutsideTheDefaultSubscriptions() throws Exception {
    Dialogue server =
        server(
            Dialogue.builder()
                .listener(
                    new DialogueListener() {
                      @Override
                      public void onJoined(ClientConnection client, Room room) {
                        room.trigger("ping", Map.of("n", 1));
                      }
                    }));
    DialogueClient alice = client(server.port(), "alice");
    await(alice.connect());
    CallbackRecorder<EventMessage> pings = new CallbackRecorder<>();
    List<Boolean> joinedInSetup = new ArrayList<>();
    ClientRoom quiet =
        await(
            alice.join(
                "quiet",
                room -> {
                  joinedInSetup.add(room.joined());
                  room.on("ping", Object.class, (data, envelope) -> pings.accept(envelope));
                }));
    assertThat(pings.next().data().path("n").asInt()).isEqualTo(1);
    assertThat(joinedInSetup).containsExactly(false);
    assertThat(quiet.joined()).isTrue();
    assertThat(alice.room("quiet")).containsSame(quiet);
    assertThat(server.clients("alice").get(0).subscriptions("quiet")).containsExactly("ping");
  }

  @Test
  void onJoined_announcesTheRoom_andItsHandlersSeeEveryEvent() throws Exception {
    Dialogue server =
        server(
            Dialogue.builder()
                .listener(
                    new DialogueListener() {
                      @Override
                      public void onConnected(ClientConnection client) {
                        client.join("lobby");
                      }

                      @Override
                      public void onJoined(ClientConnection client, Room room) {
                        for (int i = 1; i <= 3; i++) {
                          room.trigger("hello", Map.of("n", i));
                        }
                      }
                    }));
    DialogueClient alice = client(server.port(), "alice");
    CallbackRecorder<ClientRoom> joined = new CallbackRecorder<>();
    CallbackRecorder<Integer> hellos = new CallbackRecorder<>();
    alice.onJoined(
        room -> {
          joined.accept(room);
          room.on("hello", Object.class, (data, e) -> hellos.accept(e.data().path("n").asInt()));
        });
    await(alice.connect());
    ClientRoom lobby = joined.next();
    assertThat(lobby.id()).isEqualTo("lobby");
    assertThat(lobby.name()).isEqualTo("Lobby");
    assertThat(lobby.joined()).isTrue();
    assertThat(List.of(hellos.next(), hellos.next(), hellos.next())).containsExactly(1, 2, 3);
    assertThat(alice.room("lobby")).containsSame(lobby);
    assertThat(await(alice.join("lobby"))).isSameAs(lobby);
    assertThat(joined.pending()).isEmpty();
  }

  @Test
  void clientLevelHandlers_takeThePayload_orThePayloadAndAnEnvelope() throws Exception {
    Dialogue server = server(Dialogue.builder());
    DialogueClient alice = client(server.port(), "alice");
    CallbackRecorder<String> payloads = new CallbackRecorder<>();
    CallbackRecorder<EventMessage> envelopes = new CallbackRecorder<>();
    alice.on("notice", Message.class, m -> payloads.accept(m.text()));
    alice.on(
        "notice",
        Message.class,
        (m, e) -> {
          assertThat(e.data(Message.class)).isEqualTo(m);
          envelopes.accept(e);
        });
    await(alice.connect());
    server.clients("alice").get(0).send("notice", new Message("at five"));
    assertThat(payloads.next()).isEqualTo("at five");
    EventMessage envelope = envelopes.next();
    assertThat(envelope.event()).isEqualTo("notice");
    assertThat(envelope.data(Message.class).text()).isEqualTo("at five");
    assertThat(envelope.roomId()).isNull();
    assertThat(envelope.offset()).isNull();
  }

  @Test
  void onRejoined_saysWhetherTheReJoinRecoveredEverything() throws Exception {
    Dialogue server = server(Dialogue.builder().maxRecoveryEvents(3));
    FaultProxy proxy = proxy(server);
    DialogueClient alice = client(proxy.port(), "alice");
    await(alice.connect());
    CallbackRecorder<String> texts = new CallbackRecorder<>();
    CallbackRecorder<Rejoin> rejoins = new CallbackRecorder<>();
    ClientRoom chat =
        await(
            alice.join(
                "chat",
                room -> {
                  room.on("message", Message.class, m -> texts.accept(m.text()));
                  room.onRejoined(rejoin -> rejoins.accept(rejoin));
                }));

    away(server, proxy, "alice", () -> publish(server, "a", 3)); // within maxRecoveryEvents
    assertThat(rejoins.next()).isEqualTo(new Rejoin(true, 3));
    assertThat(texts.next()).isEqualTo("a 1"); // delivered before onRejoined
    texts.next();
    texts.next();

    away(server, proxy, "alice", () -> publish(server, "b", 4)); // one too many to recover
    assertThat(rejoins.next()).isEqualTo(new Rejoin(false, 0));
    assertThat(texts.pending()).isEmpty();
    assertThat(chat.joined()).isTrue();
  }

  private static void publish(Dialogue server, String prefix, int count) {
    for (int i = 1; i <= count; i++) {
      server.trigger("chat", "message", new Message(prefix + " " + i));
    }
  }

  @Test
  void aRoomServerCodeJoinedOnce_isRejoinedAfterACut_withTheEventsMissedMeanwhile()
      throws Exception {
    Dialogue server = server(Dialogue.builder());
    FaultProxy proxy = proxy(server);
    DialogueClient alice = client(proxy.port(), "alice");
    CallbackRecorder<ClientRoom> joined = new CallbackRecorder<>();
    CallbackRecorder<String> texts = new CallbackRecorder<>();
    alice.onJoined(
        room -> {
          joined.accept(room);
          room.on("message", Message.class, m -> texts.accept(m.text()));
        });
    await(alice.connect());
    server.clients("alice").get(0).join("chat"); // server code, once: not on every connection
    ClientRoom chat = joined.next();
    server.trigger("chat", "message", new Message("before"));
    assertThat(texts.next()).isEqualTo("before");
    assertThat(chat.lastOffset()).isEqualTo(1);

    away(
        server,
        proxy,
        "alice",
        () -> {
          for (int i = 1; i <= 3; i++) {
            server.trigger("chat", "message", new Message("away " + i));
          }
        });
    for (int i = 1; i <= 3; i++) {
      assertThat(texts.next()).isEqualTo("away " + i);
    }
    eventually(
        "alice is back in chat",
        () -> !server.clients("alice").isEmpty() && server.isInRoom("alice", "chat"));
    server.trigger("chat", "message", new Message("after"));
    assertThat(texts.next()).isEqualTo("after");
    assertThat(texts.pending()).isEmpty();
    assertThat(joined.pending()).isEmpty();
    assertThat(alice.room("chat")).containsSame(chat);
    assertThat(chat.lastOffset()).isEqualTo(5);
  }

  @Test
  void aRoomTheServerJoinsOnEveryConnection_staysOneRoom_andRecoversWhatWasPublishedMeanwhile()
      throws Exception {
    Dialogue server =
        server(
            Dialogue.builder()
                .listener(
                    new DialogueListener() {
                      @Override
                      public void onConnected(ClientConnection client) {
                        client.join("chat");
                      }
                    }));
    FaultProxy proxy = proxy(server);
    DialogueClient alice = client(proxy.port(), "alice");
    CallbackRecorder<ClientRoom> joined = new CallbackRecorder<>();
    CallbackRecorder<String> texts = new CallbackRecorder<>();
    CallbackRecorder<DialogueClientException> errors = new CallbackRecorder<>();
    alice.onError(errors);
    alice.onJoined(
        room -> {
          joined.accept(room);
          room.on("message", Message.class, m -> texts.accept(m.text()));
        });
    await(alice.connect());
    ClientRoom chat = joined.next();
    server.trigger("chat", "message", new Message("before"));
    assertThat(texts.next()).isEqualTo("before");

    // A cut with nothing published meanwhile: nothing to report.
    away(server, proxy, "alice", () -> {});
    eventually("alice is back in chat", () -> server.isInRoom("alice", "chat"));
    server.trigger("chat", "message", new Message("between"));
    assertThat(texts.next()).isEqualTo("between");
    assertThat(errors.pending()).isEmpty();

    away(
        server,
        proxy,
        "alice",
        () -> {
          server.trigger("chat", "message", new Message("away 1"));
          server.trigger("chat", "message", new Message("away 2"));
        });
    // The client named "chat" among the rooms it re-joins (auth.rejoin): the server's join in
    // onConnected waits for that re-join, which recovers by offset.
    assertThat(texts.next()).isEqualTo("away 1");
    assertThat(texts.next()).isEqualTo("away 2");
    eventually("alice is back in chat", () -> server.isInRoom("alice", "chat"));
    server.trigger("chat", "message", new Message("after"));
    assertThat(texts.next()).isEqualTo("after");
    assertThat(texts.pending()).isEmpty();
    assertThat(joined.pending()).isEmpty(); // the same room throughout, announced once
    assertThat(alice.room("chat")).containsSame(chat);
    assertThat(chat.lastOffset()).isEqualTo(5);
    assertThat(errors.pending()).isEmpty();
  }

  @Test
  void aRejoinRetry_isCancelledWhenTheRoomIsLeft() throws Exception {
    java.util.concurrent.atomic.AtomicBoolean failJoins =
        new java.util.concurrent.atomic.AtomicBoolean();
    java.util.concurrent.atomic.AtomicInteger failed =
        new java.util.concurrent.atomic.AtomicInteger();
    Dialogue server =
        server(
            Dialogue.builder()
                .joinPolicy(
                    (connection, room) -> {
                      if (failJoins.get()) {
                        failed.incrementAndGet();
                        throw new IllegalStateException("the policy's store is down");
                      }
                      return Decision.allow();
                    }));
    FaultProxy proxy = proxy(server);
    DialogueClient alice =
        DialogueClient.builder("http://127.0.0.1:" + proxy.port())
            .auth(Map.of("userId", "alice"))
            .reconnectBackoff(Duration.ofMillis(1_500), Duration.ofSeconds(30), 0)
            .build();
    closeables.add(alice);
    await(alice.connect());
    ClientRoom chat = await(alice.join("chat"));
    failJoins.set(true); // INTERNAL_ERROR: the client retries the re-join after 1.5 s, 3 s...
    proxy.reset();
    eventually("the re-join was refused", () -> failed.get() >= 1);
    await(alice.listRooms()); // answered after the refusal, so the client has read it
    assertThat(alice.scheduledTasks()).as("the retry waiting").isEqualTo(1);
    await(chat.leave());
    long left = System.nanoTime();
    eventually("no task is left", () -> alice.scheduledTasks() == 0);
    // The retry waits 1.5 s: without the cancellation it would still be there.
    assertThat(Duration.ofNanos(System.nanoTime() - left)).isLessThan(Duration.ofMillis(700));
    assertThat(failed.get()).isEqualTo(1);
  }

  @Test
  void theBuilder_isCopiedAtBuild() throws Exception {
    Dialogue server = server(Dialogue.builder());
    DialogueClient.Builder builder =
        DialogueClient.builder("http://127.0.0.1:" + server.port()).auth(Map.of("userId", "alice"));
    DialogueClient alice = builder.build();
    closeables.add(alice);
    builder.auth(Map.of("userId", "mallory")).path("/elsewhere");
    await(alice.connect());
    assertThat(alice.userId()).isEqualTo("alice");
  }
}
