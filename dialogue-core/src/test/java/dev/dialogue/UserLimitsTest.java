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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The handshake's limits (attempts per address and per user, connections per user) and the rooms
 * per user: refusals with a clear error, exact under concurrency, places given back.
 */
@Timeout(60)
class UserLimitsTest {
  private final MutableClock clock = MutableClock.atFixedStart();

  /** Opens without waiting; the test awaits connected or the refusal. */
  private static RawClient open(Dialogue server, String userId) {
    return RawClient.open(server.port(), Map.of("userId", userId), true);
  }

  private static JsonNode refusal(RawClient client) {
    return client.take("connect_error").data();
  }

  @Test
  void connectsPerAddress_refusesTheHandshakeWithRetryAfter_untilTheClockMoves() {
    RateLimits limits =
        RateLimits.builder().connectsPerAddress(RateLimit.of(3, Duration.ofMinutes(1))).build();
    List<RawClient> clients = new ArrayList<>();
    try (Dialogue server = TestServers.builder().clock(clock).rateLimits(limits).build().start()) {
      for (int i = 0; i < 3; i++) {
        clients.add(RawClient.connectAs(server.port(), "user" + i));
      }
      RawClient fourth = open(server, "someone");
      clients.add(fourth);
      JsonNode error = refusal(fourth);
      assertThat(error.path("message").asText())
          .isEqualTo(
              "Too many connection attempts from this address (limit 3 per 60 s); retry in 20000"
                  + " ms");
      assertThat(error.path("data").path("code").asText()).isEqualTo("RATE_LIMITED");
      assertThat(error.path("data").path("retryAfterMs").asLong()).isEqualTo(20_000);
      assertThat(server.clients("someone")).isEmpty();

      clock.advance(Duration.ofSeconds(20));
      clients.add(RawClient.connectAs(server.port(), "someone"));
      assertThat(server.clients("someone")).hasSize(1);
    } finally {
      clients.forEach(RawClient::close);
    }
  }

  @Test
  void connectsPerUser_countsOnlyThatUsersAttempts() {
    RateLimits limits = RateLimits.builder().connectsPerUser(RateLimit.perMinute(2)).build();
    List<RawClient> clients = new ArrayList<>();
    try (Dialogue server = TestServers.builder().clock(clock).rateLimits(limits).build().start()) {
      clients.add(RawClient.connectAs(server.port(), "alice"));
      clients.add(RawClient.connectAs(server.port(), "alice"));
      RawClient third = open(server, "alice");
      clients.add(third);
      JsonNode error = refusal(third);
      assertThat(error.path("message").asText())
          .startsWith("Too many connection attempts of user 'alice' (limit 2 per 60 s)");
      assertThat(error.path("data").path("retryAfterMs").asLong()).isEqualTo(30_000);
      clients.add(RawClient.connectAs(server.port(), "bob"));
      assertThat(server.clients("alice")).hasSize(2);
    } finally {
      clients.forEach(RawClient::close);
    }
  }

  @Test
  void maxConnectionsPerUser_refusesOneMore_andTakesItOnceOneEnds() {
    List<RawClient> clients = new ArrayList<>();
    try (Dialogue server = TestServers.builder().maxConnectionsPerUser(2).build().start()) {
      RawClient first = RawClient.connectAs(server.port(), "alice");
      clients.add(first);
      clients.add(RawClient.connectAs(server.port(), "alice"));
      RawClient third = open(server, "alice");
      clients.add(third);
      JsonNode error = refusal(third);
      assertThat(error.path("message").asText())
          .isEqualTo("User 'alice' already has 2 connections, the most allowed");
      assertThat(error.path("data").path("code").asText()).isEqualTo("TOO_MANY_CONNECTIONS");
      assertThat(error.path("data").has("retryAfterMs")).isFalse();
      clients.add(RawClient.connectAs(server.port(), "bob"));

      first.close();
      TestServers.awaitState(
          "alice's first connection ended", () -> server.clients("alice").size() == 1);
      clients.add(RawClient.connectAs(server.port(), "alice"));
      assertThat(server.clients("alice")).hasSize(2);
    } finally {
      clients.forEach(RawClient::close);
    }
  }

  @Test
  void maxConnectionsPerUser_isExactUnderConcurrentHandshakes() {
    int max = 3;
    int attempts = 10;
    List<RawClient> clients = new ArrayList<>();
    try (Dialogue server = TestServers.builder().maxConnectionsPerUser(max).build().start()) {
      for (int i = 0; i < attempts; i++) {
        clients.add(open(server, "carol"));
      }
      int connected = 0;
      int refused = 0;
      for (RawClient c : clients) {
        RawClient.Received first =
            c.take(
                r -> r.name().equals("connect_error") || r.name().equals(Wire.CONNECTED),
                "connected or refused");
        if (first.name().equals(Wire.CONNECTED)) {
          connected++;
        } else {
          assertThat(first.data().path("data").path("code").asText())
              .isEqualTo("TOO_MANY_CONNECTIONS");
          refused++;
        }
      }
      assertThat(connected).isEqualTo(max);
      assertThat(refused).isEqualTo(attempts - max);
      assertThat(server.clients("carol")).hasSize(max);
    } finally {
      clients.forEach(RawClient::close);
    }
  }

