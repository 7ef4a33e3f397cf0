package dev.dialogue.examples.game;

import java.time.Duration;
import java.util.HashSet;
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
        --port N            port to listen on (default 8080; 0 picks a free port)
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
    GameOptions o = defaults(8080);
    int port = o.port;
    String host = o.host;
    Duration turn = o.turn;
    Duration grace = o.grace;
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
        return new GameOptions(port, host, turn, grace, true);
      }
      if (!Set.of("--port", "--host", "--turn-seconds", "--grace-seconds").contains(name)) {
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
        case "--port" -> port = number(name, value, 0, 65535);
        case "--host" -> host = value;
        case "--turn-seconds" -> turn = Duration.ofSeconds(number(name, value, 5, 3600));
        default -> grace = Duration.ofSeconds(number(name, value, 1, 3600));
      }
    }
    return new GameOptions(port, host, turn, grace, false);
  }

  private static int number(String name, String value, int min, int max) {
    try {
      int n = Integer.parseInt(value);
      if (n >= min && n <= max) {
        return n;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw new IllegalArgumentException(
        name + " must be " + min + ".." + max + " but was '" + value + "'");
  }
}
