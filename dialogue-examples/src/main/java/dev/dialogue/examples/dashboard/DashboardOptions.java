package dev.dialogue.examples.dashboard;

import java.util.HashSet;
import java.util.Set;

/**
 * The dashboard's command line. {@link #parse} throws {@link IllegalArgumentException} with a
 * message meant for the user.
 *
 * @param port the port to listen on, 0 for any free one
 * @param host the address to bind
 * @param jwtSecret the HS256 secret of the tokens (at least 32 bytes), or null for a random one per
 *     start (tokens then last until the restart)
 * @param seed the seed of the simulated orders and lobby chatter
 * @param tickMillis how often the numbers are pushed
 * @param help whether {@code --help} was given
 */
public record DashboardOptions(
    int port, String host, String jwtSecret, long seed, long tickMillis, boolean help) {
  static final String USAGE =
      """
      usage: bin/dialogue-example dashboard [--port N] [--host H] [--jwt-secret S] [--seed N]
                                            [--tick-ms N]
        --port N        port to listen on (default 8090; 0 picks a free port)
        --host H        address to bind (default 0.0.0.0)
        --jwt-secret S  HS256 secret of the viewer and admin tokens, at least 32 bytes
                        (default: a random one per start)
        --seed N        seed of the simulated orders feed and lobby chatter (default 42)
        --tick-ms N     how often the numbers are pushed, in ms (default 1000, at least 50)
        --help          show this help
      Prints the dashboard's URL and an admin URL, then "READY <port>" once it serves.\
      """;

  /** The defaults: port 8090 on every interface, a random secret, seed 42, one tick a second. */
  public static DashboardOptions defaults() {
    return new DashboardOptions(8090, "0.0.0.0", null, 42, 1000, false);
  }

  /** The same options on another port and host (tests: 127.0.0.1, port 0). */
  public DashboardOptions withAddress(String host, int port) {
    return new DashboardOptions(port, host, jwtSecret, seed, tickMillis, help);
  }

  /** Parses the command line. */
  public static DashboardOptions parse(String... args) {
    DashboardOptions o = defaults();
    int port = o.port;
    String host = o.host;
    String secret = null;
    long seed = o.seed;
    long tick = o.tickMillis;
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
        return new DashboardOptions(port, host, secret, seed, tick, true);
      }
      if (!Set.of("--port", "--host", "--jwt-secret", "--seed", "--tick-ms").contains(name)) {
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
        case "--port" -> port = (int) number(name, value, 0, 65535);
        case "--host" -> host = value;
        case "--seed" -> seed = number(name, value, Long.MIN_VALUE, Long.MAX_VALUE);
        case "--tick-ms" -> tick = number(name, value, 50, 60_000);
        default -> {
          if (Tokens.bytes(value).length < 32) {
            throw new IllegalArgumentException(
                "--jwt-secret must be at least 32 bytes but was " + Tokens.bytes(value).length);
          }
          secret = value;
        }
      }
    }
    return new DashboardOptions(port, host, secret, seed, tick, false);
  }

  private static long number(String name, String value, long min, long max) {
    try {
      long n = Long.parseLong(value);
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
