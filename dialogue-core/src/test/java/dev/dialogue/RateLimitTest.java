package dev.dialogue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dialogue.internal.Wire;
import dev.dialogue.testing.MutableClock;
import dev.dialogue.testing.RawClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Rate limits of clients' triggers and commands ({@link RateLimits}, {@link
 * EventDefinition.Builder#rateLimit}, {@link RoomConfig.Builder#rateLimit}): {@code RATE_LIMITED}
 * with {@code retryAfterMs}, exact counts under concurrency, refill on the server's clock.
 */
@Timeout(60)
class RateLimitTest {
  record Sum(int a, int b) {}

  record Total(int sum) {}

  static final CommandDefinition<Sum, Total> SUM =
      CommandDefinition.of("sum", Sum.class, Total.class);

  static final EventDefinition<JsonNode> CURSOR =
      EventDefinition.builder("cursor", JsonNode.class)
          .rateLimit(RateLimit.of(3, Duration.ofSeconds(3)))
          .build();

  private final MutableClock clock = MutableClock.atFixedStart();

  private Dialogue.Builder builder(RateLimits limits) {
    return TestServers.builder()
        .clock(clock)
        .rateLimits(limits)
        .command(SUM, (context, request) -> new Total(request.a() + request.b()));
  }

  private static JsonNode trigger(RawClient client, String roomId, String event) {
    return client.request(
        Wire.TRIGGER, Map.of("roomId", roomId, "event", event, "data", Map.of("n", 1)));
  }

  private static void assertRateLimited(JsonNode ack, long retryAfterMs, String messagePart) {
    assertThat(ack.path("ok").asBoolean()).as("ack %s", ack).isFalse();
    assertThat(ack.path("error").path("code").asText()).isEqualTo("RATE_LIMITED");
    assertThat(ack.path("error").path("retryAfterMs").asLong())
        .as("ack %s", ack)
        .isEqualTo(retryAfterMs);
    assertThat(ack.path("error").path("message").asText()).contains(messagePart);
  }

  @Test
  void trigger_overTheConnectionsLimit_isRateLimitedWithRetryAfter_andPassesOnceTheClockMoves() {
    RateLimits limits =
        RateLimits.builder().triggersPerConnection(RateLimit.of(2, Duration.ofSeconds(10))).build();
    try (Dialogue server = builder(limits).build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      alice.join("lobby");
      assertThat(trigger(alice, "lobby", "x").path("ok").asBoolean()).isTrue();
      assertThat(trigger(alice, "lobby", "x").path("ok").asBoolean()).isTrue();
      // 2 per 10 s: a token comes back every 5 s.
      assertRateLimited(
          trigger(alice, "lobby", "x"),
          5_000,
          "Too many triggers from this connection (limit 2 per 10 s); retry in 5000 ms");

      clock.advance(Duration.ofMillis(4_999));
      assertRateLimited(trigger(alice, "lobby", "x"), 1, "retry in 1 ms");
      clock.advance(Duration.ofMillis(1));
      assertThat(trigger(alice, "lobby", "x").path("ok").asBoolean()).isTrue();
      assertRateLimited(trigger(alice, "lobby", "x"), 5_000, "retry in 5000 ms");

      clock.advance(Duration.ofSeconds(60));
      assertThat(trigger(alice, "lobby", "x").path("ok").asBoolean()).isTrue();
      assertThat(trigger(alice, "lobby", "x").path("ok").asBoolean()).isTrue();
      assertThat(trigger(alice, "lobby", "x").path("ok").asBoolean())
          .as("a full bucket holds the burst, no more")
          .isFalse();
    }
  }

  @Test
  void trigger_withoutAck_getsDialogueErrorWithRetryAfter() {
    RateLimits limits = RateLimits.builder().triggersPerConnection(RateLimit.perSecond(1)).build();
    try (Dialogue server = builder(limits).build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      alice.join("lobby");
      alice.trigger("lobby", "x", Map.of());
      alice.trigger("lobby", "x", Map.of());
      JsonNode error = alice.takeError();
      assertThat(error.path("code").asText()).isEqualTo("RATE_LIMITED");
      assertThat(error.path("retryAfterMs").asLong()).isEqualTo(1_000);
    }
  }