  @Test
  void maxRoomsPerUser_countsDistinctRoomsOverTheUsersConnections() {
    List<RawClient> clients = new ArrayList<>();
    try (Dialogue server = TestServers.builder().maxRoomsPerUser(2).build().start()) {
      RawClient a1 = RawClient.connectAs(server.port(), "alice");
      RawClient a2 = RawClient.connectAs(server.port(), "alice");
      clients.add(a1);
      clients.add(a2);
      a1.join("chat");
      a1.join("lobby");
      JsonNode refused = a2.request(Wire.JOIN, Map.of("roomId", "tiny"));
      assertThat(refused.path("ok").asBoolean()).isFalse();
      assertThat(refused.path("error").path("code").asText()).isEqualTo("TOO_MANY_ROOMS");
      assertThat(refused.path("error").path("message").asText())
          .isEqualTo("User 'alice' is in 2 rooms, the most allowed");
      assertThat(a2.request(Wire.JOIN, Map.of("roomId", "chat")).path("ok").asBoolean())
          .as("a room the user is in already is no new room")
          .isTrue();

      // Server code meets the same limit.
      ClientConnection second =
          server.clients("alice").stream()
              .filter(c -> c.id().equals(a2.clientId()))
              .findFirst()
              .orElseThrow();
      assertThatThrownBy(() -> second.join("tiny"))
          .isInstanceOf(DialogueException.class)
          .extracting(e -> ((DialogueException) e).code())
          .isEqualTo(ErrorCode.TOO_MANY_ROOMS);

      // Leaving gives the place back; chat still counts while a2 is in it.
      assertThat(a1.request(Wire.LEAVE, Map.of("roomId", "lobby")).path("ok").asBoolean()).isTrue();
      a1.request(Wire.LEAVE, Map.of("roomId", "chat"));
      assertThat(a2.request(Wire.JOIN, Map.of("roomId", "tiny")).path("ok").asBoolean()).isTrue();
      assertThat(a1.request(Wire.JOIN, Map.of("roomId", "lobby")).path("ok").asBoolean())
          .as("chat and tiny are alice's two rooms")
          .isFalse();

      // A connection's end gives its rooms back.
      a2.close();
      TestServers.awaitState("a2 ended", () -> server.clients("alice").size() == 1);
      assertThat(a1.request(Wire.JOIN, Map.of("roomId", "lobby")).path("ok").asBoolean()).isTrue();
      // And a refused join (the room full) takes none.
      try (RawClient bob = RawClient.connectAs(server.port(), "bob")) {
        bob.join("tiny");
        assertThat(
                a1.request(Wire.JOIN, Map.of("roomId", "tiny")).path("error").path("code").asText())
            .isEqualTo("ROOM_FULL");
        assertThat(a1.request(Wire.JOIN, Map.of("roomId", "chat")).path("ok").asBoolean()).isTrue();
      }
    } finally {
      clients.forEach(RawClient::close);
    }
  }

  @Test
  void maxRoomsPerUser_isExactUnderConcurrentJoins() throws Exception {
    int connections = 6;
    List<RawClient> clients = new ArrayList<>();
    List<RoomConfig> rooms = new ArrayList<>();
    for (int i = 0; i < connections; i++) {
      rooms.add(RoomConfig.builder("r" + i, "R" + i).anyEvent().build());
    }
    try (Dialogue server =
        TestServers.builder()
            .maxRoomsPerUser(3)
            .room(rooms.toArray(RoomConfig[]::new))
            .build()
            .start()) {
      for (int i = 0; i < connections; i++) {
        clients.add(RawClient.connectAs(server.port(), "dave"));
      }
      List<java.util.concurrent.CompletableFuture<JsonNode>> joins = new ArrayList<>();
      for (int i = 0; i < connections; i++) {
        joins.add(clients.get(i).requestAsync(Wire.JOIN, Map.of("roomId", "r" + i)));
      }
      int ok = 0;
      for (var join : joins) {
        JsonNode ack = join.get(10, java.util.concurrent.TimeUnit.SECONDS);
        if (ack.path("ok").asBoolean()) {
          ok++;
        } else {
          assertThat(ack.path("error").path("code").asText()).isEqualTo("TOO_MANY_ROOMS");
        }
      }
      assertThat(ok).isEqualTo(3);
      assertThat(server.clientRooms("dave")).hasSize(3);
    } finally {
      clients.forEach(RawClient::close);
    }
  }

  @Test
  void options_checkTheirArguments() {
    assertThatThrownBy(() -> Dialogue.builder().maxConnectionsPerUser(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxConnectionsPerUser must be positive but was 0");
    assertThatThrownBy(() -> Dialogue.builder().maxRoomsPerUser(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxRoomsPerUser must be positive but was -1");
    assertThatThrownBy(() -> Dialogue.builder().rateLimits(null))
        .isInstanceOf(NullPointerException.class);
  }
}
