package dev.dialogue.examples.reference;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.dialogue.testing.RawClient;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Runs {@code bin/dialogue-example} as a separate process, the way users and external suites do.
 * The launcher may have to build first, hence the generous time limits.
 */
@Timeout(300)
class LauncherTest {
  private static final Path ROOT = repositoryRoot();
  private static final Path LAUNCHER = ROOT.resolve("bin/dialogue-example");
  private static final Pattern READY = Pattern.compile("READY (\\d+)");

  private final List<Process> processes = new ArrayList<>();

  @AfterEach
  void killEveryProcessTree() throws InterruptedException {
    for (Process process : processes) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void reference_printsReadyWithItsPort_servesClients_andStopsOnSigterm() throws Exception {
    Path stderr = Files.createTempFile("dialogue-example-", ".stderr");
    Process server = launch(stderr, "reference", "--port", "0", "--host", "127.0.0.1");
    BufferedReader stdout =
        new BufferedReader(new InputStreamReader(server.getInputStream(), UTF_8));

    String first = CompletableFuture.supplyAsync(() -> readLine(stdout)).get(240, TimeUnit.SECONDS);
    Matcher ready = READY.matcher(String.valueOf(first));
    assertThat(ready.matches())
        .as("first stdout line %s; stderr: %s", first, Files.readString(stderr))
        .isTrue();
    int port = Integer.parseInt(ready.group(1));
    assertThat(port).isPositive();

    try (RawClient alice = RawClient.connect(port, Map.of("userId", "alice"))) {
      alice.join("chat");
      alice.emit(
          "dialogue:trigger",
          Map.of("roomId", "chat", "event", "message", "data", Map.of("text", "hi")));
      assertThat(alice.take("dialogue:event").data().path("from").asText()).isEqualTo("alice");
    }

    // SIGTERM, through the handle: Process.destroy() would also close our end of stdout.
    assertThat(server.toHandle().destroy()).isTrue();
    assertThat(server.waitFor(30, TimeUnit.SECONDS)).as("exited after SIGTERM").isTrue();
    assertThat(readRest(stdout)).as("stdout carries only the READY line").isEmpty();
    assertThat(Files.readString(stderr)).contains("listening on 127.0.0.1:" + port);
    Files.deleteIfExists(stderr);
  }

  @Test
  void unknownOption_printsUsageOnStderr_andExits2() throws Exception {
    Path stderr = Files.createTempFile("dialogue-example-", ".stderr");
    Process process = launch(stderr, "reference", "--no-such-option");

    assertThat(process.waitFor(240, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).isEqualTo(2);
    assertThat(Files.readString(stderr))
        .contains("unknown option: --no-such-option")
        .contains("usage:");
    assertThat(new String(process.getInputStream().readAllBytes(), UTF_8)).isEmpty();
    Files.deleteIfExists(stderr);
  }

  @Test
  void unknownExample_listsTheExamples_andExits2() throws Exception {
    Path stderr = Files.createTempFile("dialogue-example-", ".stderr");
    Process process = launch(stderr, "no-such-example");

    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).isEqualTo(2);
    assertThat(Files.readString(stderr))
        .contains("unknown example 'no-such-example'")
        .contains("reference");
    Files.deleteIfExists(stderr);
  }

  private Process launch(Path stderr, String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(LAUNCHER.toString());
    command.addAll(List.of(args));
    // Started from another directory on purpose: the launcher finds the repository itself.
    Process process =
        new ProcessBuilder(command)
            .directory(ROOT.resolve("dialogue-examples").toFile())
            .redirectError(stderr.toFile())
            .start();
    processes.add(process);
    process.getOutputStream().close();
    return process;
  }

  private static String readLine(BufferedReader reader) {
    try {
      return reader.readLine();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String readRest(BufferedReader reader) throws IOException {
    StringBuilder rest = new StringBuilder();
    for (String line; (line = reader.readLine()) != null; ) {
      rest.append(line).append('\n');
    }
    return rest.toString();
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
