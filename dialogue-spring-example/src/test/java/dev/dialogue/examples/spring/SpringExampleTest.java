package dev.dialogue.examples.spring;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.dialogue.client.ClientRoom;
import dev.dialogue.client.DialogueClient;
import dev.dialogue.client.DialogueClientException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Runs the Spring Boot example as its own JVM, on this module's classpath, as {@code
 * bin/dialogue-example spring} does, and talks to it with the Java client.
 */
@Timeout(120)
class SpringExampleTest {
  private static final Pattern READY = Pattern.compile("READY (\\d+)");

  record Message(String text) {}

  record Identity(String userId, boolean admin) {}

  private final List<Process> processes = new ArrayList<>();

  @AfterEach
  void killProcesses() throws InterruptedException {
    for (Process process : processes) {
      process.destroyForcibly();
      process.waitFor(10, SECONDS);
    }
  }

  @Test
  void printsReady_servesSignedInClients_refusesOthers_andStopsOnSigterm() throws Exception {
    Path stderr = Files.createTempFile("spring-example-", ".stderr");
    Process app = launch(stderr, "--port", "0", "--host", "127.0.0.1", "--password", "s3cret");
    BufferedReader stdout = new BufferedReader(new InputStreamReader(app.getInputStream(), UTF_8));
    String first = CompletableFuture.supplyAsync(() -> readLine(stdout)).get(90, SECONDS);
    Matcher ready = READY.matcher(String.valueOf(first));
    assertThat(ready.matches())
        .as("first stdout line %s; stderr: %s", first, Files.readString(stderr))
        .isTrue();
    int port = Integer.parseInt(ready.group(1));
    assertThat(port).isPositive();

    try (DialogueClient alice = client(port, Map.of("userId", "alice", "password", "s3cret"));
        DialogueClient bob = client(port, Map.of("userId", "bob", "password", "s3cret"));
        DialogueClient mallory = client(port, Map.of("userId", "mallory", "password", "guess"));
        DialogueClient anonymous = client(port, Map.of("userId", "anonymous"))) {
      alice.connect().get(10, SECONDS);
      BlockingQueue<String> received = new LinkedBlockingQueue<>();
      ClientRoom chat =
          alice
              .join(
                  "chat",
                  r ->
                      r.on(
                          "message",
                          Message.class,
                          (m, e) -> received.add(e.from() + ": " + m.text())))
              .get(10, SECONDS);
      chat.trigger("message", new Message("hello from Spring")).result().get(10, SECONDS);
      assertThat(received.poll(10, SECONDS)).isEqualTo("alice: hello from Spring");
      assertThat(alice.join("ops").get(10, SECONDS).id()).isEqualTo("ops");
      assertThat(alice.request("whoami", Map.of(), Identity.class).get(10, SECONDS))
          .isEqualTo(new Identity("alice", true));

      bob.connect().get(10, SECONDS);
      assertThat(errorOf(bob.join("ops"))).isEqualTo("JOIN_DENIED: admins only");
      assertThat(errorOf(bob.createRoom("mine", "Mine", null, null)))
          .startsWith("PERMISSION_DENIED"); // dialogue.limits.max-client-rooms=0
      assertThat(errorOf(mallory.connect())).isEqualTo("CONNECT_REFUSED: Wrong password");
      assertThat(errorOf(anonymous.connect()))
          .isEqualTo("CONNECT_REFUSED: Send auth.userId and auth.password");
    }

    // SIGTERM, through the handle: Process.destroy() would also close our end of stdout.
    assertThat(app.toHandle().destroy()).isTrue();
    assertThat(app.waitFor(30, SECONDS)).as("exited after SIGTERM").isTrue();
    assertThat(readRest(stdout)).as("stdout carries only the READY line").isEmpty();
    assertThat(Files.readString(stderr))
        .contains("Dialogue started on port " + port)
        .contains("alice connected (1 connected)")
        .contains("alice joined chat");
    Files.deleteIfExists(stderr);
  }

  @Test
  void unknownOption_printsUsageOnStderr_andExits2() throws Exception {
    Path stderr = Files.createTempFile("spring-example-", ".stderr");
    Process app = launch(stderr, "--no-such-option");
    assertThat(app.waitFor(60, SECONDS)).isTrue();
    assertThat(app.exitValue()).isEqualTo(2);
    assertThat(Files.readString(stderr))
        .contains("unknown option: --no-such-option")
        .contains("usage: bin/dialogue-example spring");
    Files.deleteIfExists(stderr);
  }

  private Process launch(Path stderr, String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(SpringExample.class.getName());
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectError(stderr.toFile()).start();
    processes.add(process);
    return process;
  }

  private static DialogueClient client(int port, Map<String, String> auth) {
    return DialogueClient.builder("http://127.0.0.1:" + port).auth(auth).reconnect(false).build();
  }

  /** "CODE: message" of the error {@code future} failed with. */
  private static String errorOf(Future<?> future) throws Exception {
    try {
      future.get(10, SECONDS);
      throw new AssertionError("succeeded, expected an error");
    } catch (ExecutionException e) {
      assertThat(e.getCause()).isInstanceOf(DialogueClientException.class);
      DialogueClientException error = (DialogueClientException) e.getCause();
      return error.code() + ": " + error.getMessage();
    }
  }

  private static String readLine(BufferedReader reader) {
    try {
      return reader.readLine();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String readRest(BufferedReader reader) {
    return reader.lines().collect(Collectors.joining("\n"));
  }
}
