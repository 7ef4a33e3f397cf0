/**
 * Operating a Dialogue server: Micrometer metrics ({@link dev.dialogue.micrometer.DialogueMetrics},
 * an observer of the server and a {@code MeterBinder}), the Prometheus scrape route ({@link
 * dev.dialogue.micrometer.PrometheusEndpoint}), and the health, readiness and admin routes ({@link
 * dev.dialogue.micrometer.Operations}), all on the server's own port.
 *
 * <pre>{@code
 * DialogueMetrics metrics = DialogueMetrics.builder().rooms("chat", "lobby").build();
 * PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
 * metrics.bindTo(registry);
 * Operations operations =
 *     Operations.builder().admin(HttpAccess.bearerToken(adminToken)).build();
 * Dialogue server =
 *     operations
 *         .install(Dialogue.builder().port(3000).observer(metrics))
 *         .http("/metrics", PrometheusEndpoint.handler(registry, HttpAccess.bearerToken(scrapeToken)))
 *         .build()
 *         .start();
 * }</pre>
 *
 * <p>See docs/operations.md for every meter, its tags and its meaning.
 */
package dev.dialogue.micrometer;
