package dev.dialogue.examples.chat;

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
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.NoSuchElementException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TimeoutException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * One person in a web UI (the chat's, also the other examples'): a headless Debian Chromium of its
 * own (own profile, so two pages are two browsers that share nothing), found by the UI's {@code
 * data-testid}s. The fake media devices give {@code getUserMedia} a generated tone, so voice notes
 * record for real.
 */
public final class ChatPage implements AutoCloseable {
  static final Duration TIMEOUT = Duration.ofSeconds(20);

  private final Path profile;
  public final ChromeDriver driver;
  private final String name;

  public ChatPage(String name, int width, int height) {
    this.name = name;
    try {
      profile = Files.createTempDirectory("chat-chromium-");
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

  void signIn(String username, String password) {
    await("the sign-in form", d -> d.findElement(id("signin-username")).isDisplayed());
    click("auth-tab-signin");
    type("signin-username", username);
    type("signin-password", password);
    click("signin-submit");
    awaitReady();
  }

  void signUp(String username, String displayName, String password) {
    await("the sign-in form", d -> d.findElement(id("signin-username")).isDisplayed());
    click("auth-tab-signup");
    type("signin-username", username);
    type("signup-displayname", displayName);
    type("signin-password", password);
    click("signin-submit");
    awaitReady();
  }

  void awaitReady() {
    await("the app to be ready", d -> "true".equals(body().getAttribute("data-ready")));
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
    WebElement e = await(testId, d -> d.findElement(id(testId)));
    e.sendKeys(keys);
  }

  public void clearAndType(String testId, String text) {
    WebElement e = await(testId, d -> d.findElement(id(testId)));
    e.sendKeys(Keys.chord(Keys.CONTROL, "a"), Keys.DELETE);
    e.sendKeys(text);
  }

  /** Types a message in the composer and sends it with Enter. */
  void send(String text) {
    type("composer-input", text);
    type("composer-input", Keys.ENTER);
  }

  void openChannel(String name) {
    await(
        "#" + name + " in the sidebar",
        d -> {
          for (WebElement item : d.findElements(id("channel-item"))) {
            if (item.getText().contains(name)) {
              item.click();
              return true;
            }
          }
          return false;
        });
    await("#" + name + " to be open", d -> find("channel-name").getText().contains(name));
  }

  WebElement channelItem(String name) {
    return await(
        "#" + name + " in the sidebar",
        d -> {
          for (WebElement item : d.findElements(id("channel-item"))) {
            if (item.getText().contains(name)) {
              return item;
            }
          }
          return null;
        });
  }

  /** The message in the list whose text contains {@code text}, once it is there. */
  WebElement message(String text) {
    return await("a message with '" + text + "'", d -> messageOrNull(text));
  }

  WebElement messageOrNull(String text) {
    for (WebElement m :
        driver.findElements(
            By.cssSelector("[data-testid='message-list'] [data-testid='message']"))) {
      try {
        if (m.findElement(id("message-text")).getText().contains(text)) {
          return m;
        }
      } catch (NoSuchElementException | StaleElementReferenceException e) {
        // not a text message, or re-rendered: look at the next
      }
    }
    return null;
  }

  /** How many messages of the main list contain {@code text}. */
  long count(String text) {
    Object n =
        driver.executeScript(
            "return [...document.querySelectorAll(\"[data-testid='message-list'] [data-testid='message-text']\")]"
                + ".filter(e => e.textContent.includes(arguments[0])).length",
            text);
    return ((Number) n).longValue();
  }

  void hover(WebElement element) {
    new Actions(driver).moveToElement(element).perform();
  }

  /**
   * Hovers {@code message} and clicks its action {@code testId} once the hover shows it (the
   * actions appear on hover; a slow machine may take a moment, or the pointer may have moved).
   */
  void clickAction(WebElement message, String testId) {
    await(
        testId + " on hover",
        d -> {
          hover(message);
          WebElement action = message.findElement(id(testId));
          if (!action.isDisplayed()) {
            return false;
          }
          try {
            action.click();
            return true;
          } catch (org.openqa.selenium.ElementNotInteractableException e) {
            return false;
          }
        });
  }

  public Object js(String script, Object... args) {
    return ((JavascriptExecutor) driver).executeScript(script, args);
  }

  public <T> T await(String what, Function<WebDriver, T> condition) {
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

  /** Saves a screenshot under target/chat-screenshots and returns its path. */
  public Path screenshot(String file) {
    Path dir = Path.of("target", "chat-screenshots");
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
