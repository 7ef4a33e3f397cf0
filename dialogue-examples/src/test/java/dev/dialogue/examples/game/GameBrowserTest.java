package dev.dialogue.examples.game;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dialogue.testing.FaultProxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.WebElement;

/**
 * Two players in two headless Chromiums play Four in a Row to the end through the web UI, with a
 * third watching from a phone-sized window: the live lobby, joining, moves and their refusal for
 * the spectator, the result, a rematch, a reload in the middle of a game, a match against a bot.
 * Screenshots go to target/game-screenshots (docs/examples/images/game-*.png are copies).
 */
@Timeout(240)
class GameBrowserTest {
  private static GameServer server;
  private static final List<GamePage> pages = new ArrayList<>();

  @BeforeAll
  static void start() {
    server =
        GameServer.start(
            GameOptions.defaults(0)
                .with("127.0.0.1", 0, Duration.ofSeconds(60), Duration.ofSeconds(20)));
  }

  @AfterAll
  static void stop() {
    pages.forEach(GamePage::close);
    if (server != null) {
      server.close();
    }
  }

  private static GamePage page(String name, int width, int height) {
    GamePage page = new GamePage(name, width, height);
    pages.add(page);
    page.open(server.url());
    return page;
  }

  @Test
  void twoPlayersPlayAMatchToTheEnd_whileSomeoneWatches() {
    GamePage ada = page("ada", 1100, 880);
    ada.screenshot("signin");
    ada.signIn("Ada");
    GamePage grace = page("grace", 1100, 880);
    grace.signIn("Grace");

    // Ada opens a public match; Grace's lobby lists it live.
    ada.click("create-public");
    ada.await("the waiting match", d -> "waiting".equals(ada.board("status")));
    assertThat(ada.text("status")).contains("Waiting for an opponent");
    String code = ada.text("match-code");
    WebElement listed =
        grace.await(
            "the match in the lobby",
            d ->
                d.findElements(GamePage.id("lobby-match")).stream()
                    .filter(e -> code.equals(e.getAttribute("data-code")))
                    .findFirst()
                    .orElse(null));
    assertThat(listed.getText()).contains("Ada").contains("waiting");
    grace.screenshot("lobby");
    listed.findElement(GamePage.id("lobby-join")).click();

    // Both see the game start: Ada (red) moves first.
    ada.await("the game to start", d -> "playing".equals(ada.board("status")));
    grace.await("the game to start", d -> "playing".equals(grace.board("status")));
    assertThat(ada.text("status")).contains("Your turn");
    assertThat(grace.text("status")).contains("Ada is thinking");
    assertThat(ada.text("clock")).matches("[01]:\\d\\d");

    // Linus watches from a phone-sized window, through the lobby.
    GamePage linus = page("linus", 400, 860);
    linus.signIn("Linus");
    linus.await(
        "the playing match in the lobby",
        d ->
            d.findElements(GamePage.id("lobby-match")).stream()
                .anyMatch(e -> code.equals(e.getAttribute("data-code"))));
    linus.driver.findElements(GamePage.id("lobby-watch")).get(0).click();
    linus.await("the match", d -> linus.visible("spectating"));

    ada.play(1, 0, 3);
    grace.play(2, 1, 3);
    ada.play(1, 2, 4);
    grace.play(2, 3, 4);
    ada.play(1, 4, 2);
    grace.play(2, 5, 5);
    linus.awaitMoves(6);
    assertThat(linus.cell(5, 3)).isEqualTo(1);
    assertThat(linus.cell(4, 3)).isEqualTo(2);
    // What was said before Linus came in, from the room's history.
    linus.await("the earlier notices", d -> linus.text("notices").contains("Game 1: Ada starts."));
    assertThat(ada.text("spectators")).contains("1 watching");

    // The spectator's click does nothing; a wrong-turn click by Grace is not sent.
    linus.click("column-0");
    grace.click("column-0");
    ada.awaitMoves(6);
    assertThat(ada.cell(5, 0)).isZero();
    ada.settledScreenshot("playing");
    linus.settledScreenshot("phone-spectator");

    // Ada connects four on the bottom row.
    ada.play(1, 6, 1);
    for (GamePage p : List.of(ada, grace, linus)) {
      p.await("the result", d -> p.visible("result"));
    }
    assertThat(ada.text("result-title")).isEqualTo("You win!");
    assertThat(grace.text("result-title")).isEqualTo("You lose");
    assertThat(linus.text("result-title")).isEqualTo("Ada wins");
    assertThat(ada.text("result-reason")).isEqualTo("four in a row");
    ada.settledScreenshot("result");

    // A rematch: Grace starts the second game.
    grace.click("rematch");
    ada.await(
        "the rematch request", d -> ada.text("rematch-status").contains("Grace wants a rematch"));
    ada.click("rematch");
    grace.await(
        "game 2", d -> "playing".equals(grace.board("status")) && "0".equals(grace.board("moves")));
    assertThat(grace.text("status")).contains("Your turn");
    grace.play(2, 0, 0);
    ada.play(1, 1, 6);

    // Grace reloads her page mid-game: the server puts her back into her match, as it stands.
    grace.driver.navigate().refresh();
    grace.await("her match again", d -> "2".equals(grace.board("moves")));
    assertThat(grace.cell(5, 0)).isEqualTo(2);
    grace.play(2, 2, 0);
    ada.play(1, 3, 6);
    grace.click("resign");
    ada.await("the result", d -> ada.visible("result"));
    assertThat(ada.text("result-reason")).contains("Grace resigned");

    // Grace leaves; Ada is told and goes back to the lobby too.
    grace.click("leave-result");
    ada.await("Grace to have left", d -> ada.text("rematch-status").contains("Grace left"));
    ada.click("leave-result");
    ada.await("the lobby", d -> ada.visible("quick-match"));
  }

