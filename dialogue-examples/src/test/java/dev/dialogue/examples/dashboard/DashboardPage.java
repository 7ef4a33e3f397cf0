package dev.dialogue.examples.dashboard;

import dev.dialogue.testing.Browser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TimeoutException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard's page in a headless Debian Chromium of its own (own profile), read through its
 * {@code data-testid}s. Waits poll the page with a timeout; a timeout saves a screenshot.
 */
final class DashboardPage implements AutoCloseable {
  static final Duration TIMEOUT = Duration.ofSeconds(20);
  static final Path SCREENSHOTS = Path.of("target", "dashboard-screenshots");

  private final Path profile;
  private final ChromeDriver driver;
  private final String name;

  DashboardPage(String name, int width, int height) {
    this.name = name;
    try {
      profile = Files.createTempDirectory("dashboard-chromium-");
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
    driver.manage().timeouts().scriptTimeout(TIMEOUT);
  }

  static By id(String testId) {
    return By.cssSelector("[data-testid='" + testId + "']");
  }

  void open(String url) {
    driver.get(url);
    await("the page to connect and join", d -> "true".equals(body().getAttribute("data-ready")));
  }

  WebElement body() {
    return driver.findElement(By.tagName("body"));
  }

  WebElement find(String testId) {
    return driver.findElement(id(testId));
  }

  String text(String testId) {
    return find(testId).getText();
  }

  /** The tick the page shows, or -1 before the first. */
  long seq() {
    String seq = body().getAttribute("data-seq");
    return seq == null || seq.isEmpty() ? -1 : Long.parseLong(seq);
  }

  /**
   * The numbers the page shows, read in one script (so from one update): the tick and the values of
   * the given test ids, as displayed.
   */
  @SuppressWarnings("unchecked")
  Map<String, String> read(String... testIds) {
    return (Map<String, String>)
        driver.executeScript(
            "const out = { seq: document.body.dataset.seq || '' };"
                + "for (const id of arguments) {"
                + "  const el = document.querySelector(`[data-testid=\"${id}\"]`);"
                + "  out[id] = el ? el.textContent : null;"
                + "}"
                + "return out;",
            (Object[]) testIds);
  }

  /** How many points the events chart draws (its polyline's points). */
  long chartPoints(String testId) {
    Object n =
        driver.executeScript(
            "const l = document.querySelector(`[data-testid=\"${arguments[0]}\"] polyline`);"
                + "return l ? l.getAttribute('points').trim().split(' ').length : 0;",
            testId);
    return ((Number) n).longValue();
  }

  void click(String testId) {
    await(testId + " to be clickable", d -> find(testId).isDisplayed() && find(testId).isEnabled());
    find(testId).click();
  }

  <T> T await(String what, Function<WebDriver, T> condition) {
    try {
      return new WebDriverWait(driver, TIMEOUT, Duration.ofMillis(50))
          .ignoring(org.openqa.selenium.NoSuchElementException.class)
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

  /** Saves a screenshot under target/dashboard-screenshots and returns its path. */
  Path screenshot(String file) {
    try {
      Files.createDirectories(SCREENSHOTS);
      Path out = SCREENSHOTS.resolve(file + ".png");
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
        // a temp directory left behind
      }
    }
  }
}
