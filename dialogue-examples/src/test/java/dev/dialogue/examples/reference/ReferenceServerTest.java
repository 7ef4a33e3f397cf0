package dev.dialogue.examples.reference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.dialogue.Dialogue;
import dev.dialogue.testing.RawClient;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(120)
class ReferenceServerTest {
  private static final String SECRET = "reference-test-secret-0123456789abcdef";

  private final List<AutoCloseable> resources = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (int i = resources.size() - 1; i >= 0; i--) {
      resources.get(i).close();
    }
  }

  // --- chat ---

  @Test
  void chat_message_rejectsBlankAndOverlongText_andAcceptsUpTo2000Chars() {
    RawClient alice = devClient(devServer(), "alice", null);
    alice.join("chat");

    assertThat(
            trigger(alice, "chat", "message", Map.of("text", "  "))
                .path("error")
                .path("code")
                .asText())
        .isEqualTo("VALIDATION_FAILED");
    JsonNode tooLong = trigger(alice, "chat", "message", Map.of("text", "x".repeat(2001)));
    assertThat(tooLong.path("error").path("code").asText()).isEqualTo("VALIDATION_FAILED");
    assertThat(tooLong.path("error").path("message").asText())
        .startsWith("Event 'message' validation failed: text");
    assertThat(trigger(alice, "chat", "message", Map.of()).path("error").path("code").asText())
        .isEqualTo("VALIDATION_FAILED");
    assertThat(
            trigger(alice, "chat", "message", Map.of("text", "y".repeat(2000)))
                .path("ok")
                .asBoolean())
        .isTrue();
  }

  @Test
  void chat_typing_requiresIsTyping_andIsNeverKeptInHistory() {
    RawClient alice = devClient(devServer(), "alice", null);
    alice.join("chat");

    assertThat(trigger(alice, "chat", "typing", Map.of()).path("error").path("message").asText())
        .startsWith("Event 'typing' validation failed: isTyping");
    assertThat(trigger(alice, "chat", "typing", Map.of("isTyping", true)).path("ok").asBoolean())
        .isTrue();
    assertThat(history(alice, "chat", "typing").path("events")).isEmpty();
  }

  @Test
  void chat_otherEvents_areNotAllowed() {
    RawClient alice = devClient(devServer(), "alice", null);
    alice.join("chat");

    JsonNode ack = trigger(alice, "chat", "dance", Map.of());

    assertThat(ack.path("error").path("code").asText()).isEqualTo("EVENT_NOT_ALLOWED");
  }

  @Test
  void chat_participantsAreSubscribedToMessageOnly_byDefault() {
    int port = devServer();
    RawClient alice = devClient(port, "alice", null);
    RawClient bob = devClient(port, "bob", null);
    alice.join("chat");
    bob.join("chat");

    trigger(bob, "chat", "typing", Map.of("isTyping", true));
    trigger(bob, "chat", "message", Map.of("text", "hello"));

    JsonNode message = alice.take("dialogue:event").data();
    assertThat(message.path("event").asText()).isEqualTo("message");
    assertThat(message.path("from").asText()).isEqualTo("bob");
    assertThat(message.path("data").path("text").asText()).isEqualTo("hello");
    // One order per room: had typing been delivered, it would have arrived before the message.
    assertThat(alice.received("dialogue:event")).isEmpty();
  }

  @Test
  void chat_keepsTheNewest100Messages_andSendsTheNewest50OnJoin() {
    int port = devServer();
    RawClient alice = devClient(port, "alice", null);
    alice.join("chat");
    for (int i = 1; i <= 101; i++) {
      alice.emit(
          "dialogue:trigger",
          Map.of("roomId", "chat", "event", "message", "data", Map.of("text", "m" + i)));
    }

    JsonNode page = history(alice, "chat", "message");
    RawClient bob = devClient(port, "bob", null);
    bob.join("chat");
    JsonNode sync = bob.take("dialogue:history").data();

    assertThat(texts(page.path("events"))).containsExactlyInAnyOrderElementsOf(range(2, 101));
    assertThat(sync.path("roomId").asText()).isEqualTo("chat");
    List<String> synced = texts(sync.path("events"));
    assertThat(synced)
        .hasSize(50)
        .doesNotHaveDuplicates()
        .isSubsetOf(range(2, 101))
        .contains("m101");
    // The newest 50 by timestamp: events that share a millisecond may be cut either way.
    long oldestSynced = min(timestamps(sync.path("events")));
    for (JsonNode event : page.path("events")) {
      if (!synced.contains(event.path("data").path("text").asText())) {
        assertThat(event.path("timestamp").asLong()).isLessThanOrEqualTo(oldestSynced);
      }
    }
  }

  @Test
  void chat_presence_announcesWhoJoinsAndLeaves() {
    int port = devServer();
    RawClient alice = devClient(port, "alice", null);
    RawClient bob = devClient(port, "bob", null);
    alice.join("chat");
    bob.join("chat");

    alice.take(
        r -> r.name().equals("dialogue:presence") && contains(r.data().path("joins"), "bob"),
        "bob joins");
    JsonNode state = alice.request("dialogue:getPresence", Map.of("roomId", "chat"));
    bob.emit("dialogue:leave", Map.of("roomId", "chat"));
    alice.take(
        r -> r.name().equals("dialogue:presence") && contains(r.data().path("leaves"), "bob"),
        "bob leaves");

    assertThat(state.path("users").findValuesAsText("userId"))
        .containsExactlyInAnyOrder("alice", "bob");
  }

  // --- tiny, secret, lobby ---

  @Test
  void tiny_holdsOneConnection_andAcceptsAnyEvent() {
    int port = devServer();
    RawClient alice = devClient(port, "alice", null);
    RawClient bob = devClient(port, "bob", null);
    alice.join("tiny");

    JsonNode full = bob.request("dialogue:join", Map.of("roomId", "tiny"));

    assertThat(full.path("error").path("code").asText()).isEqualTo("ROOM_FULL");
    assertThat(full.path("error").path("message").asText()).isEqualTo("Room 'tiny' is at capacity");
    assertThat(trigger(alice, "tiny", "anything-at-all", Map.of("n", 1)).path("ok").asBoolean())
        .isTrue();
  }

  @Test
  void secret_admitsRoleAdminOnly_inDevelopmentMode() {
    int port = devServer();
    RawClient admin = devClient(port, "root", "admin");
    RawClient user = devClient(port, "joe", "user");
    RawClient noRole = devClient(port, "ann", null);

    assertThat(admin.request("dialogue:join", Map.of("roomId", "secret")).path("ok").asBoolean())
        .isTrue();
    for (RawClient denied : List.of(user, noRole)) {
      JsonNode ack = denied.request("dialogue:join", Map.of("roomId", "secret"));
      assertThat(ack.path("error").path("code").asText()).isEqualTo("JOIN_DENIED");
      assertThat(ack.path("error").path("message").asText()).isEqualTo("admins only");
    }
    // Without an ack, the compatible reply event.
    user.emit("dialogue:join", Map.of("roomId", "secret"));
    assertThat(user.take("dialogue:error").data().path("message").asText())
        .isEqualTo("admins only");
  }

  @Test
  void lobby_deliversEveryEventName_withoutSubscribing() {
    int port = devServer();
    RawClient alice = devClient(port, "alice", null);
    RawClient bob = devClient(port, "bob", null);
    alice.join("lobby");
    bob.join("lobby");

    trigger(bob, "lobby", "wave", Map.of("hand", "left"));
    trigger(bob, "lobby", "score", Map.of("points", 3));

    assertThat(alice.take("dialogue:event").data().path("event").asText()).isEqualTo("wave");
    assertThat(alice.take("dialogue:event").data().path("event").asText()).isEqualTo("score");
  }

  @Test
  void listRooms_showsTheFourPublicReferenceRooms_andTheVaultToAdminsOnly() {
    int port = devServer();
    RawClient alice = devClient(port, "alice", null);
    RawClient admin = devClient(port, "root", "admin");

    JsonNode rooms = alice.request("dialogue:listRooms", null).path("rooms");
    JsonNode adminRooms = admin.request("dialogue:listRooms", null).path("rooms");

    assertThat(rooms.findValuesAsText("id")).containsExactly("chat", "tiny", "secret", "lobby");
    assertThat(rooms.findValuesAsText("name")).containsExactly("Chat", "Tiny", "Secret", "Lobby");
    assertThat(rooms.get(1).path("maxSize").asInt()).isEqualTo(1);
    assertThat(adminRooms.findValuesAsText("id"))
        .containsExactly("chat", "tiny", "secret", "lobby", "vault");
    assertThat(adminRooms.findValuesAsText("name"))
        .containsExactly("Chat", "Tiny", "Secret", "Lobby", "Vault");
  }

  @Test
  void vault_existsOnlyForRoleAdmin_inDevelopmentMode() {
    int port = devServer();
    RawClient admin = devClient(port, "root", "admin");
    RawClient user = devClient(port, "joe", "user");
    RawClient noRole = devClient(port, "ann", null);

    JsonNode joined = admin.request("dialogue:join", Map.of("roomId", "vault"));
    assertThat(joined.path("ok").asBoolean()).as(joined.toString()).isTrue();
    assertThat(joined.path("roomName").asText()).isEqualTo("Vault");
    assertThat(trigger(admin, "vault", "anything", Map.of("n", 1)).path("ok").asBoolean()).isTrue();
    assertThat(history(admin, "vault", "anything").path("events")).isEmpty();

    for (RawClient outsider : List.of(user, noRole)) {
      for (Map<String, Object> request :
          List.of(
              Map.<String, Object>of("event", "dialogue:join"),
              Map.<String, Object>of("event", "dialogue:getHistory", "eventName", "anything"),
              Map.<String, Object>of("event", "dialogue:subscribeAll"))) {
        Map<String, Object> payload = new java.util.HashMap<>(request);
        String event = (String) payload.remove("event");
        payload.put("roomId", "vault");
        JsonNode hidden = outsider.request(event, payload);
        payload.put("roomId", "nowhere");
        JsonNode missing = outsider.request(event, payload);
        assertThat(hidden.path("error").path("code").asText())
            .as(event)
            .isEqualTo("ROOM_NOT_FOUND");
        assertThat(hidden.path("error").path("message").asText())
            .as(event)
            .isEqualTo("Room 'vault' does not exist");
        assertThat(hidden.toString().replace("vault", "nowhere")).isEqualTo(missing.toString());
      }
      assertThat(
              trigger(outsider, "vault", "anything", Map.of("n", 1))
                  .path("error")
                  .path("message")
                  .asText())
          .isEqualTo("Room 'vault' does not exist");
    }
    // Without an ack, the compatible reply event, as for a missing room.
    user.emit("dialogue:join", Map.of("roomId", "vault"));
    JsonNode error = user.take("dialogue:error").data();
    assertThat(error.path("code").asText()).isEqualTo("ROOM_NOT_FOUND");
    assertThat(error.path("message").asText()).isEqualTo("Room 'vault' does not exist");
  }

  @Test
  void vault_existsOnlyForTheAdminRoleClaim_inJwtMode() {
    int port = start("--host", "127.0.0.1", "--port", "0", "--jwt-secret", SECRET).port();
    RawClient admin =
        track(RawClient.open(port, Map.of("token", token("root", "admin", SECRET)), true));
    RawClient user =
        track(
            RawClient.open(
                port, Map.of("token", token("joe", "user", SECRET), "role", "admin"), true));
    admin.awaitConnected();
    user.awaitConnected();

    assertThat(admin.request("dialogue:join", Map.of("roomId", "vault")).path("ok").asBoolean())
        .isTrue();
    assertThat(
            user.request("dialogue:join", Map.of("roomId", "vault"))
                .path("error")
                .path("message")
                .asText())
        .as("auth.role is not trusted with a token")
        .isEqualTo("Room 'vault' does not exist");
    assertThat(user.request("dialogue:listRooms", null).path("rooms").findValuesAsText("id"))
        .doesNotContain("vault");
  }

  // --- identity ---

  @Test
  void developmentMode_takesUserIdFromAuth_andGivesOthersAnAnonymousId() {
    int port = devServer();

    JsonNode alice = track(RawClient.open(port, Map.of("userId", "alice"), true)).awaitConnected();
    RawClient anonymous = track(RawClient.open(port, null, true));

    assertThat(alice.path("userId").asText()).isEqualTo("alice");
    assertThat(anonymous.awaitConnected().path("userId").asText())
        .isNotBlank()
        .isNotEqualTo("alice");
  }

  @Test
  void jwtMode_userIdAndRoleComeFromTheToken_andAnythingElseIsRefused() {
    Dialogue server = start("--host", "127.0.0.1", "--port", "0", "--jwt-secret", SECRET);
    int port = server.port();
    RawClient admin =
        track(RawClient.open(port, Map.of("token", token("root", "admin", SECRET)), true));
    RawClient user =
        track(
            RawClient.open(
                port, Map.of("token", token("joe", "user", SECRET), "role", "admin"), true));
    RawClient forged =
        track(
            RawClient.open(
                port,
                Map.of("token", token("eve", "admin", "some-other-secret-0123456789abcdef")),
                true));
    RawClient devStyle =
        track(RawClient.open(port, Map.of("userId", "mallory", "role", "admin"), true));

    assertThat(admin.awaitConnected().path("userId").asText()).isEqualTo("root");
    assertThat(admin.request("dialogue:join", Map.of("roomId", "secret")).path("ok").asBoolean())
        .isTrue();
    assertThat(user.awaitConnected().path("userId").asText()).isEqualTo("joe");
    assertThat(
            user.request("dialogue:join", Map.of("roomId", "secret"))
                .path("error")
                .path("message")
                .asText())
        .isEqualTo("admins only");
    assertThat(user.request("dialogue:join", Map.of("roomId", "chat")).path("ok").asBoolean())
        .isTrue();
    assertThat(forged.connectError()).isEqualTo("Invalid token");
    assertThat(devStyle.connectError()).isEqualTo("Missing token");
    assertThat(server.clients("mallory")).isEmpty();
  }

  // --- options ---

  @Test
  void start_refusesBadOptions_withAClearMessage() {
    assertThatThrownBy(() -> ReferenceServer.start("--bogus"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("unknown option: --bogus");
    assertThatThrownBy(() -> ReferenceServer.start("--port", "70000"))
        .hasMessageContaining("--port must be a number in 0..65535");
    assertThatThrownBy(() -> ReferenceServer.start("--port")).hasMessage("--port needs a value");
    assertThatThrownBy(() -> ReferenceServer.start("--jwt-secret", "short"))
        .hasMessage("--jwt-secret must be at least 32 bytes for HS256 but was 5");
    assertThatThrownBy(() -> ReferenceServer.start("--history-db", "./history"))
        .hasMessage("--history-db must be a JDBC URL (jdbc:...) but was './history'");
    assertThatThrownBy(() -> ReferenceServer.start("--redis", "localhost:6379"))
        .hasMessage("--redis must be a Redis URI (redis://HOST:PORT) but was 'localhost:6379'");
  }

  @Test
  void options_defaultToPort3000OnAllInterfaces_andAcceptBothSpellings() {
    assertThat(Options.parse())
        .isEqualTo(new Options(3000, "0.0.0.0", null, null, null, false, false));
    assertThat(Options.parse("--port=0", "--host", "127.0.0.1"))
        .isEqualTo(new Options(0, "127.0.0.1", null, null, null, false, false));
    assertThat(Options.parse("--jwt-secret", SECRET).toString()).doesNotContain(SECRET);
  }

  @Test
  void start_whenThePortIsTaken_failsWithTheAddress() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      String port = String.valueOf(taken.getLocalPort());

      assertThatThrownBy(() -> ReferenceServer.start("--host", "127.0.0.1", "--port", port))
          .isInstanceOf(IllegalStateException.class)
          .hasMessage("cannot bind 127.0.0.1:" + port);
    }
  }

  // --- the command sum ---

  @Test
  void sum_answersTheSum_refusesNegatives_andRequiresBothNumbers() {
    RawClient alice = devClient(devServer(), "alice", null);

    JsonNode ok = command(alice, "sum", Map.of("a", 2, "b", 40));
    assertThat(ok.path("ok").asBoolean()).as(ok.toString()).isTrue();
    assertThat(ok.path("result").toString()).isEqualTo("{\"sum\":42}");
    assertThat(
            command(alice, "sum", Map.of("a", Integer.MAX_VALUE, "b", 1))
                .path("result")
                .path("sum")
                .asLong())
        .isEqualTo(Integer.MAX_VALUE + 1L);
    assertThat(command(alice, "sum", Map.of("a", 0, "b", 0)).path("result").path("sum").asInt())
        .isZero();

    JsonNode negative = command(alice, "sum", Map.of("a", 1, "b", -2)).path("error");
    assertThat(negative.path("code").asText()).isEqualTo("NEGATIVE");
    assertThat(negative.path("message").asText()).isEqualTo("a and b must not be negative");
    assertThat(negative.path("data").path("b").asInt()).isEqualTo(-2);

    JsonNode missing = command(alice, "sum", Map.of("a", 1)).path("error");
    assertThat(missing.path("code").asText()).isEqualTo("VALIDATION_FAILED");
    assertThat(missing.path("message").asText())
        .isEqualTo("Command 'sum' validation failed: b: must not be null");
    assertThat(command(alice, "sum", Map.of("a", "1", "b", 2)).path("error").path("code").asText())
        .isEqualTo("VALIDATION_FAILED");
    assertThat(command(alice, "product", Map.of()).path("error").path("code").asText())
        .isEqualTo("COMMAND_NOT_FOUND");
  }

  // --- helpers ---

  private static JsonNode command(RawClient client, String command, Object data) {
    return client.request("dialogue:request", Map.of("command", command, "data", data));
  }

  private int devServer() {
    return start("--host", "127.0.0.1", "--port", "0").port();
  }

  private Dialogue start(String... args) {
    return track(ReferenceServer.start(args));
  }

  private RawClient devClient(int port, String userId, String role) {
    return track(RawClient.connectAs(port, userId, role));
  }

  private <T extends AutoCloseable> T track(T resource) {
    resources.add(resource);
    return resource;
  }

  private static JsonNode trigger(RawClient client, String roomId, String event, Object data) {
    return client.request(
        "dialogue:trigger", Map.of("roomId", roomId, "event", event, "data", data));
  }

  private static JsonNode history(RawClient client, String roomId, String eventName) {
    JsonNode ack =
        client.request(
            "dialogue:getHistory",
            Map.of("roomId", roomId, "eventName", eventName, "start", 0, "end", 500));
    assertThat(ack.path("ok").asBoolean()).as(ack.toString()).isTrue();
    return ack;
  }

  private static List<String> texts(JsonNode events) {
    return events.findValuesAsText("text");
  }

  private static List<Long> timestamps(JsonNode events) {
    List<Long> list = new ArrayList<>();
    events.forEach(e -> list.add(e.path("timestamp").asLong()));
    return list;
  }

  private static long min(List<Long> values) {
    return values.stream().mapToLong(Long::longValue).min().orElseThrow();
  }

  private static List<String> range(int from, int to) {
    return IntStream.rangeClosed(from, to).mapToObj(i -> "m" + i).toList();
  }

  private static boolean contains(JsonNode array, String value) {
    for (JsonNode n : array) {
      if (n.asText().equals(value)) {
        return true;
      }
    }
    return false;
  }

  static String token(String sub, String role, String secret) {
    try {
      JWTClaimsSet claims =
          new JWTClaimsSet.Builder()
              .subject(sub)
              .claim("role", role)
              .expirationTime(Date.from(Instant.now().plusSeconds(600)))
              .build();
      SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
      jwt.sign(new MACSigner(secret.getBytes(StandardCharsets.UTF_8)));
      return jwt.serialize();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
