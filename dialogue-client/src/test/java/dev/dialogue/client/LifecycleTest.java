package dev.dialogue.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dialogue.ClientConnection;
import dev.dialogue.Dialogue;
import dev.dialogue.DialogueListener;
import dev.dialogue.EventDefinition;
import dev.dialogue.Room;
import dev.dialogue.RoomConfig;
import dev.dialogue.testing.CallbackRecorder;
import dev.dialogue.testing.FaultProxy;
import dev.dialogue.testing.MutableClock;
import dev.dialogue.testing.RawClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Room lifecycle over real sockets (docs/lifecycle.md): empty runtime rooms disposed of after their
 * grace, and the disconnect grace, with connections cut and restored by a {@link FaultProxy} and
 * time moved by hand on the server's clock.
 */
@Timeout(60)
class LifecycleTest {
  public record Message(String text) {}

  static final EventDefinition<Message> MESSAGE =
      EventDefinition.builder("message", Message.class).history(1_000).build();

  private static final Duration GRACE = Duration.ofMinutes(1);

  private final List<AutoCloseable> closeables = new ArrayList<>();
  private final MutableClock clock = MutableClock.atFixedStart();
  private final Lines lines = new Lines();

  @AfterEach
  void closeAll() throws Exception {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      closeables.get(i).close();
    }
  }

  // ---- disposal of empty rooms ----

  @Test
  void emptyRuntimeRoom_isDeletedOnceItsGraceIsOver() throws Exception {
    Dialogue server = server(b -> {});
    DialogueClient alice = connected(server.port(), "alice");
    CallbackRecorder<String> deleted = new CallbackRecorder<>();
    alice.onRoomDeleted(
        id -> {
          if (!id.startsWith("sentinel")) {
            deleted.accept(id);
          }
        });
    server.createRoom(room("match").disposeWhenEmpty(GRACE).build());
    ClientRoom match = await(alice.join("match"));
    await(match.leave());
    lines.await("left alice match"); // the server has seen the room empty: its grace runs

    clock.advance(GRACE.minusSeconds(1));
    awaitDeadlinesPassed(server);
    assertThat(server.room("match")).isPresent();

    clock.advance(Duration.ofSeconds(2));
    assertThat(deleted.next()).isEqualTo("match");
    lines.await("roomDeleted match");
    assertThat(server.room("match")).isEmpty();
  }

  @Test
  void joinDuringTheGrace_cancelsTheDisposal_andTheGraceStartsAgainWhenEmpty() throws Exception {
    Dialogue server = server(b -> {});
    DialogueClient alice = connected(server.port(), "alice");
    server.createRoom(room("match").disposeWhenEmpty(GRACE).build()); // empty: its grace starts

    clock.advance(Duration.ofSeconds(30));
    ClientRoom match = await(alice.join("match"));
    clock.advance(GRACE.multipliedBy(3));
    awaitDeadlinesPassed(server);
    assertThat(server.room("match")).isPresent();

    await(match.leave());
    lines.await("left alice match"); // the server has seen the room empty: its grace runs
    clock.advance(GRACE.minusSeconds(1));
    awaitDeadlinesPassed(server);
    assertThat(server.room("match")).isPresent();
    clock.advance(Duration.ofSeconds(2));
    lines.await("roomDeleted match");
  }

  @Test
  void clientRoomsFollowTheServerDefault_configuredRoomsAreNeverDisposed() throws Exception {
    Dialogue server = server(b -> b.disposeEmptyClientRooms(GRACE).room(room("lobby").build()));
    DialogueClient alice = connected(server.port(), "alice");
    await(alice.createRoom("mine", "Mine", null, null));
    clock.advance(GRACE.plusSeconds(1));

    lines.await("roomDeleted mine");
    clock.advance(GRACE.multipliedBy(10));
    awaitDeadlinesPassed(server);
    assertThat(server.room("lobby")).isPresent();
    assertThat(lines.all()).doesNotContain("roomDeleted lobby");
  }

  @Test
  void theGraceOfAClientRoomRunsFromItsCreation_notFromWhenItsDisposalIsArmed() throws Exception {
    // The clock moves between the creation and the arming (here inside onRoomCreated, which runs
    // in between; in a CI run it was the test's own clock.advance right after the answer).
    DialogueListener movesTheClock =
        new DialogueListener() {
          @Override
          public void onRoomCreated(Room room) {
            if (room.id().equals("mine")) {
              clock.advance(GRACE.plusSeconds(1));
            }
          }
        };
    Dialogue server = server(b -> b.disposeEmptyClientRooms(GRACE).listener(movesTheClock));
    DialogueClient alice = connected(server.port(), "alice");
    await(alice.createRoom("mine", "Mine", null, null));

    lines.await("roomDeleted mine"); // due at creation + grace, which has passed
  }

  // ---- the disconnect grace ----

  @Test
  void cutWithinTheGrace_keepsTheSeatAndPresence_andRecoversWhatWasMissed() throws Exception {
    Dialogue server = server(b -> b.disconnectGrace(GRACE).room(duel()));
    FaultProxy proxy = proxy(server);
    DialogueClient alice = connected(proxy.port(), "alice");
    DialogueClient bob = connected(server.port(), "bob");
    CallbackRecorder<String> aliceGot = texts(await(alice.join("duel")));
    ClientRoom bobRoom = await(bob.join("duel"));
    CallbackRecorder<String> bobGot = texts(bobRoom);
    CallbackRecorder<String> bobSawPresence = new CallbackRecorder<>();
    bobRoom.onPresence(
        (joins, leaves) -> {
          if (joins.contains("alice") || leaves.contains("alice")) {
            bobSawPresence.accept("+" + joins + " -" + leaves);
          }
        });
    String aliceId = alice.clientId();

    proxy.refuse(true);
    proxy.reset();
    lines.await("dropped alice");
    server.trigger("duel", MESSAGE, new Message("while away 1"));
    server.trigger("duel", MESSAGE, new Message("while away 2"));
    DialogueClient carol = connected(server.port(), "carol");
    assertThat(failure(carol.join("duel")).code()).isEqualTo("ROOM_FULL");
    assertThat(server.room("duel").orElseThrow().presence()).contains("alice", "bob");

    proxy.restore();
    lines.await("resumed alice");
    assertThat(aliceGot.next()).isEqualTo("while away 1");
    assertThat(aliceGot.next()).isEqualTo("while away 2");
    server.trigger("duel", MESSAGE, new Message("after"));
    assertThat(aliceGot.next()).isEqualTo("after");
    assertThat(List.of(bobGot.next(), bobGot.next(), bobGot.next()))
        .containsExactly("while away 1", "while away 2", "after");

    assertThat(alice.clientId()).isEqualTo(aliceId);
    assertThat(aliceGot.pending()).isEmpty();
    assertThat(bobSawPresence.pending()).isEmpty();
    assertThat(lines.all())
        .doesNotContain("left alice duel", "gone alice", "disconnected alice")
        .containsOnlyOnce("joined alice duel", "connected alice");
    assertThat(failure(carol.join("duel")).code()).isEqualTo("ROOM_FULL");
  }

  @Test
  void cutPastTheGrace_freesTheSeat_andTheConnectionIsGone() throws Exception {
    Dialogue server = server(b -> b.disconnectGrace(GRACE).room(duel()));
    FaultProxy proxy = proxy(server);
    DialogueClient alice = connected(proxy.port(), "alice");
    DialogueClient bob = connected(server.port(), "bob");
    ClientRoom aliceRoom = await(alice.join("duel"));
    CallbackRecorder<DialogueClientException> aliceRemoved = new CallbackRecorder<>();
    aliceRoom.onRemoved(aliceRemoved);
    ClientRoom bobRoom = await(bob.join("duel"));
    CallbackRecorder<String> bobSawPresence = new CallbackRecorder<>();
    bobRoom.onPresence(
        (joins, leaves) -> {
          if (joins.contains("alice") || leaves.contains("alice")) {
            bobSawPresence.accept("+" + joins + " -" + leaves);
          }
        });
    String aliceId = alice.clientId();

    proxy.refuse(true);
    proxy.reset();
    lines.await("dropped alice");
    clock.advance(GRACE.plusSeconds(1));
    lines.await("gone alice");
    lines.await("disconnected alice");
    lines.await("left alice duel");
    assertThat(bobSawPresence.next()).isEqualTo("+[] -[alice]");
    DialogueClient carol = connected(server.port(), "carol");
    await(carol.join("duel"));

    proxy.restore(); // too late: a new connection, whose re-join finds the room full
    assertThat(aliceRemoved.next().code()).isEqualTo("ROOM_FULL");
    assertThat(alice.clientId()).isNotEqualTo(aliceId);
    assertThat(lines.all()).doesNotContain("resumed alice");
  }

  @Test
  void aTokenIsHonouredOnlyForItsUser_andOnlyOnce() throws Exception {
    Dialogue server = server(b -> b.disconnectGrace(GRACE).room(duel()));
    FaultProxy proxy = proxy(server);
    RawClient alice = raw(proxy.port(), Map.of("userId", "alice"));
    JsonNode connected = alice.awaitConnected();
    String token = connected.path("resumeToken").asText();
    assertThat(token).hasSizeGreaterThanOrEqualTo(22); // 128 random bits
    alice.join("duel");
    proxy.reset();
    lines.await("dropped alice");

    RawClient mallory = raw(server.port(), Map.of("userId", "mallory", "resume", token));
    JsonNode malloryConnected = mallory.awaitConnected();
    assertThat(malloryConnected.path("clientId").asText())
        .isNotEqualTo(connected.path("clientId").asText());
    assertThat(malloryConnected.has("resumed")).isFalse();
    lines.await("connected mallory");

    RawClient back = raw(server.port(), Map.of("userId", "alice", "resume", token));
    JsonNode resumed = back.awaitConnected();
    assertThat(resumed.path("resumed").asBoolean()).isTrue();
    assertThat(resumed.path("clientId").asText()).isEqualTo(connected.path("clientId").asText());
    assertThat(resumed.path("rooms").toString()).isEqualTo("[\"duel\"]");
    assertThat(resumed.path("resumeToken").asText()).isNotEqualTo(token);
    lines.await("resumed alice");

    RawClient again = raw(server.port(), Map.of("userId", "alice", "resume", token));
    JsonNode fresh = again.awaitConnected();
    assertThat(fresh.has("resumed")).isFalse();
    assertThat(fresh.path("clientId").asText()).isNotEqualTo(connected.path("clientId").asText());
    lines.await("connected alice", 2);
    assertThat(lines.all()).containsOnlyOnce("resumed alice").doesNotContain("gone alice");
    assertThat(server.room("duel").orElseThrow().participants())
        .extracting(ClientConnection::id)
        .containsExactly(connected.path("clientId").asText());
  }

  @Test
  void aClientThatSawTheDropFirst_takesItsConnectionOverFromTheSessionItGaveUp() throws Exception {
    Dialogue server = server(b -> b.disconnectGrace(GRACE).room(duel()));
    RawClient given = raw(server.port(), Map.of("userId", "alice"));
    JsonNode first = given.awaitConnected();
    given.join("duel");

    RawClient back =
        raw(server.port(), Map.of("userId", "alice", "resume", first.path("resumeToken").asText()));
    JsonNode resumed = back.awaitConnected();
    assertThat(resumed.path("resumed").asBoolean()).isTrue();
    assertThat(resumed.path("clientId").asText()).isEqualTo(first.path("clientId").asText());
    lines.await("resumed alice");
    given.take("disconnect"); // the server closed the session the client gave up
    // Its close reached the server before this join (both on the connection's executor, in turn).
    assertThat(back.join("duel").path("roomId").asText()).isEqualTo("duel");
    server.trigger("duel", MESSAGE, new Message("to the new session"));
    assertThat(back.take("dialogue:event").data().path("data").path("text").asText())
        .isEqualTo("to the new session");

    awaitDeadlinesPassed(server);
    assertThat(lines.all())
        .doesNotContain("dropped alice", "disconnected alice", "left alice duel");
    assertThat(server.room("duel").orElseThrow().size()).isEqualTo(1);
  }

  @Test
  void explicitDisconnects_endTheConnectionAtOnce() throws Exception {
    Dialogue server = server(b -> b.disconnectGrace(GRACE).room(duel()));
    DialogueClient alice = connected(server.port(), "alice");
    DialogueClient bob = connected(server.port(), "bob");
    await(alice.join("duel"));
    await(bob.join("duel"));

    alice.disconnect(); // the client's own
    lines.await("disconnected alice");
    lines.await("left alice duel");
    server.clients("bob").get(0).disconnect(); // the application's
    lines.await("disconnected bob");
    lines.await("left bob duel");

    assertThat(lines.all()).doesNotContain("dropped alice", "dropped bob");
    assertThat(server.room("duel").orElseThrow().size()).isZero();
  }

  @Test
  void withoutAGrace_aDropEndsTheConnectionAtOnce_andNoTokenIsSent() throws Exception {
    Dialogue server = server(b -> b.room(duel()));
    FaultProxy proxy = proxy(server);
    RawClient alice = raw(proxy.port(), Map.of("userId", "alice"));
    assertThat(alice.awaitConnected().has("resumeToken")).isFalse();
    alice.join("duel");
    proxy.reset();
    lines.await("disconnected alice");
    lines.await("left alice duel");
    assertThat(lines.all()).doesNotContain("dropped alice");
  }

  @Test
  void badGraces_areRefusedNamingTheOptionAndTheValue() {
    assertThatThrownBy(() -> Dialogue.builder().disconnectGrace(Duration.ofHours(2)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("disconnectGrace must be between 0 and 1 hour but was PT2H");
    assertThatThrownBy(() -> Dialogue.builder().disconnectGrace(Duration.ofSeconds(-1)))
        .hasMessage("disconnectGrace must be between 0 and 1 hour but was PT-1S");
    assertThatThrownBy(() -> Dialogue.builder().disconnectGrace(null))
        .hasMessage("disconnectGrace must be between 0 and 1 hour but was null");
    assertThatThrownBy(() -> Dialogue.builder().disposeEmptyClientRooms(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("disposeEmptyClientRooms must be a duration >= 0 but was PT-1S");
    assertThatThrownBy(() -> room("a").disposeWhenEmpty(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("disposeWhenEmpty must be a duration >= 0 but was PT-1S");
    RoomConfig kept = room("a").disposeWhenEmpty(GRACE).build().toBuilder().build();
    assertThat(kept.disposeWhenEmpty()).isEqualTo(GRACE);
    assertThat(room("a").build().disposeWhenEmpty()).isNull();
  }

  // ---- helpers ----

  private Dialogue server(Consumer<Dialogue.Builder> options) {
    Dialogue.Builder builder =
        Dialogue.builder()
            .host("127.0.0.1")
            .port(0)
            .clock(clock)
            // Cuts are resets, seen at once: a long heartbeat keeps a loaded machine from adding
            // drops.
            .heartbeat(Duration.ofSeconds(20), Duration.ofSeconds(20))
            .event(MESSAGE)
            .listener(lines);
    options.accept(builder);
    Dialogue server = builder.build().start();
    closeables.add(server);
    return server;
  }

  private static RoomConfig.Builder room(String id) {
    return RoomConfig.builder(id, id).events(MESSAGE).defaultSubscriptions("message");
  }

  private static RoomConfig duel() {
    return room("duel").maxSize(2).presence(true).build();
  }

  /**
   * Waits until the server's deadlines have looked at the clock as it reads now: a sentinel room
   * that is disposed of at once is gone. Whatever was due by now has been handed over by then.
   */
  private void awaitDeadlinesPassed(Dialogue server) {
    String id = "sentinel-" + lines.all().size();
    server.createRoom(room(id).disposeWhenEmpty(Duration.ZERO).build());
    lines.await("roomDeleted " + id);
  }

  private FaultProxy proxy(Dialogue server) {
    FaultProxy proxy = FaultProxy.to(server.port());
    closeables.add(proxy);
    return proxy;
  }

  private DialogueClient connected(int port, String userId) throws Exception {
    DialogueClient client =
        DialogueClient.builder("http://127.0.0.1:" + port)
            .auth(Map.of("userId", userId))
            .requestTimeout(Duration.ofSeconds(2))
            .connectTimeout(Duration.ofSeconds(15))
            .reconnectBackoff(Duration.ofMillis(50), Duration.ofMillis(200), 0.5)
            .build();
    closeables.add(client);
    await(client.connect());
    return client;
  }

  private RawClient raw(int port, Map<String, String> auth) {
    RawClient client = RawClient.open(port, auth, true);
    closeables.add(client);
    return client;
  }

  private static CallbackRecorder<String> texts(ClientRoom room) {
    CallbackRecorder<String> texts = new CallbackRecorder<>();
    room.on("message", Message.class, (message, envelope) -> texts.accept(message.text()));
    return texts;
  }

  private static <T> T await(CompletableFuture<T> future) throws Exception {
    return future.get(15, TimeUnit.SECONDS);
  }

  private static DialogueClientException failure(CompletableFuture<?> future) throws Exception {
    try {
      Object value = future.get(15, TimeUnit.SECONDS);
      throw new AssertionError("expected a failure, got " + value);
    } catch (ExecutionException e) {
      assertThat(e.getCause()).isInstanceOf(DialogueClientException.class);
      return (DialogueClientException) e.getCause();
    }
  }

  /** The server's lifecycle notifications as lines ("dropped alice"), awaited by tests. */
  static final class Lines implements DialogueListener {
    private final List<String> lines = new ArrayList<>();

    private synchronized void add(String line) {
      lines.add(line);
      notifyAll();
    }

    synchronized List<String> all() {
      return List.copyOf(lines);
    }

    synchronized void await(String line) {
      await(line, 1);
    }

    /** Waits until {@code line} has come {@code times} times. */
    synchronized void await(String line, int times) {
      long deadline = System.nanoTime() + CallbackRecorder.DEFAULT_TIMEOUT.toNanos();
      while (lines.stream().filter(line::equals).count() < times) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError(
              "no '" + line + "' within " + CallbackRecorder.DEFAULT_TIMEOUT + ": " + lines);
        }
        try {
          TimeUnit.NANOSECONDS.timedWait(this, left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError(e);
        }
      }
    }

    @Override
    public void onConnected(ClientConnection client) {
      add("connected " + client.userId());
    }

    @Override
    public void onDisconnected(ClientConnection client, String reason) {
      add("disconnected " + client.userId());
    }

    @Override
    public void onDropped(ClientConnection client, String reason) {
      add("dropped " + client.userId());
    }

    @Override
    public void onResumed(ClientConnection client) {
      add("resumed " + client.userId());
    }

    @Override
    public void onGone(ClientConnection client) {
      add("gone " + client.userId());
    }

    @Override
    public void onJoined(ClientConnection client, Room room) {
      add("joined " + client.userId() + " " + room.id());
    }

    @Override
    public void onLeft(ClientConnection client, Room room) {
      add("left " + client.userId() + " " + room.id());
    }

    @Override
    public void onRoomDeleted(Room room) {
      add("roomDeleted " + room.id());
    }
  }
}
