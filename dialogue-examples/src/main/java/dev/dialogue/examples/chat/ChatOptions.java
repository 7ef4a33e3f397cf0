package dev.dialogue.examples.chat;

import dev.dialogue.examples.CommandLine;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
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
    Optional<Map<String, String>> given =
        CommandLine.parse(args, Set.of("--port", "--host", "--data", "--db"));
    Path defaultData = Path.of("data", "chat");
    if (given.isEmpty()) {
      return new ChatOptions(8080, "0.0.0.0", defaultData, null, true);
    }
    Map<String, String> o = given.get();
    String db = o.get("--db");
    if (db != null && !db.startsWith("jdbc:")) {
      throw new IllegalArgumentException("--db must be a JDBC URL (jdbc:...) but was '" + db + "'");
    }
    return new ChatOptions(
        o.containsKey("--port") ? CommandLine.port(o.get("--port")) : 8080,
        o.getOrDefault("--host", "0.0.0.0"),
        o.containsKey("--data") ? Path.of(o.get("--data")) : defaultData,
        db,
        false);
  }

  /** The database URL in effect: the given one, or the H2 file database in the data directory. */
  String databaseUrl() {
    if (jdbcUrl != null) {
      return jdbcUrl;
    }
    return "jdbc:h2:file:" + dataDir.toAbsolutePath().resolve("chat") + ";DB_CLOSE_ON_EXIT=FALSE";
  }
}