  @Test
  void triggersPerUser_fromManyConnectionsAtOnce_admitExactlyTheBurst() throws Exception {
    int connections = 8;
    int each = 40;
    int burst = 100;
    RateLimits limits =
        RateLimits.builder()
            .triggersPerConnection(null)
            .triggersPerUser(RateLimit.perMinute(burst))
            .build();
    ExecutorService threads = Executors.newFixedThreadPool(connections);
    List<RawClient> clients = new ArrayList<>();
    try (Dialogue server = builder(limits).build().start()) {
      for (int i = 0; i < connections; i++) {
        RawClient c = RawClient.connectAs(server.port(), "alice");
        clients.add(c);
        c.join("lobby");
      }
      CountDownLatch start = new CountDownLatch(1);
      List<Future<List<JsonNode>>> results = new ArrayList<>();
      for (RawClient c : clients) {
        results.add(
            threads.submit(
                () -> {
                  start.await();
                  List<CompletableFuture<JsonNode>> acks = new ArrayList<>();
                  for (int n = 0; n < each; n++) {
                    acks.add(
                        c.requestAsync(
                            Wire.TRIGGER,
                            Map.of("roomId", "lobby", "event", "x", "data", Map.of("n", n))));
                  }
                  List<JsonNode> got = new ArrayList<>();
                  for (CompletableFuture<JsonNode> ack : acks) {
                    got.add(ack.get(30, TimeUnit.SECONDS));
                  }
                  return got;
                }));
      }
      start.countDown();
      int ok = 0;
      int limited = 0;
      for (Future<List<JsonNode>> f : results) {
        for (JsonNode ack : f.get(60, TimeUnit.SECONDS)) {
          if (ack.path("ok").asBoolean()) {
            ok++;
          } else {
            assertThat(ack.path("error").path("code").asText()).isEqualTo("RATE_LIMITED");
            assertThat(ack.path("error").path("message").asText())
                .contains("Too many triggers from user 'alice'");
            limited++;
          }
        }
      }
      assertThat(ok).as("triggers admitted of %s", connections * each).isEqualTo(burst);
      assertThat(limited).isEqualTo(connections * each - burst);

      // Another user has a bucket of its own.
      try (RawClient bob = RawClient.connectAs(server.port(), "bob")) {
        bob.join("lobby");
        assertThat(trigger(bob, "lobby", "x").path("ok").asBoolean()).isTrue();
      }
    } finally {
      threads.shutdownNow();
      clients.forEach(RawClient::close);
    }
  }

  @Test
  void roomLimit_isSharedByEveryMember_andAppliesOnlyToThatRoom() {
    RoomConfig limited =
        RoomConfig.builder("busy", "Busy")
            .anyEvent()
            .rateLimit(RateLimit.of(2, Duration.ofSeconds(1)))
            .build();
    try (Dialogue server = builder(RateLimits.defaults()).room(limited).build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice");
        RawClient bob = RawClient.connectAs(server.port(), "bob")) {
      alice.join("busy");
      bob.join("busy");
      bob.join("lobby");
      assertThat(trigger(alice, "busy", "x").path("ok").asBoolean()).isTrue();
      assertThat(trigger(bob, "busy", "x").path("ok").asBoolean()).isTrue();
      assertRateLimited(
          trigger(bob, "busy", "x"), 500, "Too many triggers in room 'busy' (limit 2 per s)");
      assertThat(trigger(bob, "lobby", "x").path("ok").asBoolean()).as("another room").isTrue();
      // Server code is not limited.
      server.trigger("busy", "x", Map.of("n", 1));
      clock.advance(Duration.ofMillis(500));
      assertThat(trigger(alice, "busy", "x").path("ok").asBoolean()).isTrue();
    }
  }

  @Test
  void serverWideRoomLimit_appliesToEveryRoomOnItsOwn() {
    RateLimits limits = RateLimits.builder().triggersPerRoom(RateLimit.perMinute(1)).build();
    try (Dialogue server = builder(limits).build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      alice.join("lobby");
      alice.join("tiny");
      assertThat(trigger(alice, "lobby", "x").path("ok").asBoolean()).isTrue();
      assertThat(trigger(alice, "tiny", "x").path("ok").asBoolean()).isTrue();
      assertRateLimited(trigger(alice, "lobby", "x"), 60_000, "room 'lobby'");
    }
  }

