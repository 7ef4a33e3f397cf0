package dev.dialogue.examples.game;

import dev.dialogue.testing.Browser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.function.Function;
import java.util.stream.Stream;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.NoSuchElementException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TimeoutException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * One player in the game's web UI: a headless Debian Chromium of its own (own profile: two pages
 * are two browsers that share nothing), driven through the UI's {@code data-testid}s.
 */
final class GamePage implements AutoCloseable {
  static final Duration TIMEOUT = Duration.ofSeconds(20);

  private final Path profile;
  final ChromeDriver driver;
  final String name;

  GamePage(String name, int width, int height) {
    this.name = name;
    try {
      profile = Files.createTempDirectory("game-chromium-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    ChromeOptions options = new ChromeOptions();
    options.setBinary(Browser.CHROMIUM.toFile());
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--force-device-scale-factor=1",
        "--window-size=" + width + "," + height,
        "--user-data-dir=" + profile);
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(Browser.CHROMEDRIVER.toFile())
            .usingAnyFreePort()
            .build();
    driver = new ChromeDriver(service, options);
    driver.manage().window().setSize(new Dimension(width, height));
  }

  static By id(String testId) {
    return By.cssSelector("[data-testid='" + testId + "']");
  }

  void open(String url) {
    driver.get(url);
  }

  void signIn(String nickname) {
    await("the sign-in form", d -> d.findElement(id("nickname")).isDisplayed());
    find("nickname").sendKeys(nickname);
    click("signin");
    await("the lobby", d -> d.findElement(id("quick-match")).isDisplayed());
  }

  WebElement find(String testId) {
    return driver.findElement(id(testId));
  }

  String text(String testId) {
    return await(testId, d -> d.findElement(id(testId))).getText();
  }

  boolean visible(String testId) {
    try {
      return find(testId).isDisplayed();
    } catch (NoSuchElementException e) {
      return false;
    }
  }

  /** The board's data attributes: status, turn, moves. */
  String board(String attribute) {
    return find("board").getAttribute("data-" + attribute);
  }

  void click(String testId) {
    await(
        testId + " to be clickable",
        d -> {
          WebElement e = d.findElement(id(testId));
          if (!e.isDisplayed() || !e.isEnabled()) {
            return false;
          }
          e.click();
          return true;
        });
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

  <T> T await(String what, Function<WebDriver, T> condition) {
    try {
      return new WebDriverWait(driver, TIMEOUT)
          .ignoring(NoSuchElementException.class)
          .ignoring(StaleElementReferenceException.class)
          .until(condition::apply);
    } catch (TimeoutException e) {
      Path shot = screenshot("timeout-" + name);
      throw new AssertionError(
          name
              + ": waited "
              + TIMEOUT.toSeconds()
              + " s for "
              + what
              + " (screenshot "
              + shot
              + ")",
          e);
    }
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

  /** Saves a screenshot under target/game-screenshots and returns its path. */
  Path screenshot(String file) {
    Path dir = Path.of("target", "game-screenshots");
    try {
      Files.createDirectories(dir);
      Path out = dir.resolve(file + ".png");
      Files.write(out, driver.getScreenshotAs(OutputType.BYTES));
      return out.toAbsolutePath();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    try {
      driver.quit();
    } finally {
      try (Stream<Path> paths = Files.walk(profile)) {
        paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (IOException e) {
        // a leftover temp profile harms nothing
      }
    }
  }
}
