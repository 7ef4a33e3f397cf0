package dev.dialogue.examples.game;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code bin/dialogue-example game --port 0}: prints the URL, then {@code READY <port>}, serves the
 * page and the game, and stops on SIGTERM. The launcher may have to build first.
 */
@Timeout(300)
class GameLauncherTest {
  private static final Pattern READY = Pattern.compile("READY (\\d+)");
  private Process process;

  @AfterEach
  void kill() throws InterruptedException {
    if (process != null) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void game_printsTheUrlAndReady_servesThePageAndMatches_andStopsOnSigterm() throws Exception {
    Path root = repositoryRoot();
    Path stderr = Files.createTempFile("dialogue-example-game-", ".stderr");
    process =
        new ProcessBuilder(
                List.of(
                    root.resolve("bin/dialogue-example").toString(),
                    "game",
                    "--port",
                    "0",
                    "--host",
                    "127.0.0.1"))
            .directory(root.toFile())
            .redirectError(stderr.toFile())
            .start();
    process.getOutputStream().close();
    BufferedReader stdout =
        new BufferedReader(new InputStreamReader(process.getInputStream(), UTF_8));

    String first = CompletableFuture.supplyAsync(() -> readLine(stdout)).get(240, TimeUnit.SECONDS);
    assertThat(first)
        .as("stderr: %s", Files.readString(stderr))
        .startsWith("Dialogue Four in a Row is running: open http://127.0.0.1:");
    String second = CompletableFuture.supplyAsync(() -> readLine(stdout)).get(30, TimeUnit.SECONDS);
    Matcher ready = READY.matcher(String.valueOf(second));
    assertThat(ready.matches()).as("second line %s", second).isTrue();
    int port = Integer.parseInt(ready.group(1));
    assertThat(first).endsWith(":" + port + "/");

    HttpResponse<String> page =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/")).build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).contains("Four in a Row").contains("/dialogue.js");

    try (GameBot a = GameBot.builder("http://127.0.0.1:" + port).name("A").connect();
        GameBot b = GameBot.builder("http://127.0.0.1:" + port).name("B").connect()) {
      a.quickMatch();
      b.quickMatch();
      assertThat(a.finished().get(30, TimeUnit.SECONDS).status()).isEqualTo("over");
    }

    assertThat(process.toHandle().destroy()).isTrue(); // SIGTERM
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("exited after SIGTERM").isTrue();
    Files.deleteIfExists(stderr);
  }

  private static String readLine(BufferedReader reader) {
    try {
      return reader.readLine();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Path repositoryRoot() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isRegularFile(dir.resolve("bin/dialogue-example"))
          && Files.isRegularFile(dir.resolve("pom.xml"))) {
        return dir;
      }
    }
    throw new IllegalStateException(
        "no bin/dialogue-example above " + Path.of("").toAbsolutePath());
  }
}
