package dev.dialogue.examples.chat;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

/**
 * The chat server's command line. {@link #parse} throws {@link IllegalArgumentException} with a
 * message meant for the user.
 *
 * @param port the port to listen on, 0 for any free one
 * @param host the address to bind
 * @param dataDir where the H2 database, the files and the signing key live
 * @param jdbcUrl the database of the app's tables and of the history, or {@code null} for H2 in
 *     {@code dataDir}
 * @param help whether {@code --help} was given
 */
public record ChatOptions(int port, String host, Path dataDir, String jdbcUrl, boolean help) {
  static final String USAGE =
      """
      usage: bin/dialogue-example chat [--port N] [--host H] [--data DIR] [--db JDBC-URL]
        --port N      port to listen on (default 8080; 0 picks a free port)
        --host H      address to bind (default 0.0.0.0)
        --data DIR    where the H2 database, uploaded files and the signing key live
                      (default ./data/chat)
        --db URL      keep the app's tables and the history in that database instead of H2,
                      e.g. jdbc:postgresql://localhost/chat?user=chat&password=secret
        --help        show this help
      Prints the URL and the seeded sign-ins, then "READY <port>" once it serves.\
      """;

  /** Parses the command line. */
  public static ChatOptions parse(String... args) {
    int port = 8080;
    String host = "0.0.0.0";
    Path data = Path.of("data", "chat");
    String db = null;
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
        return new ChatOptions(port, host, data, db, true);
      }
      if (!Set.of("--port", "--host", "--data", "--db").contains(name)) {
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
        case "--host" -> host = value;
        case "--data" -> data = Path.of(value);
        default -> {
          if (!value.startsWith("jdbc:")) {
            throw new IllegalArgumentException(
                "--db must be a JDBC URL (jdbc:...) but was '" + value + "'");
          }
          db = value;
        }
      }
    }
    return new ChatOptions(port, host, data, db, false);
  }

  private static int port(String value) {
    try {
      int port = Integer.parseInt(value);
      if (port >= 0 && port <= 65535) {
        return port;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw new IllegalArgumentException("--port must be 0..65535 but was '" + value + "'");
  }

  /** The database URL in effect: the given one, or the H2 file database in the data directory. */
  String databaseUrl() {
    if (jdbcUrl != null) {
      return jdbcUrl;
    }
    return "jdbc:h2:file:" + dataDir.toAbsolutePath().resolve("chat") + ";DB_CLOSE_ON_EXIT=FALSE";
  }
}
