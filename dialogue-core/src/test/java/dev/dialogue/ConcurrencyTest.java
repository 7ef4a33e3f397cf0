package dev.dialogue;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dialogue.testing.RawClient;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * DESIGN.md rules 1-3: hooks never run on Netty event loops, a blocking hook for one connection
 * does not hold up another, each connection is answered in the order it asked, and capacity is
 * exact under concurrent joins.
 */
@Timeout(120)
class ConcurrencyTest {
  private static final long HOOK_WAIT_SECONDS = 30;

  @Test
  void fiftyConcurrentJoins_intoRoomOfTen_admitExactlyTen() throws Exception {
    try (Dialogue server =
        TestServers.builder()
            .room(RoomConfig.builder("ten", "Ten").maxSize(10).anyEvent().build())
            .build()
            .start()) {
      List<RawClient> clients = new ArrayList<>();
      try {
        for (int i = 0; i < 50; i++) {
          clients.add(RawClient.connectAs(server.port(), "u" + i));
        }
        List<CompletableFuture<JsonNode>> joins = new ArrayList<>();
        for (RawClient c : clients) {
          joins.add(c.requestAsync("dialogue:join", Map.of("roomId", "ten"), ack -> {}));
        }
        CompletableFuture.allOf(joins.toArray(new CompletableFuture<?>[0]))
            .get(30, TimeUnit.SECONDS);

        List<String> admitted = new ArrayList<>();
        List<JsonNode> refused = new ArrayList<>();
        for (int i = 0; i < joins.size(); i++) {
          JsonNode ack = joins.get(i).get();
          if (ack.path("ok").asBoolean()) {
            admitted.add("u" + i);
          } else {
            refused.add(ack.path("error"));
          }
        }
        assertThat(admitted).hasSize(10);
        assertThat(refused)
            .hasSize(40)
            .allSatisfy(
                error -> {
                  assertThat(error.path("code").asText()).isEqualTo("ROOM_FULL");
                  assertThat(error.path("message").asText()).isEqualTo("Room 'ten' is at capacity");
                });
        Room room = server.room("ten").orElseThrow();
        assertThat(room.size()).isEqualTo(10);
        assertThat(room.isFull()).isTrue();
        assertThat(room.participants())
            .extracting(ClientConnection::userId)
            .containsExactlyInAnyOrderElementsOf(admitted);
        JsonNode listed = clients.get(0).request("dialogue:listRooms", null).path("rooms");
        for (JsonNode info : listed) {
          if (info.path("id").asText().equals("ten")) {
            assertThat(info.path("size").asInt()).isEqualTo(10);
          }
        }
      } finally {
        clients.forEach(RawClient::close);
      }
    }
  }

  @Test
  void everyHook_runsOnHookThreads_neverOnNettyEventLoops() throws Exception {
    Map<String, Set<String>> threads = new ConcurrentHashMap<>();
    try (Dialogue server = builderRecordingHookThreads(threads).build().start()) {
      server.on("chat", "message", (data, message) -> seen(threads, "handler"));
      try (RawClient alice = RawClient.connect(server.port(), Map.of("token", "alice"))) {
        driveEveryHook(alice);
      }
      awaitHooks(threads, EVERY_HOOK);
      assertThat(threads.keySet()).containsAll(EVERY_HOOK);
      threads.forEach(
          (hook, names) ->
              assertThat(names)
                  .as("threads of %s", hook)
                  .noneMatch(name -> name.contains("EventLoop"))
                  .allMatch(
                      name -> name.startsWith("dialogue-hook-"), "the default hook executor"));
    }
  }

