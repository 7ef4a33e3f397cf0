package dev.dialogue.bench;

import static dev.dialogue.bench.Report.f;

import java.util.List;
import java.util.function.Consumer;

/** The report's section on the game scenario. */
final class GameReport {
  private GameReport() {}

  static void section(List<Results.Game> results, Consumer<String> line) {
    if (results.isEmpty()) {
      return;
    }
    Plan.Game p = results.get(0).plan();
    line.accept(f("## 8. Game: %,d matches of Four in a Row (bots)", p.matches()));
    line.accept("");
    line.accept(
        f(
            "The game example (`dev.dialogue.examples.game.GameServer`, turn clock %d s) in a"
                + " server process of its own with the Java servers' flags. %,d %s matches, each"
                + " made by one bot (`match.create`) and joined by another with its code"
                + " (`match.join`), every bot a connection of the generator's own Socket.IO"
                + " framing; %d more connections watch the lobby room. A bot on move sends a random"
                + " legal column (the `move` room command) after a think time of %.0f ms on"
                + " average (uniform 0.5x to 1.5x), and asks for a rematch when a game is over, so"
                + " every match plays throughout: %.0f s of warm-up, then %.0f s measured."
                + " Move-to-update: from writing the move to receiving the `state` event that shows"
                + " it (its `moveNumber`), at the opponent and at the mover.",
            p.turnSeconds(),
            p.matches(),
            p.privateMatches() ? "private" : "public",
            p.lobbyWatchers(),
            p.thinkMillis(),
            p.warmSeconds(),
            p.seconds()));
    line.accept("");
    line.accept(
        "| run | think ms | matches | moves/s accepted | to opponent p50 ms | p99 ms | max ms |"
            + " to mover p99 ms | move answer p99 ms | games finished | refused | errors |"
            + " lobby lists/s | server CPU | generator CPU |");
    line.accept("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    int run = 0;
    for (Results.Game r : results) {
      GameStats.Snapshot w = r.window();
      line.accept(
          "| "
              + (++run)
              + " | "
              + f("%.0f", r.plan().thinkMillis())
              + " | "
              + f("%,d", r.seated())
              + " | "
              + f("%,.0f", r.perSecond(w.movesAccepted()))
              + " | "
              + f("%.2f", Results.millis(r.toOpponent(), 50))
              + " | "
              + f("%.2f", Results.millis(r.toOpponent(), 99))
              + " | "
              + f("%.2f", r.toOpponent().getMaxValue() / 1e6)
              + " | "
              + f("%.2f", Results.millis(r.toMover(), 99))
              + " | "
              + f("%.2f", Results.millis(r.ack(), 99))
              + " | "
              + f("%,d", w.gamesFinished())
              + " | "
              + f("%,d", w.movesRefused())
              + " | "
              + f("%,d", w.errors())
              + " | "
              + f("%,.1f", r.perSecond(w.lobbyUpdates()))
              + " | "
              + f("%.2f", r.serverCores())
              + " | "
              + f("%.2f", r.generatorCores())
              + " |");
    }
    line.accept("");
    run = 0;
    for (Results.Game r : results) {
      run++;
      GameStats.Snapshot w = r.window();
      line.accept(
          f(
              "- Run %d: games by how they ended %s; errors and refusals by code over the whole"
                  + " run: %s; disconnects %d; `state` events %,.0f/s of %,.0f B on average;"
                  + " lobby lists %,.0f B on average; server RSS %,.0f MB, heap after GC %,.0f MB;"
                  + " every 5 s of the window: %s.%s",
              run,
              r.reasons().isEmpty() ? "none" : r.reasons().toString(),
              ChatReport.codes(r.codes()),
              w.disconnects(),
              r.perSecond(w.states()),
              w.states() == 0 ? 0.0 : w.stateBytes() / (double) w.states(),
              w.lobbyUpdates() == 0 ? 0.0 : w.lobbyBytes() / (double) w.lobbyUpdates(),
              r.serverRssBytes() / 1e6,
              r.serverHeapAfterGc() / 1e6,
              String.join("; ", r.timeline()),
              r.note().isEmpty() ? "" : " " + r.note()));
    }
    line.accept("");
  }
}