  @Test
  void aPlayerFillsAPrivateMatchWithABot_andPlaysItToTheEnd() {
    GamePage kim = page("kim", 1100, 880);
    kim.signIn("Kim");
    kim.screenshot("lobby-empty");
    kim.click("create-private");
    kim.await("the waiting match", d -> "waiting".equals(kim.board("status")));
    assertThat(kim.text("match-kind")).isEqualTo("private");
    kim.click("add-bot");
    kim.await("the bot", d -> "playing".equals(kim.board("status")));
    assertThat(kim.text("player-2")).contains("(bot)");
    int moves = 0;
    boolean shot = false;
    while (!"over".equals(kim.board("status"))) {
      int now = moves;
      kim.await(
          "Kim's turn or the end",
          d ->
              "over".equals(kim.board("status"))
                  || ("1".equals(kim.board("turn"))
                      && Integer.parseInt(kim.board("moves")) >= now));
      if ("over".equals(kim.board("status"))) {
        break;
      }
      moves = Integer.parseInt(kim.board("moves"));
      if (moves >= 6 && !shot) {
        kim.settledScreenshot("vs-bot");
        shot = true;
      }
      int column = firstOpen(kim);
      kim.click("column-" + column);
      int after = moves + 1;
      kim.await(
          "the move",
          d -> Integer.parseInt(kim.board("moves")) >= after || "over".equals(kim.board("status")));
      moves = after;
    }
    kim.await("the result", d -> kim.visible("result"));
    assertThat(kim.text("result-title")).isIn("You win!", "You lose", "A draw!");
  }

  @Test
  void aDroppedPlayer_isShownAway_withTheClockPaused_andComesBackIntoTheGame() {
    GamePage ada = page("ada2", 1100, 880);
    ada.signIn("Ada");
    try (FaultProxy proxy = FaultProxy.to(server.port())) {
      GamePage bo = new GamePage("bo", 1100, 880); // through a proxy whose network the test cuts
      pages.add(bo);
      bo.open("http://127.0.0.1:" + proxy.port() + "/");
      bo.signIn("Bo");

      ada.click("create-private");
      ada.await("the waiting match", d -> "waiting".equals(ada.board("status")));
      assertThat(ada.text("status")).contains("share the code");
      String code = ada.text("match-code");
      bo.find("join-code").sendKeys(code.toLowerCase());
      bo.click("join-button");
      ada.play(1, 0, 3);
      bo.awaitMoves(1);

      proxy.refuse(true);
      proxy.reset();
      ada.await("Bo away", d -> ada.visible("away-2"));
      assertThat(ada.text("status")).contains("Bo lost the connection: clock paused");
      assertThat(ada.text("clock")).isEqualTo("PAUSED"); // text-transform: uppercase
      bo.await("the reconnect banner", d -> bo.visible("connection"));
      ada.settledScreenshot("away");
      bo.await("Bo's own page to say so", d -> bo.text("status").contains("Reconnecting"));
      bo.screenshot("reconnecting");

      proxy.restore();
      ada.await("Bo back", d -> !ada.visible("away-2"));
      bo.await("the banner to go", d -> !bo.visible("connection"));
      assertThat(ada.text("notices")).contains("Bo lost the connection").contains("Bo is back");
      bo.play(2, 1, 3);
      ada.play(1, 2, 2);
      assertThat(bo.cell(4, 3)).isEqualTo(2);
    }
  }

  /** Kim plays the centre-most open column. */
  private static int firstOpen(GamePage page) {
    for (int c : new int[] {3, 2, 4, 1, 5, 0, 6}) {
      if (page.cell(0, c) == 0) {
        return c;
      }
    }
    throw new AssertionError("the board is full");
  }
}
