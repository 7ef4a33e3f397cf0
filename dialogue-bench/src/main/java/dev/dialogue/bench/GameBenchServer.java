package dev.dialogue.bench;

import dev.dialogue.examples.game.GameOptions;
import dev.dialogue.examples.game.GameServer;
import java.time.Duration;

/**
 * The game scenario's server: the Four in a Row example ({@link GameServer}, its real turn clock
 * and grace) on 127.0.0.1, with the harness's control channel ({@link ServerArgs#serve}: {@code
 * READY <port>}, {@code gc}, stop on end of input).
 *
 * <pre>GameBenchServer --port N [--turn-seconds S]</pre>
 */
final class GameBenchServer {
  private GameBenchServer() {}

  public static void main(String[] args) {
    int port = 0;
    GameOptions defaults = GameOptions.defaults(0);
    Duration turn = defaults.turn();
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--port" -> port = Integer.parseInt(args[i + 1]);
        case "--turn-seconds" -> turn = Duration.ofSeconds(Long.parseLong(args[i + 1]));
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    GameServer server = GameServer.start(defaults.with("127.0.0.1", port, turn, defaults.grace()));
    ServerArgs.serve(server.port(), server::close);
  }
}
