package dev.dialogue;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dialogue.testing.RawClient;
import dev.dialogue.testing.RawWebSocket;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Until the authenticator accepts it, a connection receives nothing and can do nothing: no room
 * list, no room traffic, no broadcasts, whatever it sends (PROTOCOL.md 2, DESIGN.md rule 8). In
 * development mode identities come from {@code auth.userId}, never from a token.
 */
@Timeout(60)
class UnauthenticatedAccessTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** What an unauthenticated session tries: every request, with and without acks. */
  private static final List<String> INTRUSIONS =
      List.of(
          "42[\"dialogue:listRooms\"]",
          "4217[\"dialogue:listRooms\"]",
          "42[\"dialogue:join\",{\"roomId\":\"chat\"}]",
          "4218[\"dialogue:join\",{\"roomId\":\"lobby\"}]",
          "42[\"dialogue:subscribeAll\",{\"roomId\":\"chat\"}]",
          "42[\"dialogue:trigger\",{\"roomId\":\"chat\",\"event\":\"message\",\"data\":{\"text\":\"intruder\"}}]",
          "4219[\"dialogue:getHistory\",{\"roomId\":\"chat\",\"eventName\":\"message\"}]",
          "42[\"dialogue:createRoom\",{\"id\":\"evil\",\"name\":\"Evil\"}]",
          "42[\"dialogue:getPresence\",{\"roomId\":\"chat\"}]");

  @Nested
  class WithAuthenticator {
    private final List<Map<String, Object>> handshakes = new CopyOnWriteArrayList<>();
    private final AtomicInteger rooms = new AtomicInteger();
    private Dialogue server;
    private RawClient alice;
    private RawClient bob;

    @BeforeEach
    void start() {
      server =
          TestServers.builder()
              .authenticator(
                  handshake -> {
                    handshakes.add(handshake.auth());
                    String token = handshake.authString("token");
                    if (token == null) {
                      return AuthResult.reject("token required");
                    }
                    return token.startsWith("t-")
                        ? AuthResult.accept(token.substring(2))
                        : AuthResult.reject("unknown token");
                  })
              .build()
              .start();
      alice = RawClient.connect(server.port(), Map.of("token", "t-alice"));
      bob = RawClient.connect(server.port(), Map.of("token", "t-bob"));
      for (RawClient c : List.of(alice, bob)) {
        assertThat(c.request("dialogue:join", Map.of("roomId", "chat")).path("ok").asBoolean())
            .isTrue();
        assertThat(c.request("dialogue:join", Map.of("roomId", "lobby")).path("ok").asBoolean())
            .isTrue();
      }
    }

    @AfterEach
    void stop() {
      alice.close();
      bob.close();
      server.stop();
    }

    @Test
    void clientWithoutAuth_isPassedToAuthenticatorWithEmptyObject_andRefused() {
      try (RawClient anonymous = RawClient.open(server.port(), null, true)) {
        assertThat(anonymous.connectError()).isEqualTo("token required");
        assertThat(handshakes).contains(Map.of());
        assertThat(anonymous.received()).noneMatch(r -> r.name().startsWith("dialogue:"));
      }
      assertThat(server.allClients())
          .extracting(ClientConnection::userId)
          .containsOnly("alice", "bob");
    }

    @Test
    void rawConnectWithoutAuth_isRefused_andThenReceivesNothingWhileRoomsAreBusy() {
      try (RawWebSocket ws = RawWebSocket.open(server.port())) {
        int before = handshakes.size();
        assertThat(ws.connect("")).isEqualTo("44{\"message\":\"token required\"}");
        assertThat(handshakes.subList(before, handshakes.size())).containsExactly(Map.of());

        intrudeWhileRoomsAreBusy(ws);
        assertNothingButEngineIoUntilAccepted(ws);
      }
    }

    @Test
    void badToken_getsConnectErrorWithTheReason() {
      try (RawClient mallory = RawClient.open(server.port(), Map.of("token", "forged"), false)) {
        assertThat(mallory.connectError()).isEqualTo("unknown token");
        assertThat(mallory.isConnected()).isFalse();
      }
      assertThat(handshakes).contains(Map.of("token", "forged"));
      assertThat(server.allClients()).hasSize(2);
    }

    @Test
    void rawSocketThatNeverConnects_receivesOnlyEngineIoPackets_whatever_itSends() {
      try (RawWebSocket ws = RawWebSocket.open(server.port())) {
        intrudeWhileRoomsAreBusy(ws);
        assertNothingButEngineIoUntilAccepted(ws);
      }
    }

    @Test
    void rawSocketRefusedForBadAuth_getsConnectErrorThenNothing() {
      try (RawWebSocket ws = RawWebSocket.open(server.port())) {
        assertThat(ws.connect("{\"token\":\"forged\"}"))
            .isEqualTo("44{\"message\":\"unknown token\"}");

        intrudeWhileRoomsAreBusy(ws);
        assertNothingButEngineIoUntilAccepted(ws);
      }
    }

    @Test
    void connectToAnotherNamespace_getsInvalidNamespace_andAuthenticatesNothing() {
      try (RawWebSocket ws = RawWebSocket.open(server.port())) {
        int before = handshakes.size();
        ws.send("40/admin,{\"token\":\"t-carol\"}");
        assertThat(ws.takePrefix("44/admin,"))
            .isEqualTo("44/admin,{\"message\":\"Invalid namespace\"}");
        ws.send("42/admin,[\"dialogue:listRooms\"]");
        ws.send("425/admin,[\"dialogue:join\",{\"roomId\":\"chat\"}]");

        intrudeWhileRoomsAreBusy(ws);
        assertThat(handshakes).hasSize(before);
        assertNothingButEngineIoUntilAccepted(ws);
      }
    }

    /**
     * Sends every request from the unauthenticated session, then makes room traffic and a broadcast
     * that bob (authenticated) must see, so that anything leaking would be on its way.
     */
    private void intrudeWhileRoomsAreBusy(RawWebSocket ws) {
      INTRUSIONS.forEach(ws::send);
      JsonNode sent =
          alice.request(
              "dialogue:trigger",
              Map.of("roomId", "chat", "event", "message", "data", Map.of("text", "members only")));
      assertThat(sent.path("ok").asBoolean()).isTrue();
      alice.emit(
          "dialogue:trigger",
          Map.of("roomId", "lobby", "event", "anything", "data", Map.of("n", 1)));
      String roomId = "side-" + rooms.incrementAndGet();
      assertThat(
              alice
                  .request("dialogue:createRoom", Map.of("id", roomId, "name", "Side"))
                  .path("ok")
                  .asBoolean())
          .isTrue();

      // The positive control: an authenticated member receives all of it.
      assertThat(bob.take("dialogue:event").data().path("data").path("text").asText())
          .isEqualTo("members only");
      assertThat(bob.take("dialogue:event").data().path("event").asText()).isEqualTo("anything");
      assertThat(bob.take("dialogue:roomCreated").data().path("id").asText()).isEqualTo(roomId);
      bob.barrier();
      assertThat(bob.received()).noneMatch(r -> r.data().toString().contains("intruder"));
      assertThat(server.room("evil")).isEmpty();
      assertThat(server.room("chat").orElseThrow().size()).isEqualTo(2);
      assertThat(server.room("chat").orElseThrow().history("message", 0, 50))
          .extracting(m -> m.data().path("text").asText())
          .doesNotContain("intruder");
    }

    /**
     * The ordering barrier: the session finally authenticates and asks for the room list with an
     * ack, which is answered after everything queued for it earlier. Until the CONNECT answer, only
     * Engine.IO packets (open, ping) may have arrived; after it, only its own replies.
     */
    private void assertNothingButEngineIoUntilAccepted(RawWebSocket ws) {
      assertThat(ws.connect("{\"token\":\"t-carol\"}")).startsWith("40{\"sid\":");
      ws.send("4299[\"dialogue:listRooms\"]");
      String ack = ws.takePrefix("4399[");
      assertThat(ack).contains("\"ok\":true").contains("\"id\":\"chat\"");

      List<String> all = ws.all();
      int accepted =
          all.indexOf(
              all.stream().filter(f -> f.startsWith("40{\"sid\"")).findFirst().orElseThrow());
      assertThat(all.subList(0, accepted))
          .as("frames before the session was accepted")
          .allMatch(
              f -> f.startsWith("0{") || f.equals("2") || f.startsWith("44"),
              "Engine.IO packets or the CONNECT error");
      assertThat(all.subList(accepted, all.size()))
          .as("frames after the session was accepted")
          .noneMatch(
              f ->
                  f.contains("members only")
                      || f.contains("intruder")
                      || f.contains("dialogue:event")
                      || f.startsWith("4317")
                      || f.startsWith("4318")
                      || f.startsWith("4319")
                      || f.startsWith("435"));
      assertThat(server.clients("carol")).hasSize(1);
    }
  }

  @Nested
  class DevelopmentMode {
    private final List<ClientConnection> connected = new CopyOnWriteArrayList<>();
    private Dialogue server;

    @BeforeEach
    void start() {
      server =
          TestServers.builder()
              .listener(
                  new DialogueListener() {
                    @Override
                    public void onConnected(ClientConnection client) {
                      connected.add(client);
                    }
                  })
              .build()
              .start();
    }

    @AfterEach
    void stop() {
      server.stop();
    }

    @Test
    void authUserId_becomesTheUserId_andOtherKeysButTokenBecomeMeta() {
      try (RawClient ann =
          RawClient.open(
              server.port(), Map.of("userId", "ann", "role", "admin", "token", "secret"), true)) {
        assertThat(ann.awaitConnected().path("userId").asText()).isEqualTo("ann");
        ClientConnection connection = server.clients("ann").get(0);
        assertThat(connection.meta()).isEqualTo(Map.of("role", "admin"));
      }
    }

    @Test
    void tokenWithoutUserId_neverBecomesTheUserId() {
      try (RawClient client =
          RawClient.open(server.port(), Map.of("token", "secret-token-123"), true)) {
        String userId = client.awaitConnected().path("userId").asText();
        assertThat(userId).startsWith("anon-").doesNotContain("secret-token-123");
        assertThat(server.clients("secret-token-123")).isEmpty();
        assertThat(server.clients(userId).get(0).meta()).doesNotContainKey("token");
      }
    }

    @Test
    void connectionWithoutAuth_getsAFreshAnonymousId() throws Exception {
      try (RawClient first = RawClient.open(server.port(), null, true);
          RawWebSocket second = RawWebSocket.open(server.port())) {
        String firstId = first.awaitConnected().path("userId").asText();
        assertThat(second.connect("")).startsWith("40{\"sid\":");
        String frame = second.takePrefix("42[\"dialogue:connected\"");
        JsonNode payload = MAPPER.readTree(frame.substring(2)).get(1);
        String secondId = payload.path("userId").asText();

        assertThat(firstId).startsWith("anon-");
        assertThat(secondId).startsWith("anon-").isNotEqualTo(firstId);
        assertThat(payload.path("clientId").asText()).isNotBlank().isNotEqualTo(secondId);
        // onConnected runs after dialogue:connected is sent: wait for it.
        TestServers.awaitState(
            "onConnected for both",
            () ->
                connected.stream()
                    .map(ClientConnection::userId)
                    .toList()
                    .containsAll(List.of(firstId, secondId)));
      }
    }
  }
}
