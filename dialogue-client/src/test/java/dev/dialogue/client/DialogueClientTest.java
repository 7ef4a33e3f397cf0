package dev.dialogue.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dialogue.AuthResult;
import dev.dialogue.Dialogue;
import dev.dialogue.EventDefinition;
import dev.dialogue.RoomConfig;
import dev.dialogue.testing.CallbackRecorder;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(90)
class DialogueClientTest {
  public record Message(@NotBlank String text) {}

  public record Typing(@NotNull Boolean isTyping) {}

  public record Notice(String text) {}

  static final EventDefinition<Message> MESSAGE =
      EventDefinition.builder("message", Message.class).history(100).build();
  static final EventDefinition<Typing> TYPING = EventDefinition.of("typing", Typing.class);

  private final List<AutoCloseable> closeables = new java.util.ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      closeables.get(i).close();
    }
  }

  private Dialogue server(int port) {
    Dialogue server =
        Dialogue.builder()
            .host("127.0.0.1")
            .port(port)
            .room(
                RoomConfig.builder("chat", "Chat")
                    .events(MESSAGE, TYPING)
                    .defaultSubscriptions("message")
                    .syncHistoryOnJoin(10)
                    .presence(true)
                    .build())
            .build()
            .start();
    closeables.add(server);
    return server;
  }

  private DialogueClient client(int port, String userId) {
    DialogueClient client =
        DialogueClient.builder("http://127.0.0.1:" + port)
            .auth(Map.of("userId", userId))
            .reconnectBackoff(
                java.time.Duration.ofMillis(100), java.time.Duration.ofMillis(500), 0.5)
            .build();
    closeables.add(client);
    return client;
  }

  private static <T> T await(java.util.concurrent.CompletableFuture<T> future) throws Exception {
    return future.get(15, TimeUnit.SECONDS);
  }

  @Test
  void trigger_isDeliveredTyped_andConfirmedWithItsClientMessageId() throws Exception {
    Dialogue server = server(0);
    DialogueClient alice = client(server.port(), "alice");
    DialogueClient bob = client(server.port(), "bob");
    await(alice.connect());
    await(bob.connect());
    assertThat(alice.userId()).isEqualTo("alice");
    ClientRoom aliceChat = await(alice.join("chat"));
    ClientRoom bobChat = await(bob.join("chat"));
    CallbackRecorder<EventMessage> received = new CallbackRecorder<>();
    bobChat.on("message", Message.class, (message, envelope) -> received.accept(envelope));

    PendingTrigger pending = aliceChat.trigger("message", new Message("hello"));
    Published published = await(pending.result());

    EventMessage event = received.next();
    assertThat(event.data(Message.class).text()).isEqualTo("hello");
    assertThat(event.from()).isEqualTo("alice");
    assertThat(event.clientMessageId()).isEqualTo(pending.clientMessageId());
    assertThat(event.offset()).isEqualTo(published.offset());
    assertThat(published.duplicate()).isFalse();
    assertThat(received.threads()).allMatch(t -> t.equals("dialogue-client-callbacks"));
  }

  @Test
  void failures_carryTheServersErrorCode() throws Exception {
    Dialogue server = server(0);
    DialogueClient alice = client(server.port(), "alice");
    await(alice.connect());
    assertThatThrownBy(() -> await(alice.join("nope")))
        .hasCauseInstanceOf(DialogueClientException.class)
        .cause()
        .extracting(e -> ((DialogueClientException) e).code())
        .isEqualTo("ROOM_NOT_FOUND");

    ClientRoom chat = await(alice.join("chat"));
    assertThatThrownBy(() -> await(chat.trigger("message", new Message("")).result()))
        .cause()
        .isInstanceOfSatisfying(
            DialogueClientException.class,
            e -> {
              assertThat(e.code()).isEqualTo("VALIDATION_FAILED");
              assertThat(e.getMessage()).contains("text");
            });
  }

  @Test
  void connect_whenAuthenticatorRejects_failsWithItsReason() throws Exception {
    Dialogue server =
        Dialogue.builder()
            .host("127.0.0.1")
            .port(0)
            .authenticator(h -> AuthResult.reject("bad token"))
            .build()
            .start();
    closeables.add(server);
    DialogueClient client = client(server.port(), "x");
    CallbackRecorder<DialogueClientException> errors = new CallbackRecorder<>();
    client.onError(errors);
    assertThatThrownBy(() -> await(client.connect()))
        .cause()
        .isInstanceOfSatisfying(
            DialogueClientException.class,
            e -> {
              assertThat(e.code()).isEqualTo("CONNECT_REFUSED");
              assertThat(e.getMessage()).isEqualTo("bad token");
            });
    assertThat(errors.next().getMessage()).isEqualTo("bad token");
    assertThat(client.state()).isEqualTo(ConnectionState.DISCONNECTED);
  }

  @Test
  void on_subscribesOnTheServer_andClosingItUnsubscribes() throws Exception {
    Dialogue server = server(0);
    DialogueClient alice = client(server.port(), "alice");
    DialogueClient bob = client(server.port(), "bob");
    await(alice.connect());
    await(bob.connect());
    ClientRoom aliceChat = await(alice.join("chat"));
    ClientRoom bobChat = await(bob.join("chat"));
    CallbackRecorder<Typing> typing = new CallbackRecorder<>();
    Registration registration = bobChat.on("typing", Typing.class, typing);
    await(bob.listRooms()); // the subscribe request was answered before this one

    await(aliceChat.trigger("typing", new Typing(true)).result());
    assertThat(typing.next().isTyping()).isTrue();

    registration.close();
    await(bob.listRooms());
    await(aliceChat.trigger("typing", new Typing(false)).result());
    CallbackRecorder<Message> messages = new CallbackRecorder<>();
    bobChat.on("message", Message.class, messages);
    await(aliceChat.trigger("message", new Message("after")).result());
    assertThat(messages.next().text()).isEqualTo("after");
    assertThat(typing.pending()).isEmpty();
    assertThat(
            server.room("chat").orElseThrow().participants().stream()
                .filter(c -> c.userId().equals("bob"))
                .findFirst()
                .orElseThrow()
                .subscriptions("chat"))
        .doesNotContain("typing");
  }

  @Test
  void serverSentEvents_reachTheClient() throws Exception {
    Dialogue server = server(0);
    DialogueClient alice = client(server.port(), "alice");
    CallbackRecorder<Notice> notices = new CallbackRecorder<>();
    alice.on("notice", Notice.class, notices);
    await(alice.connect());
    server.clients("alice").get(0).send("notice", Map.of("text", "maintenance at 5"));
    assertThat(notices.next().text()).isEqualTo("maintenance at 5");
  }

  @Test
  void roomRequests_answerThroughAcks() throws Exception {
    Dialogue server = server(0);
    DialogueClient alice = client(server.port(), "alice");
    await(alice.connect());
    RoomInfo created = await(alice.createRoom("dyn", "Dynamic", "made by alice", 5));
    assertThat(created.createdById()).isEqualTo("alice");
    assertThat(await(alice.listRooms())).extracting(RoomInfo::id).containsExactly("chat", "dyn");
    ClientRoom chat = await(alice.join("chat"));
    await(chat.trigger("message", new Message("one")).result());
    await(chat.trigger("message", new Message("two")).result());
    HistoryPage page = await(chat.getHistory("message", 0, 10));
    assertThat(page.events())
        .extracting(e -> e.data(Message.class).text())
        .containsExactly("two", "one");
    await(alice.deleteRoom("dyn"));
    assertThat(server.room("dyn")).isEmpty();
  }

  @Test
  void afterServerRestart_clientReconnectsRejoinsAndSendsQueuedTriggersInOrder() throws Exception {
    Dialogue first = server(0);
    int port = first.port();
    AtomicInteger authCalls = new AtomicInteger();
    DialogueClient alice =
        DialogueClient.builder("http://127.0.0.1:" + port)
            .auth(
                () ->
                    Map.of(
                        "userId",
                        "alice",
                        "attempt",
                        Integer.toString(authCalls.incrementAndGet())))
            .reconnectBackoff(
                java.time.Duration.ofMillis(100), java.time.Duration.ofMillis(300), 0.5)
            .build();
    closeables.add(alice);
    CallbackRecorder<ConnectionState> states = new CallbackRecorder<>();
    alice.onStateChange((state, reason) -> states.accept(state));
    await(alice.connect());
    ClientRoom chat = await(alice.join("chat"));
    CallbackRecorder<Message> messages = new CallbackRecorder<>();
    chat.on("message", Message.class, messages);

    first.stop();
    assertThat(nextOtherThan(states, ConnectionState.CONNECTING, ConnectionState.CONNECTED))
        .isEqualTo(ConnectionState.RECONNECTING);
    PendingTrigger one = chat.trigger("message", new Message("queued 1"));
    PendingTrigger two = chat.trigger("message", new Message("queued 2"));
    assertThat(one.clientMessageId()).isNotEqualTo(two.clientMessageId());

    Dialogue second = server(port);
    assertThat(await(one.result()).offset()).isEqualTo(1L);
    assertThat(await(two.result()).offset()).isEqualTo(2L);
    assertThat(messages.next().text()).isEqualTo("queued 1");
    assertThat(messages.next().text()).isEqualTo("queued 2");
    assertThat(alice.state()).isEqualTo(ConnectionState.CONNECTED);
    assertThat(authCalls.get()).isGreaterThanOrEqualTo(2);
    assertThat(second.clients("alice").get(0).rooms()).containsExactly("chat");
  }

  @Test
  void afterARestartOnTheSameStore_eventsMissedWhileAwayArriveExactlyOnceInOrder(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    String url = "jdbc:h2:file:" + dir.resolve("history");
    RoomConfig chat =
        RoomConfig.builder("chat", "Chat").events(MESSAGE).defaultSubscriptions("message").build();
    Dialogue first =
        Dialogue.builder()
            .host("127.0.0.1")
            .port(0)
            .room(chat)
            .historyStore(dev.dialogue.jdbc.JdbcHistoryStore.builder(url).build())
            .build()
            .start();
    int port = first.port();
    DialogueClient alice = client(port, "alice");
    await(alice.connect());
    ClientRoom room = await(alice.join("chat"));
    CallbackRecorder<String> texts = new CallbackRecorder<>();
    room.on("message", Message.class, m -> texts.accept(m.text()));
    await(room.trigger("message", new Message("before")).result());
    assertThat(texts.next()).isEqualTo("before");
    String epoch = room.epoch();

    first.stop();
    Dialogue second =
        Dialogue.builder()
            .host("127.0.0.1")
            .port(port)
            .room(chat)
            .historyStore(dev.dialogue.jdbc.JdbcHistoryStore.builder(url).build())
            .build()
            .start();
    closeables.add(second);
    // Bob publishes right away: Alice gets these as recovered or as live events, never twice.
    DialogueClient bob = client(port, "bob");
    await(bob.connect());
    ClientRoom bobRoom = await(bob.join("chat"));
    for (int i = 1; i <= 5; i++) {
      await(bobRoom.trigger("message", new Message("while away " + i)).result());
    }
    for (int i = 1; i <= 5; i++) {
      assertThat(texts.next()).isEqualTo("while away " + i);
    }
    await(bobRoom.trigger("message", new Message("after")).result());
    assertThat(texts.next()).isEqualTo("after");
    assertThat(texts.pending()).isEmpty();
    assertThat(room.epoch()).isEqualTo(epoch);
    assertThat(room.lastOffset()).isEqualTo(7);
  }

  private static ConnectionState nextOtherThan(
      CallbackRecorder<ConnectionState> states, ConnectionState... skip) {
    List<ConnectionState> skipped = List.of(skip);
    while (true) {
      ConnectionState s = states.next();
      if (!skipped.contains(s)) {
        return s;
      }
    }
  }
}
