package dev.dialogue.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dialogue.ClientConnection;
import dev.dialogue.Decision;
import dev.dialogue.Dialogue;
import dev.dialogue.DialogueListener;
import dev.dialogue.EventDefinition;
import dev.dialogue.Room;
import dev.dialogue.RoomConfig;
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
                RoomConfig.builder("lobby", "Lobby").anyEvent().defaultSubscriptions("*").build())
            .build()
            .start();
    closeables.add(server);
    return server;
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
    long deadline = System.nanoTime() + Recorder.TIMEOUT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + Recorder.TIMEOUT + ": " + what);
      }
      Thread.onSpinWait();
      try {
        TimeUnit.MILLISECONDS.sleep(5); // polling, not waiting for an outcome
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
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
    Recorder<EventMessage> received = new Recorder<>();
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
    Recorder<DialogueClientException> errors = new Recorder<>();
    alice.onError(errors);
    Recorder<Object> done = new Recorder<>();
    alice.on("burstDone", Object.class, done);
    await(alice.connect());
    ClientRoom chat = await(alice.join("chat"));
    done.next(); // every event of the burst has reached the client, none had a handler
    Recorder<String> texts = new Recorder<>();
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
    Recorder<String> texts = new Recorder<>();
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
    Recorder<EventMessage> hellos = new Recorder<>();
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
    Recorder<DialogueClientException> removed = new Recorder<>();
    chat.onRemoved(removed);
    assertThat(server.clients("alice").get(0).leave("chat")).isTrue();
    assertThat(removed.next().code()).isEqualTo("NOT_IN_ROOM");
    assertThat(chat.joined()).isFalse();
    assertThat(alice.room("chat")).isEmpty();
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