  @Test
  void everyHook_runsOnTheConfiguredExecutor() throws Exception {
    AtomicInteger n = new AtomicInteger();
    ExecutorService pool =
        Executors.newFixedThreadPool(
            8,
            r -> {
              Thread t = new Thread(r, "app-pool-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    Map<String, Set<String>> threads = new ConcurrentHashMap<>();
    try (Dialogue server = builderRecordingHookThreads(threads).executor(pool).build().start()) {
      server.on("chat", "message", (data, message) -> seen(threads, "handler"));
      try (RawClient alice = RawClient.connect(server.port(), Map.of("token", "alice"))) {
        driveEveryHook(alice);
      }
      awaitHooks(threads, EVERY_HOOK);
      // Checked before stop(), which hands remaining history to the cleanup hook on its caller's
      // thread.
      threads.forEach(
          (hook, names) ->
              assertThat(names)
                  .as("threads of %s", hook)
                  .allMatch(name -> name.startsWith("app-pool-")));
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void joinPolicyBlockingForAlice_doesNotDelayBob() throws Exception {
    CountDownLatch aliceEntered = new CountDownLatch(1);
    CountDownLatch releaseAlice = new CountDownLatch(1);
    try (Dialogue server =
            TestServers.builder()
                .joinPolicy(
                    (client, room) -> {
                      if (client.userId().equals("alice")) {
                        aliceEntered.countDown();
                        releaseAlice.await(HOOK_WAIT_SECONDS, TimeUnit.SECONDS);
                      }
                      return Decision.allow();
                    })
                .build()
                .start();
        RawClient alice = RawClient.connectAs(server.port(), "alice");
        RawClient bob = RawClient.connectAs(server.port(), "bob")) {
      List<String> aliceAnswers = Collections.synchronizedList(new ArrayList<>());
      CompletableFuture<JsonNode> aliceJoin =
          alice.requestAsync(
              "dialogue:join", Map.of("roomId", "chat"), ack -> aliceAnswers.add("join"));
      CompletableFuture<JsonNode> aliceList =
          alice.requestAsync("dialogue:listRooms", null, ack -> aliceAnswers.add("listRooms"));
      assertThat(aliceEntered.await(10, TimeUnit.SECONDS))
          .as("alice's join policy started")
          .isTrue();

      // Bob is answered while alice's hook is still blocked (RawClient.request fails after 10 s).
      assertThat(bob.request("dialogue:join", Map.of("roomId", "chat")).path("ok").asBoolean())
          .isTrue();
      assertThat(
              bob.request(
                      "dialogue:trigger",
                      Map.of(
                          "roomId",
                          "chat",
                          "event",
                          "message",
                          "data",
                          Map.of("text", "not waiting")))
                  .path("ok")
                  .asBoolean())
          .isTrue();
      try (RawClient carol = RawClient.connectAs(server.port(), "carol")) {
        assertThat(carol.request("dialogue:listRooms", null).path("ok").asBoolean()).isTrue();
      }
      assertThat(aliceJoin).as("alice is still blocked in her join policy").isNotDone();
      assertThat(aliceList).as("alice's later request waits for her earlier one").isNotDone();

      releaseAlice.countDown();
      assertThat(aliceJoin.get(10, TimeUnit.SECONDS).path("ok").asBoolean()).isTrue();
      assertThat(aliceList.get(10, TimeUnit.SECONDS).path("ok").asBoolean()).isTrue();
      assertThat(aliceAnswers).containsExactly("join", "listRooms");
      assertThat(server.room("chat").orElseThrow().size()).isEqualTo(2);
    } finally {
      releaseAlice.countDown();
    }
  }

  @Test
  void oneConnectionsRequests_areHandledAndAnsweredInOrder() throws Exception {
    int count = 200;
    try (Dialogue server =
            TestServers.builder()
                .interceptor(
                    (room, message) -> {
                      // Uneven hook work, so that requests handled in parallel would overtake each
                      // other.
                      int n = Integer.parseInt(message.data().path("text").asText());
                      if (n % 3 == 0) {
                        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
                      }
                      return EventDecision.proceed(message);
                    })
                .build()
                .start();
        RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      assertThat(alice.request("dialogue:join", Map.of("roomId", "chat")).path("ok").asBoolean())
          .isTrue();

      List<Integer> answered = Collections.synchronizedList(new ArrayList<>());
      List<CompletableFuture<JsonNode>> acks = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        int n = i;
        Object request =
            i % 5 == 4
                ? Map.of("roomId", "chat", "eventName", "typing")
                : Map.of(
                    "roomId",
                    "chat",
                    "event",
                    "message",
                    "data",
                    Map.of("text", String.valueOf(i)));
        String event = i % 5 == 4 ? "dialogue:subscribe" : "dialogue:trigger";
        acks.add(alice.requestAsync(event, request, ack -> answered.add(n)));
      }
      CompletableFuture.allOf(acks.toArray(new CompletableFuture<?>[0])).get(60, TimeUnit.SECONDS);

      List<Integer> expected = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        expected.add(i);
      }
      assertThat(answered).containsExactlyElementsOf(expected);
      long previous = -1;
      for (int i = 0; i < count; i++) {
        JsonNode ack = acks.get(i).get();
        assertThat(ack.path("ok").asBoolean()).as("request %d: %s", i, ack).isTrue();
        if (i % 5 != 4) {
          long offset = ack.path("offset").asLong();
          if (previous >= 0) {
            assertThat(offset).as("offset of trigger %d", i).isEqualTo(previous + 1);
          }
          previous = offset;
        }
      }
      List<Integer> delivered = new ArrayList<>();
      for (int i = 0; i < count / 5 * 4; i++) {
        delivered.add(
            Integer.parseInt(
                alice.take("dialogue:event").data().path("data").path("text").asText()));
      }
      assertThat(delivered)
          .containsExactlyElementsOf(expected.stream().filter(i -> i % 5 != 4).toList());
    }
  }

  // ---- every hook, recorded ----

  private static final List<String> EVERY_HOOK =
      List.of(
          "authenticator",
          "joinPolicy",
          "roomCreationPolicy",
          "beforeEach",
          "afterEach",
          "handler",
          "onConnected",
          "onJoined",
          "onLeft",
          "onTriggered",
          "onRoomCreated",
          "onRoomDeleted",
          "onDisconnected",
          "historyCleanup");

  private static Dialogue.Builder builderRecordingHookThreads(Map<String, Set<String>> threads) {
    return TestServers.builder()
        .event(TestServers.MESSAGE)
        .authenticator(
            handshake -> {
              seen(threads, "authenticator");
              return AuthResult.accept(handshake.authString("token"));
            })
        .joinPolicy(
            (client, room) -> {
              seen(threads, "joinPolicy");
              return Decision.allow();
            })
        .roomCreationPolicy(
            (client, requested) -> {
              seen(threads, "roomCreationPolicy");
              return Decision.allow();
            })
        .interceptor(
            new EventInterceptor() {
              @Override
              public EventDecision beforeEach(Room room, EventMessage message) {
                seen(threads, "beforeEach");
                return EventDecision.proceed(message);
              }

              @Override
              public void afterEach(Room room, EventMessage message, int recipientCount) {
                seen(threads, "afterEach");
              }
            })
        .historyCleanup((roomId, eventName, events) -> seen(threads, "historyCleanup"))
        .listener(
            new DialogueListener() {
              @Override
              public void onConnected(ClientConnection client) {
                seen(threads, "onConnected");
              }

              @Override
              public void onDisconnected(ClientConnection client, String reason) {
                seen(threads, "onDisconnected");
              }

              @Override
              public void onJoined(ClientConnection client, Room room) {
                seen(threads, "onJoined");
              }

              @Override
              public void onLeft(ClientConnection client, Room room) {
                seen(threads, "onLeft");
              }

              @Override
              public void onRoomCreated(Room room) {
                if (room.createdById()
                    != null) { // Configured rooms are created by build(), on its caller's thread.
                  seen(threads, "onRoomCreated");
                }
              }

              @Override
              public void onRoomDeleted(Room room) {
                seen(threads, "onRoomDeleted");
              }

              @Override
              public void onTriggered(Room room, EventMessage message) {
                seen(threads, "onTriggered");
              }
            });
  }

  /** Connect, join, trigger, create a room with history, leave, delete it, disconnect. */
  private static void driveEveryHook(RawClient alice) {
    assertOk(alice.request("dialogue:join", Map.of("roomId", "chat")));
    assertOk(
        alice.request(
            "dialogue:trigger",
            Map.of("roomId", "chat", "event", "message", "data", Map.of("text", "hi"))));
    assertOk(alice.request("dialogue:createRoom", Map.of("id", "scratch", "name", "Scratch")));
    assertOk(alice.request("dialogue:join", Map.of("roomId", "scratch")));
    assertOk(
        alice.request(
            "dialogue:trigger",
            Map.of("roomId", "scratch", "event", "message", "data", Map.of("text", "kept"))));
    assertOk(alice.request("dialogue:leave", Map.of("roomId", "chat")));
    assertOk(alice.request("dialogue:deleteRoom", Map.of("roomId", "scratch")));
    alice.disconnect();
  }

  private static void assertOk(JsonNode ack) {
    assertThat(ack.path("ok").asBoolean()).as("ack %s", ack).isTrue();
  }

  private static void seen(Map<String, Set<String>> threads, String hook) {
    threads
        .computeIfAbsent(hook, k -> ConcurrentHashMap.newKeySet())
        .add(Thread.currentThread().getName());
    synchronized (threads) {
      threads.notifyAll();
    }
  }

  /**
   * Waits until every hook has run at least once (some run after the reply, e.g. onDisconnected).
   */
  private static void awaitHooks(Map<String, Set<String>> threads, List<String> hooks)
      throws InterruptedException {
    long deadline = System.nanoTime() + RawClient.TIMEOUT.toNanos();
    synchronized (threads) {
      while (!threads.keySet().containsAll(hooks)) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          Map<String, Set<String>> copy = new HashMap<>(threads);
          throw new AssertionError(
              "hooks that never ran: "
                  + hooks.stream().filter(h -> !copy.containsKey(h)).toList()
                  + "; ran: "
                  + copy);
        }
        threads.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
      }
    }
  }
}
