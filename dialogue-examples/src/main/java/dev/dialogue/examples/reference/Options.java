package dev.dialogue.examples.reference;

import dev.dialogue.examples.CommandLine;
import dev.dialogue.jwt.JwtAuthenticator;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The reference server's command line. {@link #parse} throws {@link IllegalArgumentException} with
 * a message meant for the user; {@link ReferenceServer#main} prints it with the usage and exits 2.
 *
 * @param port the port to listen on, 0 for any free one
 * @param host the address to bind
 * @param jwtSecret the HS256 secret, or {@code null} for development mode
 * @param historyDb the JDBC URL for durable write-through history, or {@code null} for memory only
 * @param redis the Redis URI of the cluster this server is one node of, or {@code null} for none
 * @param help whether {@code --help} was given
 * @param metrics whether {@code --metrics} was given: Prometheus text at {@code /metrics}
 */
record Options(
    int port,
    String host,
    String jwtSecret,
    String historyDb,
    String redis,
    boolean help,
    boolean metrics) {
  static final String USAGE =
      """
      usage: bin/dialogue-example reference [--port N] [--host H] [--jwt-secret S]
                                            [--history-db URL] [--redis URI] [--metrics]
        --port N          port to listen on (default 3000; 0 picks a free port)
        --host H          address to bind (default 0.0.0.0)
        --jwt-secret S    require an HS256 JWT in auth.token signed with S (at least 32 bytes);
                          userId from "sub", role from the "role" claim.
                          Without it: development mode, userId and role from auth.userId, auth.role
        --history-db URL  durable write-through history in that database, e.g.
                          jdbc:h2:file:./data/reference (H2) or jdbc:postgresql://host/db
        --redis URI       one node of a cluster sharing its rooms through that Redis
                          (redis://HOST:PORT): offsets, history, idempotency across nodes
        --metrics         serve the server's metrics at /metrics in Prometheus text (no access
                          check); /health and /ready are always served
        --help            show this help
      Prints "READY <port>" on standard output once it accepts connections.\
      """;

  /** Options without {@code --metrics}. */
  Options(int port, String host, String jwtSecret, String historyDb, String redis, boolean help) {
    this(port, host, jwtSecret, historyDb, redis, help, false);
  }

  static Options parse(String... args) {
    Optional<Map<String, String>> given =
        CommandLine.parse(
            args,
            Set.of("--port", "--host", "--jwt-secret", "--history-db", "--redis"),
            Set.of("--metrics"));
    if (given.isEmpty()) {
      return new Options(3000, "0.0.0.0", null, null, null, true, false);
    }
    Map<String, String> o = given.get();
    return new Options(
        o.containsKey("--port") ? CommandLine.port(o.get("--port")) : 3000,
        o.containsKey("--host") ? host(o.get("--host")) : "0.0.0.0",
        o.containsKey("--jwt-secret") ? jwtSecret(o.get("--jwt-secret")) : null,
        o.containsKey("--history-db") ? historyDb(o.get("--history-db")) : null,
        o.containsKey("--redis") ? redis(o.get("--redis")) : null,
        false,
        o.containsKey("--metrics"));
  }

  private static String historyDb(String value) {
    if (!value.startsWith("jdbc:")) {
      throw new IllegalArgumentException(
          "--history-db must be a JDBC URL (jdbc:...) but was '" + value + "'");
    }
    return value;
  }

  private static String redis(String value) {
    if (!value.startsWith("redis://") && !value.startsWith("rediss://")) {
      throw new IllegalArgumentException(
          "--redis must be a Redis URI (redis://HOST:PORT) but was '" + value + "'");
    }
    return value;
  }

  private static String host(String value) {
    if (value.isBlank()) {
      throw new IllegalArgumentException("--host must not be blank");
    }
    return value;
  }

  private static String jwtSecret(String value) {
    int bytes = value.getBytes(StandardCharsets.UTF_8).length;
    if (bytes < JwtAuthenticator.MIN_SECRET_BYTES) {
      throw new IllegalArgumentException(
          "--jwt-secret must be at least "
              + JwtAuthenticator.MIN_SECRET_BYTES
              + " bytes for HS256 but was "
              + bytes);
    }
    return value;
  }

  @Override
  public String toString() {
    // Never print the secret.
    return "Options{port="
        + port
        + ", host="
        + host
        + ", jwt="
        + (jwtSecret != null)
        + ", metrics="
        + metrics
        + "}";
  }
}
