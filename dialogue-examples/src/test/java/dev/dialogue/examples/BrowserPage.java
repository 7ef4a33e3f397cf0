package dev.dialogue.examples;

import dev.dialogue.testing.Browser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
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
 * One person at an example's web page: a headless Debian Chromium of its own (its own profile, so
 * two pages are two browsers that share nothing), driven by Debian's chromedriver, elements found
 * by their {@code data-testid}. The fake media devices give {@code getUserMedia} a generated tone,
 * so voice notes record for real. Every wait gives up after {@link #TIMEOUT} with a screenshot. The
 * examples' own page classes add what their pages do.
 */
public class BrowserPage implements AutoCloseable {
  public static final Duration TIMEOUT = Duration.ofSeconds(20);

  /** The browser, for what this class does not wrap. */
  public final ChromeDriver driver;

  /** Who this is, in messages and screenshot names. */
  protected final String name;

  private final Path profile;
  private final Path screenshots;

  /**
   * Starts the browser.
   *
   * @param screenshots the folder under {@code target/} that {@link #screenshot} writes to
   */
  public BrowserPage(String name, int width, int height, String screenshots) {
    this.name = name;
    this.screenshots = Path.of("target", screenshots);
    try {
      profile = Files.createTempDirectory("example-chromium-");
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
        "--use-fake-device-for-media-stream",
        "--use-fake-ui-for-media-stream",
        "--autoplay-policy=no-user-gesture-required",
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

  public static By id(String testId) {
    return By.cssSelector("[data-testid='" + testId + "']");
  }

  public void open(String url) {
    driver.get(url);
  }

  public WebElement body() {
    return driver.findElement(By.tagName("body"));
  }

  public WebElement find(String testId) {
    return driver.findElement(id(testId));
  }

  public List<WebElement> all(String testId) {
    return driver.findElements(id(testId));
  }

  /** The element's text, once it is there. */
  public String text(String testId) {
    return await(testId, d -> d.findElement(id(testId))).getText();
  }

  public boolean visible(String testId) {
    try {
      return find(testId).isDisplayed();
    } catch (NoSuchElementException e) {
      return false;
    }
  }

  /** Clicks the element once it is displayed and enabled. */
  public void click(String testId) {
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

  public void type(String testId, CharSequence... keys) {
    await(testId, d -> d.findElement(id(testId))).sendKeys(keys);
  }

  public void clearAndType(String testId, String text) {
    WebElement e = await(testId, d -> d.findElement(id(testId)));
    e.sendKeys(org.openqa.selenium.Keys.chord(org.openqa.selenium.Keys.CONTROL, "a"));
    e.sendKeys(org.openqa.selenium.Keys.DELETE);
    e.sendKeys(text);
  }

  public Object js(String script, Object... args) {
    return driver.executeScript(script, args);
  }

  /** Polls {@code condition} every 50 ms until it is truthy; fails with a screenshot after 20 s. */
  public <T> T await(String what, Function<WebDriver, T> condition) {
    try {
      return new WebDriverWait(driver, TIMEOUT, Duration.ofMillis(50))
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

  /** Saves a screenshot under {@code target/<screenshots>} and returns its path. */
  public Path screenshot(String file) {
    try {
      Files.createDirectories(screenshots);
      Path out = screenshots.resolve(file + ".png");
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
        // a leftover temporary profile harms nothing
      }
    }
  }
}