  @Test
  void nonMembers_doNotSpendARoomsBudget() {
    RoomConfig limited =
        RoomConfig.builder("busy", "Busy").anyEvent().rateLimit(RateLimit.perMinute(1)).build();
    try (Dialogue server = builder(RateLimits.defaults()).room(limited).build().start();
        RawClient mallory = RawClient.connectAs(server.port(), "mallory");
        RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      for (int i = 0; i < 5; i++) {
        assertThat(trigger(mallory, "busy", "x").path("error").path("code").asText())
            .isEqualTo("NOT_IN_ROOM");
      }
      alice.join("busy");
      assertThat(trigger(alice, "busy", "x").path("ok").asBoolean()).isTrue();
    }
  }

  @Test
  void eventLimit_isPerConnectionAndRoom_andLeavesOtherEventsAlone() {
    RoomConfig board =
        RoomConfig.builder("board", "Board")
            .events(CURSOR, EventDefinition.untyped("note"))
            .build();
    RoomConfig other = RoomConfig.builder("other", "Other").events(CURSOR).build();
    try (Dialogue server = builder(RateLimits.defaults()).room(board, other).build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice");
        RawClient bob = RawClient.connectAs(server.port(), "bob")) {
      alice.join("board");
      alice.join("other");
      bob.join("board");
      for (int i = 0; i < 3; i++) {
        assertThat(trigger(alice, "board", "cursor").path("ok").asBoolean()).isTrue();
      }
      assertRateLimited(
          trigger(alice, "board", "cursor"),
          1_000,
          "Too many 'cursor' events from this connection in room 'board' (limit 3 per 3 s)");
      assertThat(trigger(alice, "board", "note").path("ok").asBoolean())
          .as("another event")
          .isTrue();
      assertThat(trigger(alice, "other", "cursor").path("ok").asBoolean())
          .as("another room")
          .isTrue();
      assertThat(trigger(bob, "board", "cursor").path("ok").asBoolean())
          .as("another sender")
          .isTrue();
    }
  }

  @Test
  void eventLimit_ofAGlobalDefinition_appliesInRoomsThatAcceptAnyEvent() {
    try (Dialogue server = builder(RateLimits.defaults()).event(CURSOR).build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      alice.join("lobby");
      for (int i = 0; i < 3; i++) {
        assertThat(trigger(alice, "lobby", "cursor").path("ok").asBoolean()).isTrue();
      }
      assertThat(trigger(alice, "lobby", "cursor").path("error").path("code").asText())
          .isEqualTo("RATE_LIMITED");
    }
  }

  @Test
  void commands_perConnectionAndPerUser() {
    RateLimits limits =
        RateLimits.builder()
            .commandsPerConnection(RateLimit.perSecond(2))
            .commandsPerUser(RateLimit.perSecond(3))
            .build();
    try (Dialogue server = builder(limits).build().start();
        RawClient a1 = RawClient.connectAs(server.port(), "alice");
        RawClient a2 = RawClient.connectAs(server.port(), "alice")) {
      Map<String, Object> sum = Map.of("command", "sum", "data", Map.of("a", 1, "b", 2));
      assertThat(a1.request(Wire.REQUEST, sum).path("ok").asBoolean()).isTrue();
      assertThat(a1.request(Wire.REQUEST, sum).path("ok").asBoolean()).isTrue();
      assertRateLimited(
          a1.request(Wire.REQUEST, sum), 500, "Too many commands from this connection");
      assertThat(a2.request(Wire.REQUEST, sum).path("ok").asBoolean()).isTrue();
      assertRateLimited(a2.request(Wire.REQUEST, sum), 334, "Too many commands from user 'alice'");
      // Triggers have their own budget.
      a2.join("lobby");
      assertThat(trigger(a2, "lobby", "x").path("ok").asBoolean()).isTrue();
    }
  }

