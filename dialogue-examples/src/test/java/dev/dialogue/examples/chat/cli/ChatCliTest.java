package dev.dialogue.examples.chat.cli;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dialogue.client.ClientRoom;
import dev.dialogue.client.DialogueClient;
import dev.dialogue.examples.chat.ChatOptions;
import dev.dialogue.examples.chat.ChatServer;
import dev.dialogue.testing.Await;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.BooleanSupplier;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The terminal client against a real chat server on 127.0.0.1, driven through piped streams. */
class ChatCliTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dataDir;
  private ChatServer server;
  private final List<AutoCloseable> open = new ArrayList<>();

  @BeforeEach
  void startServer() {
    server = ChatServer.start(new ChatOptions(0, "127.0.0.1", dataDir, null, false));
  }

  @AfterEach
  void stop() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
    server.close();
  }

  @Test
  void startShowsTheWorkspaceTheChannelsAndGeneralsHistory() {
    Cli alice = cli("alice", "password");
    alice.await("Signed in as Alice Martin (@alice, owner) — workspace: Acme Inc.");
    alice.await("— #general: Company-wide announcements and chatter —");
    alice.await("Alice Martin: Welcome to Acme's chat, everyone! Please read the pinned notes.");
    String start = alice.await("Alice Martin: Thanks both! @channel standup moves to 9:30");
    // oldest first, with the time, and the seeded thread's reply count and reactions
    assertThat(start.indexOf("Welcome to Acme's chat")).isLessThan(start.indexOf("Thanks both!"));
    assertThat(start).containsPattern("\\[\\d\\d:\\d\\d] Bob Nguyen: Launch checklist");
    assertThat(start).contains("(2 replies)", "[👋 3]");
    assertThat(start).doesNotContain("On it. Draft by Thursday noon."); // a thread reply

    int mark = alice.mark();
    alice.type("/channels");
    alice.awaitAfter(mark, "@Bob Nguyen");
    String channels = alice.since(mark);
    assertThat(channels).contains("* #general", "  #random", "  #leads (private)");

    mark = alice.mark();
    alice.type("/history 2");
    alice.awaitAfter(mark, "Thanks both!");
    String two = alice.since(mark);
    assertThat(two).contains("Launch checklist").doesNotContain("Welcome to Acme's chat");
    assertThat(two.indexOf("Launch checklist")).isLessThan(two.indexOf("Thanks both!"));

    alice.type("/quit");
    assertThat(alice.exit()).isZero();
  }

  @Test
  void linesGoToTheCurrentChannelAndOthersMessagesAndTypingArePrinted() throws Exception {
    Cli alice = cli("alice", "password");
    alice.await("Thanks both!");
    Bob bob = bob();
    String general = bob.roomOf("general");

    alice.type("hello from the terminal");
    Await.until(
        "bob receives alice's line in #general",
        () -> bob.received.contains(general + " hello from the terminal"));

    bob.room(general).trigger("typing", Map.of());
    alice.await("Bob Nguyen is typing…");
    bob.room(general).trigger("message", Map.of("text", "hi alice")).result().get(10, SECONDS);
    alice.awaitPattern("\\[\\d\\d:\\d\\d] Bob Nguyen: hi alice");

    String random = bob.roomOf("random");
    bob.room(random).trigger("message", Map.of("text", "lunch?")).result().get(10, SECONDS);
    alice.await("(#random) Bob: lunch?");
    assertThat(alice.output()).doesNotContain("Alice Martin is typing");

    // #general was read as it was shown; #random has bob's new message unread
    int before = alice.mark();
    alice.type("/channels");
    alice.awaitAfter(before, "Direct messages:");
    assertThat(alice.since(before)).containsPattern("  #random  [1-9]\\d* unread");
    assertThat(alice.since(before)).doesNotContainPattern("#general  \\d+ unread");

    // switching makes #random current: its messages now print in full, #general's in short
    int mark = alice.mark();
    alice.type("/switch #random");
    alice.awaitAfter(mark, "Carol Silva: This week's signups, looking good:");
    bob.room(general)
        .trigger("message", Map.of("text", "back in general"))
        .result()
        .get(10, SECONDS);
    alice.awaitAfter(mark, "(#general) Bob: back in general");
  }

  @Test
  void whoShowsWhoCameOnline() throws Exception {
    Cli alice = cli("alice", "password");
    alice.await("Thanks both!");
    int mark = alice.mark();
    alice.type("/who");
    alice.awaitAfter(mark, "Online: Alice Martin (you)");
    assertThat(alice.since(mark)).doesNotContain("Bob Nguyen");

    Bob bob = bob();
    // bob's presence in the workspace room reaches alice before his first message does
    bob.room(bob.roomOf("general"))
        .trigger("message", Map.of("text", "morning"))
        .result()
        .get(10, SECONDS);
    alice.await("Bob Nguyen: morning");
    mark = alice.mark();
    alice.type("/who");
    alice.awaitAfter(mark, "Online: Alice Martin (you), Bob Nguyen");

    // carol comes after both: she sees the people who were online before her, from the server
    Cli carol = cli("carol", "password");
    carol.await("#general");
    mark = carol.mark();
    carol.type("/who");
    carol.awaitAfter(mark, "Online: Alice Martin, Bob Nguyen, Carol Silva (you)");
  }

  @Test
  void joinsAPublicChannelAndSendsThere() throws Exception {
    Bob bob = bob();
    JsonNode design =
        bob.client
            .request(
                "channels.create",
                Map.of("name", "design", "topic", "Pixels and fonts", "private", false),
                JsonNode.class)
            .get(10, SECONDS);
    String designRoom = design.path("roomId").asText();
    Await.until("bob is in #design", () -> bob.client.room(designRoom).isPresent());

    Cli alice = cli("alice", "password");
    alice.await("Thanks both!");
    int mark = alice.mark();
    alice.type("/browse");
    alice.awaitAfter(mark, "#design — Pixels and fonts (1 members) [/join to join]");

    mark = alice.mark();
    alice.type("/join #design");
    alice.awaitAfter(mark, "Joined #design.");
    alice.awaitAfter(mark, "— #design: Pixels and fonts —");
    alice.type("first!");
    Await.until(
        "bob receives alice's message in #design",
        () -> bob.received.contains(designRoom + " first!"));
    assertThat(alice.output()).doesNotContain("Message not sent");

    mark = alice.mark();
    alice.type("/channels");
    alice.awaitAfter(mark, "Direct messages:");
    assertThat(alice.since(mark)).contains("* #design");
  }

  @Test
  void opensADirectMessageAndSendsThere() {
    Bob bob = bob();
    Cli alice = cli("alice", "password");
    alice.await("Thanks both!");
    int mark = alice.mark();
    alice.type("/open bob");
    alice.awaitAfter(mark, "— @Bob Nguyen —");
    alice.awaitAfter(mark, "Bob Nguyen: Do you have ten minutes after lunch?");
    alice.awaitAfter(mark, "Alice Martin: Sure, ping me at 2.");
    alice.type("see you at 2");
    Await.until(
        "bob receives alice's DM",
        () ->
            bob.received.stream().anyMatch(m -> m.startsWith("d:") && m.endsWith(" see you at 2")));
  }

  @Test
  void aLineJustBeforeTheEndOfInputIsStillSent() {
    Bob bob = bob();
    String general = bob.roomOf("general");
    Cli alice = cli("alice", "password");
    alice.await("Thanks both!");
    alice.type("last words");
    alice.closeInput();
    assertThat(alice.exit()).isZero();
    assertThat(alice.output()).contains("Alice Martin: last words");
    Await.until("bob receives the last line", () -> bob.received.contains(general + " last words"));
  }

  @Test
  void aRefusedMessageNamesTheReason() throws Exception {
    Bob bob = bob();
    String carolId = bob.userId("carol");
    bob.client
        .request("mod.mute", Map.of("userId", carolId, "minutes", 10), JsonNode.class)
        .get(10, SECONDS);
    Cli carol = cli("carol", "password");
    carol.await("Thanks both!");
    carol.type("can anyone hear me?");
    carol.awaitPattern(
        "! Message not sent to #general: MUTED: You are muted for now \\(until \\d\\d:\\d\\d\\)");
  }

  @Test
  void aWrongPasswordIsAClearErrorAndExitsNonZero() {
    Cli cli = cli("alice", "not-the-password");
    assertThat(cli.exit()).isEqualTo(1);
    assertThat(cli.output())
        .contains("! Sign-in failed (BAD_CREDENTIALS): Wrong username or password");
  }

  @Test
  void anUnknownCommandPrintsTheHelp() {
    Cli alice = cli("alice", "password");
    alice.await("Thanks both!");
    int mark = alice.mark();
    alice.type("/frobnicate now");
    alice.awaitAfter(mark, "Unknown command /frobnicate.");
    alice.awaitAfter(mark, "/history [n]");
    assertThat(alice.since(mark)).contains("/join #name", "/who", "/quit");
    alice.closeInput();
    assertThat(alice.exit()).isZero();
  }

  @Test
  void optionsParse() {
    ChatCli.Options options = ChatCli.Options.parse("--url=http://h:1", "--user", "bob");
    assertThat(options.url()).isEqualTo("http://h:1");
    assertThat(options.user()).isEqualTo("bob");
    assertThat(options.password()).isNull();
    assertThat(ChatCli.Options.parse("--help").help()).isTrue();
    assertThat(ChatCli.Options.parse().url()).isEqualTo("http://localhost:8080");
  }

  // ---- harness -------------------------------------------------------------------------------

  private Cli cli(String user, String password) {
    Cli cli = new Cli(new ChatCli.Options(server.url(), user, password, false));
    open.add(cli);
    return cli;
  }

  private Bob bob() {
    Bob bob = new Bob(signIn("bob", "password"));
    open.add(bob);
    return bob;
  }

  private String signIn(String user, String password) {
    try {
      HttpResponse<String> response =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create(server.url() + "api/signin"))
                      .header("Content-Type", "application/json")
                      .POST(
                          HttpRequest.BodyPublishers.ofString(
                              JSON.writeValueAsString(
                                  Map.of("username", user, "password", password))))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).isEqualTo(200);
      return JSON.readTree(response.body()).path("token").asText();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Bob on the plain Java client, recording "roomId text" of every message he receives. */
  private final class Bob implements AutoCloseable {
    final DialogueClient client;
    final ConcurrentLinkedQueue<String> received = new ConcurrentLinkedQueue<>();
    final JsonNode me;

    Bob(String token) {
      client = DialogueClient.builder(server.url()).auth(Map.of("token", token)).build();
      client.onJoined(
          room ->
              room.on(
                  "message",
                  JsonNode.class,
                  data -> received.add(room.id() + " " + data.path("text").asText())));
      try {
        client.connect().get(10, SECONDS);
        me = client.request("me", Map.of(), JsonNode.class).get(10, SECONDS);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }

    String roomOf(String channelName) {
      for (JsonNode channel : me.path("channels")) {
        if (channel.path("name").asText().equals(channelName)) {
          String roomId = channel.path("roomId").asText();
          Await.until("bob is in #" + channelName, () -> client.room(roomId).isPresent());
          return roomId;
        }
      }
      throw new AssertionError("bob is not in #" + channelName);
    }

    ClientRoom room(String roomId) {
      return client.room(roomId).orElseThrow();
    }

    String userId(String username) {
      for (JsonNode user : me.path("users")) {
        if (user.path("username").asText().equals(username)) {
          return user.path("id").asText();
        }
      }
      throw new AssertionError("no user " + username);
    }

    @Override
    public void close() {
      client.close();
    }
  }

  /** A ChatCli on its own thread, its input piped from the test, its output collected. */
  private static final class Cli implements AutoCloseable {
    private final PipedOutputStream feed = new PipedOutputStream();
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final CompletableFuture<Integer> exit = new CompletableFuture<>();
    private boolean inputClosed;

    Cli(ChatCli.Options options) {
      BufferedReader in;
      try {
        in =
            new BufferedReader(
                new InputStreamReader(new PipedInputStream(feed, 1 << 16), StandardCharsets.UTF_8));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
      Thread thread =
          new Thread(
              () -> {
                try {
                  exit.complete(new ChatCli(options, in, out).run());
                } catch (Throwable t) {
                  exit.completeExceptionally(t);
                }
              },
              "chat-cli-" + options.user());
      thread.setDaemon(true);
      thread.start();
    }

    void type(String line) {
      try {
        feed.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        feed.flush();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    void closeInput() {
      if (!inputClosed) {
        inputClosed = true;
        try {
          feed.close();
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    }

    String output() {
      return bytes.toString(StandardCharsets.UTF_8);
    }

    int mark() {
      return output().length();
    }

    String since(int mark) {
      return output().substring(mark);
    }

    /** Waits for {@code text} in the whole output; returns the output. */
    String await(String text) {
      return awaitAfter(0, text);
    }

    String awaitAfter(int mark, String text) {
      awaitOutput("\"" + text + "\"", () -> since(mark).contains(text));
      return output();
    }

    void awaitPattern(String regex) {
      Pattern pattern = Pattern.compile(regex);
      awaitOutput("/" + regex + "/", () -> pattern.matcher(output()).find());
    }

    private void awaitOutput(String what, BooleanSupplier printed) {
      try {
        Await.until("the CLI prints " + what, () -> printed.getAsBoolean() || exit.isDone());
      } catch (AssertionError e) {
        throw new AssertionError(e.getMessage() + "; it printed:\n" + output(), e);
      }
      if (!printed.getAsBoolean()) {
        throw new AssertionError(
            "the CLI ended (" + exit.join() + ") without printing " + what + ":\n" + output());
      }
    }

    int exit() {
      try {
        return exit.get(15, SECONDS);
      } catch (Exception e) {
        throw new AssertionError("the CLI did not end; it printed:\n" + output(), e);
      }
    }

    @Override
    public void close() throws Exception {
      closeInput();
      exit.handle((code, failure) -> code).get(15, SECONDS);
    }
  }
}
