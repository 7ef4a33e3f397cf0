package dev.dialogue.examples.reference;

import dev.dialogue.jwt.JwtAuthenticator;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;

/**
 * The reference server's command line. {@link #parse} throws {@link IllegalArgumentException} with
 * a message meant for the user; {@link ReferenceServer#main} prints it with the usage and exits 2.
 *
 * @param port the port to listen on, 0 for any free one
 * @param host the address to bind
 * @param jwtSecret the HS256 secret, or {@code null} for development mode
 * @param historyDb the JDBC URL for durable write-through history, or {@code null} for memory only
 * @param help whether {@code --help} was given
 */
record Options(int port, String host, String jwtSecret, String historyDb, boolean help) {
  static final String USAGE =
      """
      usage: bin/dialogue-example reference [--port N] [--host H] [--jwt-secret S]
        --port N          port to listen on (default 3000; 0 picks a free port)
        --host H          address to bind (default 0.0.0.0)
        --jwt-secret S    require an HS256 JWT in auth.token signed with S (at least 32 bytes);
                          userId from "sub", role from the "role" claim.
                          Without it: development mode, userId and role from auth.userId, auth.role
        --history-db URL  durable write-through history in that database, e.g.
                          jdbc:h2:file:./data/reference (H2) or jdbc:postgresql://host/db
        --help            show this help
      Prints "READY <port>" on standard output once it accepts connections.\
      """;

  static Options parse(String... args) {
    int port = 3000;
    String host = "0.0.0.0";
    String jwtSecret = null;
    String historyDb = null;
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      String name = arg;
      String value = null;
      int eq = arg.indexOf('=');
      if (arg.startsWith("--") && eq > 0) {
        name = arg.substring(0, eq);
        value = arg.substring(eq + 1);
      }
      if (name.equals("--help") || name.equals("-h")) {
        return new Options(port, host, jwtSecret, historyDb, true);
      }
      if (!Set.of("--port", "--host", "--jwt-secret", "--history-db").contains(name)) {
        throw new IllegalArgumentException("unknown option: " + arg);
      }
      if (!seen.add(name)) {
        throw new IllegalArgumentException(name + " was given twice");
      }
      if (value == null) {
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException(name + " needs a value");
        }
        value = args[++i];
      }
      switch (name) {
        case "--port" -> port = port(value);
        case "--host" -> host = host(value);
        case "--jwt-secret" -> jwtSecret = jwtSecret(value);
        default -> historyDb = historyDb(value);
      }
    }
    return new Options(port, host, jwtSecret, historyDb, false);
  }

  private static String historyDb(String value) {
    if (!value.startsWith("jdbc:")) {
      throw new IllegalArgumentException(
          "--history-db must be a JDBC URL (jdbc:...) but was '" + value + "'");
    }
    return value;
  }

  private static int port(String value) {
    try {
      int port = Integer.parseInt(value);
      if (port >= 0 && port <= 65_535) {
        return port;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(
        "--port must be a number in 0..65535 but was '" + value + "'");
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
    return "Options{port=" + port + ", host=" + host + ", jwt=" + (jwtSecret != null) + "}";
  }
}