  @Test
  void historyRateLimit_carriesRetryAfterToo() {
    try (Dialogue server =
            builder(RateLimits.defaults())
                .historyRateLimit(1, Duration.ofSeconds(30))
                .build()
                .start();
        RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      alice.join("chat");
      Map<String, Object> page = Map.of("roomId", "chat", "eventName", "message");
      assertThat(alice.request(Wire.GET_HISTORY, page).path("ok").asBoolean()).isTrue();
      clock.advance(Duration.ofSeconds(10));
      assertRateLimited(alice.request(Wire.GET_HISTORY, page), 20_000, "Too many history requests");
    }
  }

  @Test
  void defaults_letABurstOfThousandsOfTriggersFromOneConnectionThrough() throws Exception {
    // The clock stands still: the whole burst comes out of the bucket, none of it from refill.
    try (Dialogue server = builder(RateLimits.defaults()).build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      alice.join("lobby");
      int ok = 0;
      for (int window = 0; window < 4; window++) {
        // 500 in flight at once, below maxPendingRequests (1,000).
        List<CompletableFuture<JsonNode>> acks = new ArrayList<>();
        for (int n = 0; n < 500; n++) {
          acks.add(
              alice.requestAsync(
                  Wire.TRIGGER, Map.of("roomId", "lobby", "event", "x", "data", Map.of("n", n))));
        }
        for (CompletableFuture<JsonNode> ack : acks) {
          JsonNode answer = ack.get(30, TimeUnit.SECONDS);
          assertThat(answer.path("ok").asBoolean()).as("ack %s", answer).isTrue();
          ok++;
        }
      }
      assertThat(ok).isEqualTo(2_000);
    }
  }

  @Test
  void defaults_limitOnlyEachConnection_farAboveTheBenchmarks() {
    RateLimits defaults = RateLimits.defaults();
    assertThat(defaults.triggersPerConnection()).isEqualTo(RateLimit.perSecond(10_000));
    assertThat(defaults.commandsPerConnection()).isEqualTo(RateLimit.perSecond(10_000));
    assertThat(defaults.triggersPerUser()).isNull();
    assertThat(defaults.commandsPerUser()).isNull();
    assertThat(defaults.triggersPerRoom()).isNull();
    assertThat(defaults.connectsPerAddress()).isNull();
    assertThat(defaults.connectsPerUser()).isNull();
    assertThat(RateLimits.none().triggersPerConnection()).isNull();
    assertThat(RateLimits.builder().build()).isEqualTo(defaults);
  }

  @Test
  void rateLimit_checksItsArguments() {
    assertThatThrownBy(() -> RateLimit.of(0, Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("permits must be positive but was 0");
    assertThatThrownBy(() -> RateLimit.of(1, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("period must be at least 1 ms but was PT0S");
    assertThatThrownBy(() -> RateLimit.perSecond(5).burst(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("burst must be positive but was 0");
    assertThatThrownBy(() -> RateLimits.builder().maxKeys(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxKeys must be positive but was 0");
    RateLimit limit = RateLimit.perMinute(120).burst(10);
    assertThat(limit.intervalNanos()).isEqualTo(TimeUnit.MILLISECONDS.toNanos(500));
    assertThat(limit.refillTime()).isEqualTo(Duration.ofSeconds(5));
    assertThat(limit).hasToString("120 per PT1M (burst 10)");
  }

  @Test
  void burst_belowTheRate_admitsOnlyTheBurstAtOnce() {
    RateLimits limits =
        RateLimits.builder()
            .triggersPerConnection(RateLimit.of(10, Duration.ofSeconds(10)).burst(2))
            .build();
    try (Dialogue server = builder(limits).build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      alice.join("lobby");
      assertThat(trigger(alice, "lobby", "x").path("ok").asBoolean()).isTrue();
      assertThat(trigger(alice, "lobby", "x").path("ok").asBoolean()).isTrue();
      assertRateLimited(
          trigger(alice, "lobby", "x"),
          1_000,
          "(limit 10 per 10 s, bursts of 2); retry in 1000 ms");
      clock.advance(Duration.ofSeconds(30));
      assertThat(trigger(alice, "lobby", "x").path("ok").asBoolean()).isTrue();
      assertThat(trigger(alice, "lobby", "x").path("ok").asBoolean()).isTrue();
      assertThat(trigger(alice, "lobby", "x").path("ok").asBoolean()).isFalse();
    }
  }
}
