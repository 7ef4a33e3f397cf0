package dev.dialogue.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The game scenario, tiny: 6 matches of bots and 2 lobby watchers for a few seconds against the
 * real game example in its own process. Asserts that it measured real play (moves accepted and none
 * refused, every latency recorded, games finished and none on the clock, no error) and that the
 * lobby's list came at most every 250 ms; nothing about speed.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class GameScenarioTest {
  @Test
  void tinyRun_playsLegalMovesAndReportsLatencies() throws Exception {
    Path work = Path.of("target/bench-game");
    String classpath =
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    Launcher launcher = new Launcher(work, classpath, null);
    Plan.Game plan = new Plan.Game(6, 2, false, 20, 30, 2, 4);
    PrintStream log = new PrintStream(System.out, true, StandardCharsets.UTF_8);

    Results.Game r = new GameScenario(plan, launcher, log).run();

    GameStats.Snapshot w = r.window();
    assertThat(r.seated()).isEqualTo(6);
    assertThat(r.watching()).isEqualTo(2);
    assertThat(w.movesAccepted()).isPositive();
    // A move sent just before the window opened may be accepted in it: at most one per bot (each
    // waits for its move's answer), two bots a match.
    assertThat(w.movesAccepted()).isLessThanOrEqualTo(w.movesSent() + 2L * r.seated());
    assertThat(w.movesRefused()).isZero();
    assertThat(w.gamesFinished()).isPositive();
    assertThat(w.timeouts()).isZero();
    assertThat(r.reasons()).containsKey("four");
    assertThat(r.codes()).isEmpty();
    assertThat(w.errors()).isZero();
    assertThat(w.disconnects()).isZero();
    assertThat(r.toOpponent().getTotalCount()).isPositive();
    assertThat(r.toMover().getTotalCount()).isPositive();
    assertThat(r.ack().getTotalCount()).isPositive();
    assertThat(Results.millis(r.toOpponent(), 99)).isPositive();
    // Games start and end all the time, but each watcher gets a list at most every 250 ms.
    assertThat(w.lobbyUpdates()).isPositive();
    assertThat(w.lobbyUpdates() / (double) r.watching()).isLessThanOrEqualTo(w.seconds() * 4 + 1);
    assertThat(r.serverCores()).isPositive();

    Report report = new Report();
    report.game.add(r);
    Path out = work.resolve("performance.md");
    report.write(
        out, work.resolve("performance"), Environment.capture("?", ""), Plan.QUICK, "test", 0);
    assertThat(Files.readString(out))
        .contains("## 8. Game: 6 matches of Four in a Row (bots)", "moves/s accepted");
  }
}
