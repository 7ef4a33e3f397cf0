package dev.dialogue.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dialogue.Dialogue;
import dev.dialogue.RoomConfig;
import dev.dialogue.testing.Await;
import dev.dialogue.testing.RawClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link Operations}: /health, /ready and the admin API on a real server, over real HTTP. */
@Timeout(60)
class OperationsTest {
  static final String TOKEN = "admin-token-0123456789";
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final ObjectMapper JSON = new ObjectMapper();

  static Dialogue start(Operations operations) {
    return operations
        .install(
            Dialogue.builder()
                .host("127.0.0.1")
                .port(0)
                .room(
                    RoomConfig.builder("chat", "Chat").anyEvent().defaultSubscriptions("*").build(),
                    RoomConfig.builder("lobby", "Lobby").anyEvent().build()))
        .build()
        .start();
  }

  static HttpResponse<String> call(int port, String method, String path, String body, String token)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(10))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  static JsonNode admin(int port, String method, String path, String body) throws Exception {
    HttpResponse<String> response = call(port, method, "/admin/" + path, body, TOKEN);
    assertThat(response.statusCode()).as("%s %s: %s", method, path, response.body()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type").orElse("")).contains("json");
    return JSON.readTree(response.body());
  }

  @Test
  void health_isUp_andReady_followsItsChecks() throws Exception {
    AtomicBoolean brokerUp = new AtomicBoolean(true);
    Operations operations =
        Operations.builder()
            .readinessCheck("broker", brokerUp::get)
            .readinessCheck(
                "database",
                () -> {
                  if (!brokerUp.get()) {
                    throw new IllegalStateException("connection refused");
                  }
                  return true;
                })
            .build();
    try (Dialogue server = start(operations)) {
      HttpResponse<String> health = call(server.port(), "GET", "/health", null, null);
      assertThat(health.statusCode()).isEqualTo(200);
      assertThat(JSON.readTree(health.body()).path("status").asText()).isEqualTo("UP");

      HttpResponse<String> ready = call(server.port(), "GET", "/ready", null, null);
      assertThat(ready.statusCode()).isEqualTo(200);
      JsonNode up = JSON.readTree(ready.body());
      assertThat(up.path("status").asText()).isEqualTo("UP");
      assertThat(up.path("checks").path("accepting").asText()).isEqualTo("UP");
      assertThat(up.path("checks").path("broker").asText()).isEqualTo("UP");

      brokerUp.set(false);
      HttpResponse<String> notReady = call(server.port(), "GET", "/ready", null, null);
      assertThat(notReady.statusCode()).isEqualTo(503);
      JsonNode down = JSON.readTree(notReady.body());
      assertThat(down.path("status").asText()).isEqualTo("DOWN");
      assertThat(down.path("checks").path("broker").asText()).isEqualTo("DOWN");
      assertThat(down.path("checks").path("database").asText())
          .isEqualTo("DOWN: connection refused");
      assertThat(call(server.port(), "GET", "/admin/rooms", null, TOKEN).statusCode())
          .as("the admin API is off unless configured")
          .isEqualTo(400);
    }
  }

  @Test
  void ready_beforeTheServerStarted_isDown() throws Exception {
    Operations operations = Operations.builder().build();
    dev.dialogue.HttpResponse response =
        operations
            .ready()
            .handle(
                dev.dialogue.HttpRequest.of(
                    "GET", "/ready", "", Map.of(), Map.of(), new byte[0], null));
    assertThat(response.status()).isEqualTo(503);
    assertThat(new String(response.body(), java.nio.charset.StandardCharsets.UTF_8))
        .contains("not started");
  }

  @Test
  void admin_withoutTheToken_isRefused() throws Exception {
    Operations operations = Operations.builder().admin(HttpAccess.bearerToken(TOKEN)).build();
    try (Dialogue server = start(operations);
        RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      for (String[] action :
          new String[][] {
            {"GET", "rooms"},
            {"GET", "users/alice/connections"},
            {"POST", "users/alice/disconnect"},
            {"DELETE", "rooms/chat"},
            {"POST", "notice"}
          }) {
        assertThat(call(server.port(), action[0], "/admin/" + action[1], "{}", null).statusCode())
            .as("%s %s without a token", action[0], action[1])
            .isEqualTo(401);
        assertThat(
                call(server.port(), action[0], "/admin/" + action[1], "{}", "not-the-token-123456")
                    .statusCode())
            .isEqualTo(401);
      }
      assertThat(alice.isConnected()).isTrue();
      assertThat(server.room("chat")).isPresent();
    }
    assertThatThrownBy(() -> Operations.builder().build().admin())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("admin API is off");
  }

  @Test
  void admin_listsRoomsAndConnections_disconnects_deletes_andSendsNotices() throws Exception {
    Operations operations = Operations.builder().admin(HttpAccess.bearerToken(TOKEN)).build();
    try (Dialogue server = start(operations);
        RawClient alice = RawClient.connectAs(server.port(), "alice");
        RawClient aliceTab = RawClient.connectAs(server.port(), "alice");
        RawClient bob = RawClient.connectAs(server.port(), "bob");
        RawClient carol = RawClient.connectAs(server.port(), "carol")) {
      int port = server.port();
      alice.join("chat");
      bob.join("chat");
      server.trigger("chat", "note", Map.of("n", 1));
      alice.take("dialogue:event");

      JsonNode rooms = admin(port, "GET", "rooms", null);
      assertThat(rooms).hasSize(2);
      assertThat(rooms.get(0).path("id").asText()).isEqualTo("chat");
      assertThat(rooms.get(0).path("size").asInt()).isEqualTo(2);
      assertThat(rooms.get(0).path("offset").asLong())
          .isEqualTo(server.room("chat").orElseThrow().offset());
      assertThat(rooms.get(1).path("size").asInt()).isZero();

      JsonNode connections = admin(port, "GET", "users/alice/connections", null);
      assertThat(connections).hasSize(2);
      assertThat(connections.findValuesAsText("id"))
          .containsExactlyInAnyOrder(alice.clientId(), aliceTab.clientId());
      JsonNode first =
          connections.get(0).path("id").asText().equals(alice.clientId())
              ? connections.get(0)
              : connections.get(1);
      assertThat(first.path("rooms").get(0).asText()).isEqualTo("chat");

      JsonNode notice = admin(port, "POST", "notice", "{\"text\":\"maintenance at noon\"}");
      assertThat(notice.path("sent").asInt()).isEqualTo(4);
      assertThat(carol.take("notice").data().path("text").asText())
          .isEqualTo("maintenance at noon");
      assertThat(call(port, "POST", "/admin/notice", "{\"text\":\" \"}", TOKEN).statusCode())
          .isEqualTo(400);

      String bobId = bob.clientId();
      JsonNode one = admin(port, "POST", "connections/" + bobId + "/disconnect", null);
      assertThat(one.path("disconnected").get(0).asText()).isEqualTo(bobId);
      bob.take("disconnect");
      assertThat(
              call(port, "POST", "/admin/connections/nobody/disconnect", null, TOKEN).statusCode())
          .isEqualTo(404);

      JsonNode user = admin(port, "POST", "users/alice/disconnect", null);
      assertThat(user.path("disconnected")).hasSize(2);
      alice.take("disconnect");
      aliceTab.take("disconnect");
      Await.until("alice gone", () -> server.clients("alice").isEmpty());
      assertThat(RecordingLogs.lines())
          .as("every action is logged")
          .anyMatch(
              l ->
                  l.logger().equals("dev.dialogue.admin")
                      && l.message().contains("disconnected user 'alice'"))
          .anyMatch(l -> l.message().contains("sent a notice to 4 connections"));
      assertThat(carol.isConnected()).isTrue();

      carol.join("lobby");
      admin(port, "DELETE", "rooms/lobby", null);
      assertThat(carol.take("dialogue:roomDeleted").data().path("roomId").asText())
          .isEqualTo("lobby");
      assertThat(server.room("lobby")).isEmpty();
      assertThat(call(port, "DELETE", "/admin/rooms/lobby", null, TOKEN).statusCode())
          .isEqualTo(404);
      assertThat(call(port, "GET", "/admin/nothing-here", null, TOKEN).statusCode()).isEqualTo(404);
    }
  }
}
