package dev.dialogue.examples.reference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dialogue.Dialogue;
import dev.dialogue.testing.Await;
import dev.dialogue.testing.RawClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The reference server's /health and /ready (always) and /metrics (with --metrics). */
@Timeout(60)
class ReferenceServerOperationsTest {
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final ObjectMapper JSON = new ObjectMapper();

  static HttpResponse<String> get(int port, String path) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(10))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /**
   * The value of the first sample of {@code name} whose labels contain every one of {@code labels}.
   */
  static double sample(String scrape, String name, String... labels) {
    for (String line : scrape.split("\n")) {
      if (!line.startsWith(name + "{") && !line.startsWith(name + " ")) {
        continue;
      }
      boolean all = true;
      for (String label : labels) {
        all &= line.contains(label);
      }
      if (all) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return Double.NaN;
  }

  @Test
  void healthAndReady_areServedWithoutFlags_andMetricsOnlyWithTheFlag() throws Exception {
    try (Dialogue server = ReferenceServer.start("--host", "127.0.0.1", "--port", "0")) {
      HttpResponse<String> health = get(server.port(), "/health");
      assertThat(health.statusCode()).isEqualTo(200);
      assertThat(JSON.readTree(health.body()).path("status").asText()).isEqualTo("UP");
      HttpResponse<String> ready = get(server.port(), "/ready");
      assertThat(ready.statusCode()).isEqualTo(200);
      assertThat(JSON.readTree(ready.body()).path("checks").path("accepting").asText())
          .isEqualTo("UP");
      assertThat(get(server.port(), "/metrics").statusCode()).isEqualTo(400);
    }
  }

  @Test
  void ready_checksTheHistoryDatabase() throws Exception {
    String url = "jdbc:h2:mem:reference-ops-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
    try (Dialogue server =
        ReferenceServer.start("--host", "127.0.0.1", "--port", "0", "--history-db", url)) {
      JsonNode ready = JSON.readTree(get(server.port(), "/ready").body());
      assertThat(ready.path("checks").path("history").asText()).isEqualTo("UP");
    }
  }

  @Test
  void metrics_servesPrometheusTextWithoutAccessCheck_andTheValuesMove() throws Exception {
    try (Dialogue server =
            ReferenceServer.start("--host", "127.0.0.1", "--port", "0", "--metrics");
        RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      int port = server.port();
      HttpResponse<String> first = get(port, "/metrics");
      assertThat(first.statusCode()).isEqualTo(200);
      assertThat(first.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
      assertThat(sample(first.body(), "dialogue_connections")).isEqualTo(1);
      // Summed over the memory pools: one of them (a survivor space) may hold nothing yet.
      assertThat(
              first
                  .body()
                  .lines()
                  .filter(l -> l.startsWith("jvm_memory_used_bytes{"))
                  .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                  .sum())
          .isPositive();

      alice.join("chat");
      JsonNode ack =
          alice.request(
              "dialogue:trigger",
              Map.of("roomId", "chat", "event", "message", "data", Map.of("text", "hi")));
      assertThat(ack.path("ok").asBoolean()).as(ack.toString()).isTrue();
      alice.request("dialogue:join", Map.of("roomId", "secret"));

      String[] scrape = {""};
      Await.until(
          "the delivery measured",
          () -> {
            try {
              scrape[0] = get(port, "/metrics").body();
            } catch (Exception e) {
              throw new IllegalStateException(e);
            }
            return sample(scrape[0], "dialogue_delivery_latency_seconds_count") >= 1;
          });
      assertThat(sample(scrape[0], "dialogue_joins_total", "room=\"chat\"")).isEqualTo(1);
      assertThat(
              sample(
                  scrape[0],
                  "dialogue_events_published_total",
                  "room=\"chat\"",
                  "event=\"message\""))
          .isEqualTo(1);
      assertThat(
              sample(
                  scrape[0],
                  "dialogue_requests_refused_total",
                  "code=\"JOIN_DENIED\"",
                  "request=\"dialogue:join\""))
          .isEqualTo(1);
    }
  }

  @Test
  void options_takeMetricsAsAFlag() {
    assertThat(Options.parse("--metrics").metrics()).isTrue();
    assertThat(Options.parse().metrics()).isFalse();
    assertThatThrownBy(() -> Options.parse("--metrics=yes")).hasMessage("--metrics takes no value");
    assertThatThrownBy(() -> Options.parse("--metrics", "--metrics"))
        .hasMessage("--metrics was given twice");
  }
}
