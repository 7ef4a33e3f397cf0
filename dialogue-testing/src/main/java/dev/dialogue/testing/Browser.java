package dev.dialogue.testing;

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
 * A headless Debian Chromium driven by Debian's chromedriver through Selenium, plus a tiny page
 * server on another loopback port, so that the page loads the browser client ({@code dialogue.js})
 * from the Dialogue server cross-origin, as real apps do. Nothing is downloaded: both binaries are
 * given explicitly ({@link #CHROMIUM}, {@link #CHROMEDRIVER}), so Selenium Manager never runs.
 *
 * <p>A test opens a page for a server with {@link #open(int)}, then runs JavaScript in it with
 * {@link #run(String)} (an async function body: {@code await} works, its return value comes back)
 * and waits for page state with {@link #await(String)}. The page defines {@code window.server} (the
 * server's origin), {@code window.log} (an array for the test's own records) and {@code
 * window.until(f)} (resolves once {@code f()} is truthy). Every wait gives up after 15 seconds with
 * the page's {@code window.log} in the message.
 *
 * <p>One instance is one browser process; {@link #close()} ends it and deletes its profile. Not
 * thread-safe: drive it from the test thread.
 */
public final class Browser implements AutoCloseable {
  /** Debian's Chromium ({@code apt-get install chromium}). */
  public static final Path CHROMIUM = Path.of("/usr/bin/chromium");

  /** Debian's chromedriver ({@code apt-get install chromium-driver}). */
  public static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

  private static final Duration TIMEOUT = Duration.ofSeconds(15);

  private final Path profile;
  private final HttpServer pages;
  private final ChromeDriver driver;

  /**
   * Starts the browser and the page server.
   *
   * @throws AssertionError if Chromium or chromedriver is not installed at {@link #CHROMIUM} and
   *     {@link #CHROMEDRIVER}
   */
  public Browser() {
    requireExecutable(CHROMIUM, "chromium");
    requireExecutable(CHROMEDRIVER, "chromium-driver");
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

  private static void requireExecutable(Path binary, String debianPackage) {
    if (!Files.isExecutable(binary)) {
      throw new AssertionError(
          binary
              + " is not an executable: install Debian's "
              + debianPackage
              + " (apt-get install chromium chromium-driver; .ci/run does it)");
    }
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
   * Opens a fresh test page for the Dialogue server on 127.0.0.1:{@code port} and waits until its
   * {@code dialogue.js} has loaded (the global {@code Dialogue}); the page records into {@code
   * window.log}.
   */
  public void open(int port) {
    driver.get(
        "http://127.0.0.1:" + pages.getAddress().getPort() + "/?server=http://127.0.0.1:" + port);
    await("typeof Dialogue === 'object'");
  }

  /**
   * Runs {@code body} inside an async function and returns what it returns (as Selenium converts
   * it: maps, lists, strings, longs, doubles, booleans; {@code undefined} as null), or, when it
   * throws, a map with {@code error} (the error's {@code code}), {@code message} and {@code
   * isDialogueError}.
   *
   * @throws AssertionError if the function has not finished within 15 seconds, with the page's
   *     state in the message
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

  /** {@link #run(String)} for a body that returns an object (or throws). */
  @SuppressWarnings("unchecked")
  public Map<String, Object> runMap(String body) {
    return (Map<String, Object>) run(body);
  }

  /**
   * Waits until the JavaScript expression is truthy, checking every 50 ms.
   *
   * @throws org.openqa.selenium.TimeoutException if it is not within 15 seconds, with {@code
   *     window.log} in the message
   */
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

  /**
   * Replaces the page's {@code window.WebSocket} with a scripted stand-in for the server ({@code
   * scripted-server.js}, next to this class), for what a real server does not do on demand:
   * recovery with missed events, silent heartbeats, unanswered requests. The page controls it
   * through {@code window.scripted} ({@code sockets}, {@code requests}, {@code answers}, {@code
   * live}, {@code dropLatest}).
   */
  public void installScriptedServer() {
    try (var in = Browser.class.getResourceAsStream("scripted-server.js")) {
      ((JavascriptExecutor) driver)
          .executeScript(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The value of a JavaScript expression in the page, converted as by {@link #run(String)}. */
  public Object eval(String expression) {
    return ((JavascriptExecutor) driver).executeScript("return " + expression + ";");
  }

  /** Ends the browser and the page server and deletes the browser's profile. */
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
