package dev.dialogue.examples.game;

import dev.dialogue.examples.BrowserPage;
import java.nio.file.Path;

/**
 * One player in the game's web UI: a headless Debian Chromium of its own (own profile: two pages
 * are two browsers that share nothing), driven through the UI's {@code data-testid}s.
 */
final class GamePage extends BrowserPage {
  GamePage(String name, int width, int height) {
    super(name, width, height, "game-screenshots");
  }

  void signIn(String nickname) {
    await("the sign-in form", d -> d.findElement(id("nickname")).isDisplayed());
    find("nickname").sendKeys(nickname);
    click("signin");
    await("the lobby", d -> d.findElement(id("quick-match")).isDisplayed());
  }

  /** The board's data attributes: status, turn, moves. */
  String board(String attribute) {
    return find("board").getAttribute("data-" + attribute);
  }

  /** Waits for this player's turn at move {@code moves} (0-based count so far), then drops. */
  void play(int seat, int moves, int column) {
    await(
        "turn " + seat + " at move " + moves,
        d ->
            "playing".equals(board("status"))
                && String.valueOf(seat).equals(board("turn"))
                && String.valueOf(moves).equals(board("moves")));
    click("column-" + column);
    awaitMoves(moves + 1);
  }

  void awaitMoves(int moves) {
    await(
        moves + " moves on the board",
        d -> Integer.parseInt(board("moves")) >= moves || "over".equals(board("status")));
  }

  /** The seat of the disc in a cell, 0 if empty. */
  int cell(int row, int column) {
    return Integer.parseInt(find("cell-" + row + "-" + column).getAttribute("data-seat"));
  }

  /** Waits until no finite animation runs (a disc still dropping), then saves a screenshot. */
  Path settledScreenshot(String file) {
    await(
        "the animations to end",
        d ->
            Boolean.TRUE.equals(
                driver.executeScript(
                    "return document.getAnimations().every(a => a.playState !== 'running'"
                        + " || a.effect.getComputedTiming().iterations === Infinity)")));
    return screenshot(file);
  }
}
