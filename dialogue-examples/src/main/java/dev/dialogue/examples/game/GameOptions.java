package dev.dialogue.examples.game;

import dev.dialogue.examples.CommandLine;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The game server's command line. {@link #parse} throws {@link IllegalArgumentException} with a
 * message meant for the user.
 *
 * @param port the port to listen on, 0 for any free one
 * @param host the address to bind
 * @param turn how long a player has for a move
 * @param grace how long a dropped player's seat is kept
 * @param help whether {@code --help} was given
 */
public record GameOptions(int port, String host, Duration turn, Duration grace, boolean help) {
  static final String USAGE =
      """
      usage: bin/dialogue-example game [--port N] [--host H] [--turn-seconds S] [--grace-seconds S]
        --port N            port to listen on (default 8092; 0 picks a free port)
        --host H            address to bind (default 0.0.0.0)
        --turn-seconds S    time for a move; running out loses the game (default 30)
        --grace-seconds S   how long a dropped player's seat is kept (default 20)
        --help              show this help
      Prints the URL, then "READY <port>" once it serves.\
      """;

  /** The defaults, on the given port. */
  public static GameOptions defaults(int port) {
    return new GameOptions(port, "0.0.0.0", Duration.ofSeconds(30), Duration.ofSeconds(20), false);
  }

  /** The same with another host, port, turn and grace. */
  public GameOptions with(String host, int port, Duration turn, Duration grace) {
    return new GameOptions(port, host, turn, grace, help);
  }

  /** Parses the command line. */
  public static GameOptions parse(String... args) {
    GameOptions o = defaults(8092);
    Optional<Map<String, String>> given =
        CommandLine.parse(args, Set.of("--port", "--host", "--turn-seconds", "--grace-seconds"));
    if (given.isEmpty()) {
      return new GameOptions(o.port, o.host, o.turn, o.grace, true);
    }
    Map<String, String> g = given.get();
    return new GameOptions(
        g.containsKey("--port") ? CommandLine.port(g.get("--port")) : o.port,
        g.getOrDefault("--host", o.host),
        g.containsKey("--turn-seconds")
            ? Duration.ofSeconds(
                CommandLine.number("--turn-seconds", g.get("--turn-seconds"), 5, 3600))
            : o.turn,
        g.containsKey("--grace-seconds")
            ? Duration.ofSeconds(
                CommandLine.number("--grace-seconds", g.get("--grace-seconds"), 1, 3600))
            : o.grace,
        false);
  }
}
