package dev.dialogue.micrometer;

import static java.util.Objects.requireNonNull;

import dev.dialogue.HttpHandler;
import dev.dialogue.HttpResponse;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.charset.StandardCharsets;

/**
 * The Prometheus scrape route: the registry's text exposition, for {@link
 * dev.dialogue.Dialogue.Builder#http} (usually at {@code /metrics}). Needs {@code
 * io.micrometer:micrometer-registry-prometheus} on the class path, which this artifact declares
 * optional.
 *
 * <pre>{@code
 * PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
 * metrics.bindTo(registry);
 * builder.http("/metrics", PrometheusEndpoint.handler(registry, HttpAccess.bearerToken(secret)));
 * }</pre>
 */
public final class PrometheusEndpoint {
  /** The Prometheus text format's content type. */
  public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private PrometheusEndpoint() {}

  /**
   * Answers {@code GET} (and {@code HEAD}) with {@code registry}'s scrape; {@code 401} to requests
   * {@code access} refuses, {@code 405} to other methods.
   */
  public static HttpHandler handler(PrometheusMeterRegistry registry, HttpAccess access) {
    requireNonNull(registry, "registry == null");
    requireNonNull(access, "access == null");
    return request -> {
      if (!access.allows(request)) {
        return Operations.unauthorized();
      }
      if (!request.method().equals("GET") && !request.method().equals("HEAD")) {
        return HttpResponse.status(405).withHeader("Allow", "GET, HEAD");
      }
      return HttpResponse.of(200, CONTENT_TYPE, registry.scrape().getBytes(StandardCharsets.UTF_8));
    };
  }
}
