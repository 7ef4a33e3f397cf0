package dev.dialogue;

import static dev.dialogue.TestServers.MESSAGE;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dialogue.TestServers.Message;
import dev.dialogue.testing.RawClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * docs/concurrency.md, "The per-room serial executor": a room's application code (event handlers,
 * command handlers, onJoined and onLeft) runs one task at a time, in the room's order, never on an
 * event loop; different rooms' code runs in parallel.
 */
@Timeout(120)
class RoomSerialTest {
  private static final CommandDefinition<Void, Integer> COUNT =
      CommandDefinition.of("count", Void.class, Integer.class);

  /**
   * Counts how many of a room's tasks run at once. The first three tasks to enter alone wait a
   * while for a second one, which can only come in if the room's code runs in parallel.
   */
  private static final class Overlap {
    final AtomicInteger inside = new AtomicInteger();
    final AtomicInteger most = new AtomicInteger();
    final CountDownLatch second = new CountDownLatch(1);
    final AtomicInteger waits = new AtomicInteger();
    final List<String> threads = new CopyOnWriteArrayList<>();

    void run(Runnable body) {
      threads.add(Thread.currentThread().getName());
      int now = inside.incrementAndGet();
      most.accumulateAndGet(now, Math::max);
      try {
        if (now > 1) {
          second.countDown();
        } else if (second.getCount() > 0 && waits.getAndIncrement() < 3) {
          second.await(300, TimeUnit.MILLISECONDS);
        }
        body.run();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        inside.decrementAndGet();
      }
    }
  }

  @Test
  void handlersForTriggersFromManyConnections_runOneAtATime_inOffsetOrder_offTheEventLoops()
      throws Exception {
    Overlap overlap = new Overlap();
    List<Long> offsets = new CopyOnWriteArrayList<>();
    try (Dialogue server = TestServers.builder().build().start()) {
      Room chat = server.room("chat").orElseThrow();
      chat.on(MESSAGE, (message, envelope) -> overlap.run(() -> offsets.add(envelope.offset())));
      List<RawClient> clients = new ArrayList<>();
      try {
        for (int i = 0; i < 4; i++) {
          RawClient c = RawClient.connectAs(server.port(), "u" + i);
          clients.add(c);
          c.join("chat");
        }
        List<CompletableFuture<JsonNode>> acks = new ArrayList<>();
        for (int n = 0; n < 5; n++) {
          for (RawClient c : clients) {
            acks.add(
                c.requestAsync(
                    "dialogue:trigger",
                    Map.of("roomId", "chat", "event", "message", "data", Map.of("text", "t" + n))));
          }
        }
        CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        TestServers.awaitState("20 handler calls", () -> offsets.size() == 20);
      } finally {
        clients.forEach(RawClient::close);
      }
    }
    assertThat(overlap.most).hasValue(1);
    assertThat(offsets).isSorted().doesNotHaveDuplicates();
    assertThat(overlap.threads).allSatisfy(t -> assertThat(t).startsWith("dialogue-hook-"));
  }

  @Test
  void onJoinedOfConcurrentJoins_andTheRoomsCommands_runOneAtATime() throws Exception {
    Overlap overlap = new Overlap();
    int[] joinedSeen = {0}; // a plain field: safe only because the room's code runs serially
    AtomicInteger joinedCalls = new AtomicInteger();
    DialogueListener listener =
        new DialogueListener() {
          @Override
          public void onJoined(ClientConnection client, Room room) {
            overlap.run(
                () -> {
                  joinedSeen[0]++;
                  joinedCalls.incrementAndGet();
                });
          }
        };
    try (Dialogue server =
        TestServers.builder()
            .listener(listener)
            .room(
                RoomConfig.builder("game", "Game")
                    .anyEvent()
                    .command(COUNT, (context, none) -> overlapped(overlap, joinedSeen))
                    .build())
            .build()
            .start()) {
      List<RawClient> clients = new ArrayList<>();
      try {
        for (int i = 0; i < 6; i++) {
          clients.add(RawClient.connectAs(server.port(), "p" + i));
        }
        List<CompletableFuture<JsonNode>> joins = new ArrayList<>();
        for (RawClient c : clients) {
          joins.add(c.requestAsync("dialogue:join", Map.of("roomId", "game")));
        }
        CompletableFuture.allOf(joins.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        List<CompletableFuture<JsonNode>> counts = new ArrayList<>();
        for (RawClient c : clients) {
          counts.add(
              c.requestAsync("dialogue:request", Map.of("command", "count", "roomId", "game")));
        }
        CompletableFuture.allOf(counts.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        for (CompletableFuture<JsonNode> count : counts) {
          assertThat(count.get().path("ok").asBoolean()).isTrue();
        }
      } finally {
        clients.forEach(RawClient::close);
      }
    }
    assertThat(joinedCalls).hasValue(6);
    assertThat(overlap.most).hasValue(1);
  }

  private static Integer overlapped(Overlap overlap, int[] seen) {
    int[] result = new int[1];
    overlap.run(() -> result[0] = seen[0]);
    return result[0];
  }

  @Test
  void differentRooms_runTheirCodeInParallel() throws Exception {
    CountDownLatch lobbyRan = new CountDownLatch(1);
    CompletableFuture<Boolean> chatSawLobby = new CompletableFuture<>();
    try (Dialogue server = TestServers.builder().build().start()) {
      // The chat handler waits for the lobby's: with one executor for every room it would wait
      // in vain.
      server
          .room("chat")
          .orElseThrow()
          .on(
              MESSAGE,
              (message, envelope) -> {
                try {
                  chatSawLobby.complete(lobbyRan.await(10, TimeUnit.SECONDS));
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              });
      server.room("lobby").orElseThrow().on("message", (data, envelope) -> lobbyRan.countDown());
      server.trigger("chat", "message", new Message("first"), "server");
      server.trigger("lobby", "message", new Message("second"), "server");
      assertThat(chatSawLobby.get(20, TimeUnit.SECONDS)).isTrue();
    }
  }
}
