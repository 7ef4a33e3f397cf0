package dev.dialogue;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.ScriptTimeoutException;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A headless Debian Chromium driven by Debian's chromedriver, plus a tiny page server on another
 * loopback port (so the page loads {@code dialogue.js} cross-origin, as real apps do). Nothing is
 * downloaded: both binaries are given explicitly, so Selenium Manager never runs. Public for the
 * other modules' tests (dialogue-core's test-jar).
 */
public final class Browser implements AutoCloseable {
  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  private static final Duration TIMEOUT = Duration.ofSeconds(15);

  private final Path profile;
  private final HttpServer pages;
  private final ChromeDriver driver;

  public Browser() {
    assertThat(CHROMIUM)
        .as("Debian's chromium (apt-get install chromium chromium-driver; .ci/run does it)")
        .isExecutable();
    assertThat(CHROMEDRIVER).as("Debian's chromium-driver").isExecutable();
    try {
      profile = Files.createTempDirectory("dialogue-chromium-");
      pages = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    pages.createContext(
        "/",
        exchange -> {
          byte[] body = page(exchange.getRequestURI().getQuery()).getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
          exchange.sendResponseHeaders(200, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    pages.start();
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--user-data-dir=" + profile);
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(CHROMEDRIVER.toFile())
            .usingAnyFreePort()
            .build();
    driver = new ChromeDriver(service, options);
    driver.manage().timeouts().scriptTimeout(TIMEOUT);
  }

  /** A page that loads the client from the Dialogue server's own port. */
  private static String page(String query) {
    String server = query != null && query.startsWith("server=") ? query.substring(7) : "";
    return "<!doctype html><meta charset=utf-8><title>dialogue test</title>"
        + "<script src=\""
        + server
        + "/dialogue.js\"></script>"
        + "<script>window.server = '"
        + server
        + "'; window.log = [];"
        + "window.until = async (f) => { while (!f()) await new Promise((r) => setTimeout(r, 10)); };</script>";
  }

  /** The test page's origin, e.g. for {@code allowedOrigins}. */
  public String pageOrigin() {
    return "http://127.0.0.1:" + pages.getAddress().getPort();
  }

  /**
   * Opens a fresh test page for a server on {@code port}; the page records into {@code window.log}.
   */
  public void open(int port) {
    driver.get(
        "http://127.0.0.1:" + pages.getAddress().getPort() + "/?server=http://127.0.0.1:" + port);
    await("typeof Dialogue === 'object'");
  }

  /**
   * Runs {@code body} inside an async function and returns what it returns, or a map with {@code
   * error} (the code) and {@code message} when it throws.
   */
  public Object run(String body) {
    String script =
        "const done = arguments[arguments.length - 1];"
            + "(async () => {"
            + body
            + "})().then(v => done(v === undefined ? null : v),"
            + " e => done({error: String(e && e.code), message: String(e && e.message),"
            + " isDialogueError: e instanceof Dialogue.DialogueError}));";
    try {
      return ((JavascriptExecutor) driver).executeAsyncScript(script);
    } catch (ScriptTimeoutException e) {
      throw new AssertionError(
          "script timed out; page state: "
              + eval(
                  "JSON.stringify({log: window.log, scripted: window.scripted && {requests: scripted.requests,"
                      + " sent: scripted.sockets.map((s) => s.sent)}})"),
          e);
    }
  }

  @SuppressWarnings("unchecked")
  public Map<String, Object> runMap(String body) {
    return (Map<String, Object>) run(body);
  }

  /** Waits until the JavaScript expression is truthy. */
  public void await(String expression) {
    new WebDriverWait(driver, TIMEOUT, Duration.ofMillis(50))
        .withMessage(
            () ->
                "waiting for "
                    + expression
                    + "; window.log = "
                    + eval("JSON.stringify(window.log)"))
        .until(
            d ->
                Boolean.TRUE.equals(
                    ((JavascriptExecutor) d).executeScript("return !!(" + expression + ");")));
  }

  /** Replaces {@code window.WebSocket} with the scripted server from the test resources. */
  public void installScriptedServer() {
    try (var in = Browser.class.getResourceAsStream("/dev/dialogue/browser/scripted-server.js")) {
      ((JavascriptExecutor) driver)
          .executeScript(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public Object eval(String expression) {
    return ((JavascriptExecutor) driver).executeScript("return " + expression + ";");
  }

  @Override
  public void close() {
    try {
      driver.quit();
    } finally {
      pages.stop(0);
      try (Stream<Path> files = Files.walk(profile)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (IOException e) {
        // A leftover temporary profile is harmless.
      }
    }
  }
}
