package dev.dialogue.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dialogue.Dialogue;
import dev.dialogue.DialogueListener;
import dev.dialogue.EventDefinition;
import dev.dialogue.RoomConfig;
import dev.dialogue.jdbc.JdbcHistoryStore;
import dev.dialogue.testing.Await;
import dev.dialogue.testing.RawClient;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link DialogueMetrics} scraped through {@link PrometheusEndpoint} on a real server. */
@Timeout(60)
class MetricsTest {
  static final String TOKEN = "scrape-token-0123456789";
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  static final EventDefinition<JsonNode> MESSAGE =
      EventDefinition.builder("message", JsonNode.class).history(100).build();

  /** A server on loopback with the metrics observed and scraped at /metrics behind the token. */
  static Dialogue.Builder server(DialogueMetrics metrics, PrometheusMeterRegistry registry) {
    metrics.bindTo(registry);
    return Dialogue.builder()
        .host("127.0.0.1")
        .port(0)
        .observer(metrics)
        .room(
            RoomConfig.builder("chat", "Chat")
                .events(MESSAGE)
                .defaultSubscriptions("message")
                .build(),
            RoomConfig.builder("tiny", "Tiny").maxSize(1).anyEvent().build(),
            RoomConfig.builder("lobby", "Lobby").anyEvent().defaultSubscriptions("*").build())
        .http("/metrics", PrometheusEndpoint.handler(registry, HttpAccess.bearerToken(TOKEN)));
  }

