package dev.dialogue.examples.dashboard;

import dev.dialogue.examples.CommandLine;
import java.util.Map;
import java.util.Optional;
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
    Optional<Map<String, String>> given =
        CommandLine.parse(args, Set.of("--port", "--host", "--jwt-secret", "--seed", "--tick-ms"));
    if (given.isEmpty()) {
      return new DashboardOptions(o.port, o.host, null, o.seed, o.tickMillis, true);
    }
    Map<String, String> g = given.get();
    String secret = g.get("--jwt-secret");
    if (secret != null && Tokens.bytes(secret).length < 32) {
      throw new IllegalArgumentException(
          "--jwt-secret must be at least 32 bytes but was " + Tokens.bytes(secret).length);
    }
    return new DashboardOptions(
        g.containsKey("--port") ? CommandLine.port(g.get("--port")) : o.port,
        g.getOrDefault("--host", o.host),
        secret,
        g.containsKey("--seed")
            ? CommandLine.number("--seed", g.get("--seed"), Long.MIN_VALUE, Long.MAX_VALUE)
            : o.seed,
        g.containsKey("--tick-ms")
            ? CommandLine.number("--tick-ms", g.get("--tick-ms"), 50, 60_000)
            : o.tickMillis,
        false);
  }
}
