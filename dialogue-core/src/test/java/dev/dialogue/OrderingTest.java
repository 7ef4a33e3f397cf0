package dev.dialogue;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dialogue.internal.Wire;
import dev.dialogue.testing.RawClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Ordering guarantees: PROTOCOL.md section 5, DESIGN.md rules 2 and 3. */
@Timeout(60)
class OrderingTest {
  private static final EventDefinition<TestServers.Message> LINE =
      EventDefinition.builder("line", TestServers.Message.class).history(1_000).build();

  @Test
  void connected_arrivesBeforeAnythingTheConnectedHookSends() {
    DialogueListener greeter =
        new DialogueListener() {
          @Override
          public void onConnected(ClientConnection client) {
            client.send("welcome", Map.of("to", client.userId()));
            client.join("lobby");
          }
        };
    try (Dialogue server = TestServers.builder().listener(greeter).build().start();
        RawClient alice = RawClient.open(server.port(), Map.of("userId", "alice"), true)) {
      alice.take(Wire.JOINED);

      assertThat(alice.arrivalNames()).startsWith(Wire.CONNECTED, "welcome", Wire.JOINED);
    }
  }

  @Test
  void connected_isTheFirstEventEvenWhenRoomsAreCreatedDuringTheHandshake() {
    try (Dialogue server = TestServers.builder().build().start()) {
      int room = 0;
      for (int i = 0; i < 8; i++) {
        try (RawClient c = RawClient.open(server.port(), Map.of("userId", "user" + i), true)) {
          // Broadcasts to every authenticated connection, racing with this one's handshake.
          for (int n = 0; c.arrivals().isEmpty() && n < 50_000; n++) {
            server.createRoom(RoomConfig.builder("churn-" + room, "Churn").build());
            server.deleteRoom("churn-" + room++);
            Thread.yield();
          }
          c.awaitConnected();

          assertThat(c.arrivalNames().get(0))
              .as("first event of %s", c.arrivals())
              .isEqualTo(Wire.CONNECTED);
        }
      }
    }
  }

  @Test
  void join_sendsJoinedThenWhatTheJoinedHookSendsThenHistory() {
    DialogueListener announcer =
        new DialogueListener() {
          @Override
          public void onJoined(ClientConnection client, Room room) {
            client.send("motd", Map.of("room", room.id()));
          }
        };
    try (Dialogue server = TestServers.builder().listener(announcer).build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      server.trigger("chat", "message", Map.of("text", "earlier"));

      alice.emit(Wire.JOIN, Map.of("roomId", "chat"));
      alice.take(Wire.HISTORY);

      Set<String> relevant = Set.of(Wire.JOINED, "motd", Wire.HISTORY);
      assertThat(alice.arrivalNames().stream().filter(relevant::contains))
          .containsExactly(Wire.JOINED, "motd", Wire.HISTORY);
    }
  }

  @Test
  void join_whileEventsFlow_joinedArrivesBeforeAnyEventOfTheRoom() throws Exception {
    try (Dialogue server = TestServers.builder().build().start();
        RawClient bob = RawClient.connectAs(server.port(), "bob")) {
      ExecutorService publisher = Executors.newSingleThreadExecutor();
      try {
        Future<?> flood =
            publisher.submit(
                () -> {
                  for (int i = 0; i < 300; i++) {
                    server.trigger("lobby", "tick", Map.of("i", i));
                  }
                });
        bob.join("lobby");
        flood.get(30, TimeUnit.SECONDS);
        bob.barrier();
      } finally {
        publisher.shutdownNow();
      }

      List<String> names = bob.arrivalNames();
      int joinedAt = names.indexOf(Wire.JOINED);
      assertThat(names.subList(0, joinedAt)).doesNotContain(Wire.EVENT);
      List<Integer> ticks = new ArrayList<>();
      bob.received(Wire.EVENT).forEach(r -> ticks.add(r.data().path("data").path("i").asInt()));
      // Whatever part of the flood bob saw, he saw it without gaps and in order.
      if (!ticks.isEmpty()) {
        assertThat(ticks).isEqualTo(IntStream.rangeClosed(ticks.get(0), 299).boxed().toList());
      }
    }
  }