  static HttpResponse<String> get(int port, String path, String... headers) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(10));
    if (headers.length > 0) {
      request.headers(headers);
    }
    return HTTP.send(request.GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  static String scrape(int port) throws Exception {
    HttpResponse<String> response = get(port, "/metrics", "Authorization", "Bearer " + TOKEN);
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type"))
        .hasValue(PrometheusEndpoint.CONTENT_TYPE);
    return response.body();
  }

  /**
   * The value of the sample {@code name} whose labels include every one of {@code labels} (such as
   * {@code room="chat"}), or NaN when the scrape has none.
   */
  static double value(String scrape, String name, String... labels) {
    for (String line : scrape.split("\n")) {
      if (line.startsWith("#") || !(line.startsWith(name + "{") || line.startsWith(name + " "))) {
        continue;
      }
      String series = line.substring(0, line.lastIndexOf(' '));
      boolean all = true;
      for (String label : labels) {
        all &= series.contains(label);
      }
      if (all) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return Double.NaN;
  }

  /** Scrapes until the sample reaches {@code atLeast}; returns that scrape. */
  static String await(int port, String name, double atLeast, String... labels) {
    String[] last = {""};
    Await.until(
        name + " " + String.join(",", labels) + " >= " + atLeast,
        () -> {
          try {
            last[0] = scrape(port);
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
          return value(last[0], name, labels) >= atLeast;
        });
    return last[0];
  }

  @Test
  void scrape_withoutTheToken_isRefused() throws Exception {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    try (Dialogue server = server(DialogueMetrics.builder().build(), registry).build().start()) {
      assertThat(get(server.port(), "/metrics").statusCode()).isEqualTo(401);
      assertThat(
              get(server.port(), "/metrics", "Authorization", "Bearer wrong-token-0123456789")
                  .statusCode())
          .isEqualTo(401);
      assertThat(scrape(server.port())).contains("dialogue_connections");
    }
  }

  @Test
  void joinsPublishesAndDeliveries_moveTheirMeters() throws Exception {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    DialogueMetrics metrics = DialogueMetrics.builder().rooms("chat", "tiny").build();
    try (Dialogue server =
            server(metrics, registry).listener(new DialogueListener() {}).build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice");
        RawClient bob = RawClient.connectAs(server.port(), "bob")) {
      int port = server.port();
      String before = scrape(port);
      assertThat(value(before, "dialogue_connections")).isEqualTo(2);
      assertThat(value(before, "dialogue_rooms")).isEqualTo(3);
      assertThat(value(before, "dialogue_joins_total", "room=\"chat\"")).isNaN();

      ok(alice.request("dialogue:join", Map.of("roomId", "chat")));
      ok(bob.request("dialogue:join", Map.of("roomId", "chat")));
      ok(alice.request("dialogue:join", Map.of("roomId", "lobby")));
      ok(
          alice.request(
              "dialogue:trigger",
              Map.of("roomId", "chat", "event", "message", "data", Map.of("text", "hi"))));
      bob.take("dialogue:event");
      server.trigger("lobby", "whatever-a-client-names", Map.of());
      alice.take(p -> p.name().equals("dialogue:event"), "the lobby event");

      // One sample per event and event loop: alice and bob may share a loop.
      String after = await(port, "dialogue_delivery_latency_seconds_count", 2);
      assertThat(value(after, "dialogue_joins_total", "room=\"chat\"")).isEqualTo(2);
      assertThat(value(after, "dialogue_joins_total", "room=\"other\"")).as("lobby").isEqualTo(1);
      assertThat(
              value(after, "dialogue_events_published_total", "room=\"chat\"", "event=\"message\""))
          .isEqualTo(1);
      assertThat(
              value(after, "dialogue_events_delivered_total", "room=\"chat\"", "event=\"message\""))
          .as("to alice and bob")
          .isEqualTo(2);
      assertThat(
              value(after, "dialogue_events_published_total", "room=\"other\"", "event=\"other\""))
          .as("a name the application did not define is not a tag value")
          .isEqualTo(1);
      assertThat(after).doesNotContain("whatever-a-client-names");
      assertThat(value(after, "dialogue_outbound_bytes_total")).isGreaterThan(100);
      assertThat(value(after, "dialogue_delivery_latency_seconds", "quantile=\"0.99\""))
          .isGreaterThan(0);
      assertThat(value(after, "dialogue_hooks_duration_seconds_count", "hook=\"onJoined\""))
          .isEqualTo(3);
      assertThat(value(after, "dialogue_hooks_queue")).isGreaterThanOrEqualTo(0);
      assertThat(
              value(
                  after, "dialogue_connects_total", "resumed=\"false\"", "transport=\"websocket\""))
          .isEqualTo(2);
    }
  }

  @Test
  void refusalsRateLimitsRecoveriesAndDisconnects_moveTheirMeters() throws Exception {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    DialogueMetrics metrics = DialogueMetrics.builder().rooms("chat", "tiny").build();
    try (Dialogue server =
            server(metrics, registry).historyRateLimit(1, Duration.ofMinutes(1)).build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      int port = server.port();
      JsonNode joined = ok(alice.request("dialogue:join", Map.of("roomId", "chat")));
      RawClient bob = RawClient.connectAs(port, "bob");
      ok(bob.request("dialogue:join", Map.of("roomId", "tiny")));
      alice.request("dialogue:join", Map.of("roomId", "tiny"));
      alice.request("dialogue:join", Map.of("roomId", "no-such-room"));
      Map<String, Object> page = Map.of("roomId", "chat", "eventName", "message", "end", 1);
      ok(alice.request("dialogue:getHistory", page));
      alice.request("dialogue:getHistory", page);
      ok(alice.request("dialogue:leave", Map.of("roomId", "chat")));
      Map<String, Object> since = Map.of("offset", 0, "epoch", joined.path("epoch").asText());
      ok(alice.request("dialogue:join", Map.of("roomId", "chat", "since", since)));
      bob.close();

      await(port, "dialogue_disconnects_total", 1, "reason=\"client namespace disconnect\"");
      String after = scrape(port);
      assertThat(
              value(
                  after,
                  "dialogue_requests_refused_total",
                  "request=\"dialogue:join\"",
                  "code=\"ROOM_FULL\""))
          .isEqualTo(1);
      assertThat(
              value(
                  after,
                  "dialogue_requests_refused_total",
                  "request=\"dialogue:join\"",
                  "code=\"ROOM_NOT_FOUND\""))
          .isEqualTo(1);
      assertThat(value(after, "dialogue_rate_limited_total", "request=\"dialogue:getHistory\""))
          .isEqualTo(1);
      assertThat(
              value(after, "dialogue_recoveries_total", "room=\"chat\"", "outcome=\"recovered\""))
          .isEqualTo(1);
      assertThat(value(after, "dialogue_leaves_total", "room=\"chat\"", "reason=\"leave\""))
          .isEqualTo(1);
      assertThat(value(after, "dialogue_leaves_total", "room=\"tiny\"", "reason=\"disconnect\""))
          .isEqualTo(1);
      assertThat(value(after, "dialogue_connections")).isEqualTo(1);
    }
  }

  @Test
  void refusedHandshakes_areCountedByReason() throws Exception {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    try (Dialogue server =
            server(DialogueMetrics.builder().build(), registry)
                .authenticator(handshake -> dev.dialogue.AuthResult.reject("no"))
                .build()
                .start();
        RawClient refused = RawClient.open(server.port(), Map.of("token", "t"), true)) {
      refused.connectError();
      await(server.port(), "dialogue_handshake_failures_total", 1, "reason=\"unauthenticated\"");
    }
  }

  @Test
  void historyStoreCommits_areTimed() throws Exception {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    DialogueMetrics metrics = DialogueMetrics.builder().build();
    String url = "jdbc:h2:mem:metrics-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
    try (Dialogue server =
            server(metrics, registry)
                .historyStore(
                    metrics.monitor(
                        JdbcHistoryStore.builder(url)
                            .commitListener(metrics::onHistoryCommit)
                            .build()))
                .build()
                .start();
        RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      ok(alice.request("dialogue:join", Map.of("roomId", "chat")));
      for (int i = 0; i < 3; i++) {
        ok(
            alice.request(
                "dialogue:trigger",
                Map.of("roomId", "chat", "event", "message", "data", Map.of("text", "m" + i))));
      }
      String after = await(server.port(), "dialogue_history_commit_seconds_count", 3);
      assertThat(value(after, "dialogue_history_commit_seconds_count")).isEqualTo(3);
      assertThat(value(after, "dialogue_history_commit_seconds_max")).isGreaterThan(0);
      assertThat(value(after, "dialogue_history_pending_count")).isEqualTo(3);
      // Each trigger waited for its ack, so each was a transaction of its own.
      assertThat(value(after, "dialogue_history_batch_count")).isEqualTo(3);
      assertThat(value(after, "dialogue_history_batch_sum")).isEqualTo(3);
      assertThat(value(after, "dialogue_history_transaction_seconds_count")).isEqualTo(3);
    }
  }

  static JsonNode ok(JsonNode ack) {
    assertThat(ack.path("ok").asBoolean()).as("ack %s", ack).isTrue();
    return ack;
  }
}