  @Test
  void roomEvents_fromConcurrentSenders_reachEveryParticipantInTheSameOrder() throws Exception {
    int senders = 4;
    int perSender = 25;
    RoomConfig stage =
        RoomConfig.builder("stage", "Stage").events(LINE).defaultSubscriptions("line").build();
    try (Dialogue server = TestServers.builder().room(stage).build().start()) {
      List<RawClient> clients = new ArrayList<>();
      try {
        for (int s = 0; s < senders; s++) {
          RawClient c = RawClient.connectAs(server.port(), "user" + s);
          clients.add(c);
          c.join("stage");
        }
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(senders);
        try {
          List<Future<?>> sends = new ArrayList<>();
          for (RawClient c : clients) {
            sends.add(
                pool.submit(
                    () -> {
                      go.await();
                      for (int i = 0; i < perSender; i++) {
                        c.trigger("stage", "line", Map.of("text", String.valueOf(i)));
                      }
                      return null;
                    }));
          }
          go.countDown();
          for (Future<?> f : sends) {
            f.get(30, TimeUnit.SECONDS);
          }
        } finally {
          pool.shutdownNow();
        }

        List<List<String>> seen = new ArrayList<>();
        for (RawClient c : clients) {
          List<String> order = new ArrayList<>();
          List<Long> offsets = new ArrayList<>();
          for (int i = 0; i < senders * perSender; i++) {
            JsonNode e = c.take(Wire.EVENT).data();
            order.add(e.path("from").asText() + "#" + e.path("data").path("text").asText());
            offsets.add(e.path("offset").asLong());
          }
          assertThat(offsets)
              .isEqualTo(
                  IntStream.rangeClosed(1, senders * perSender).mapToObj(Long::valueOf).toList());
          seen.add(order);
        }
        for (List<String> order : seen) {
          assertThat(order).isEqualTo(seen.get(0));
        }
        // Each sender's own events keep its sending order.
        for (int s = 0; s < senders; s++) {
          String prefix = "user" + s + "#";
          assertThat(seen.get(0).stream().filter(x -> x.startsWith(prefix)).toList())
              .isEqualTo(IntStream.range(0, perSender).mapToObj(i -> prefix + i).toList());
        }
      } finally {
        clients.forEach(RawClient::close);
      }
    }
  }

  @Test
  void requestsOfOneConnection_areAnsweredInTheOrderSent() {
    try (Dialogue server = TestServers.builder().build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      List<String> expected = new ArrayList<>();
      for (int i = 0; i < 15; i++) {
        alice.emit(Wire.JOIN, Map.of("roomId", "lobby"));
        alice.emit(Wire.JOIN, Map.of("roomId", "nowhere-" + i));
        alice.emit(Wire.LIST_ROOMS, null);
        alice.emit(Wire.LEAVE, Map.of("roomId", "lobby"));
        expected.addAll(List.of(Wire.JOINED, "nowhere-" + i, Wire.ROOMS, Wire.LEFT));
      }
      alice.barrier();

      List<String> answers = new ArrayList<>();
      for (RawClient.Received r : alice.arrivals()) {
        switch (r.name()) {
          case Wire.ERROR ->
              answers.add(
                  r.data().path("message").asText().replaceAll("Room '(.*)' does not exist", "$1"));
          case Wire.JOINED, Wire.ROOMS, Wire.LEFT -> answers.add(r.name());
          default -> {}
        }
      }
      assertThat(answers).isEqualTo(expected);
    }
  }

  @Test
  void acknowledgedRequestsOfOneConnection_areAckedInTheOrderSent() throws Exception {
    try (Dialogue server = TestServers.builder().build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      alice.join("lobby");
      List<Integer> completed = new CopyOnWriteArrayList<>();
      List<CompletableFuture<JsonNode>> acks = new ArrayList<>();
      for (int i = 0; i < 60; i++) {
        int n = i;
        CompletableFuture<JsonNode> ack =
            switch (i % 3) {
              case 0 ->
                  alice.requestAsync(
                      Wire.TRIGGER,
                      Map.of("roomId", "lobby", "event", "n", "data", Map.of("n", n)));
              case 1 -> alice.requestAsync(Wire.LIST_ROOMS, null);
              default -> alice.requestAsync(Wire.JOIN, Map.of("roomId", "nowhere"));
            };
        acks.add(ack.whenComplete((v, e) -> completed.add(n)));
      }
      CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);

      assertThat(completed).isEqualTo(IntStream.range(0, 60).boxed().toList());
      assertThat(acks.get(2).get().path("error").path("code").asText()).isEqualTo("ROOM_NOT_FOUND");
    }
  }
}
