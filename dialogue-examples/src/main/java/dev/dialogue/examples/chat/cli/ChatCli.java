package dev.dialogue.examples.chat.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dialogue.client.ClientRoom;
import dev.dialogue.client.ConnectionState;
import dev.dialogue.client.DialogueClient;
import dev.dialogue.client.DialogueClientException;
import dev.dialogue.client.EventMessage;
import dev.dialogue.examples.CommandLine;
import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The chat's terminal client: signs in over HTTP, connects with the Java client ({@code
 * dialogue-client}) and lets you read and write in your channels and direct messages, one line at a
 * time. {@code bin/dialogue-example chat-cli [--url URL] [--user NAME] [--password P]}; a missing
 * user name or password is asked for (the password without echo when there is a console).
 *
 * <p>At the prompt: {@code /channels}, {@code /browse}, {@code /join #name}, {@code /switch #name},
 * {@code /open name}, {@code /history [n]}, {@code /who}, {@code /help}, {@code /quit}; any other
 * line is a message to the current channel ({@code //text} sends a line that starts with a slash).
 * Live messages of the current channel print as {@code [12:04] Bob Nguyen: text}, those of other
 * channels as {@code (#random) Bob: text}; others' typing as {@code Bob Nguyen is typing…}; a
 * refused message names the server's reason ({@code MUTED}, {@code SLOW_MODE}, {@code TOO_FAST},
 * {@code NOT_A_MEMBER}, ...). It follows the contract in docs/examples/chat.md.
 *
 * <p>The class reads commands from any {@link BufferedReader} and writes to any {@link
 * PrintStream}, so it can be driven by a test: {@code new ChatCli(options, in, out).run()} returns
 * the exit status (0 after {@code /quit} or the end of the input, 1 when sign-in or connecting
 * fails, 2 for a bad command line).
 */
public final class ChatCli {
  /** The usage text of {@code --help}. */
  public static final String USAGE =
      """
      usage: bin/dialogue-example chat-cli [--url URL] [--user NAME] [--password P]
        --url URL       the chat server (default http://localhost:8080)
        --user NAME     who to sign in as (asked for if missing)
        --password P    the password (asked for, without echo, if missing)
        --help          show this help\
      """;

  static final String COMMANDS =
      """
      Commands:
        /channels          your channels and direct messages, with unread counts
        /browse            public channels you can join
        /join #name        join a public channel (or switch to it if you are in it)
        /switch #name      switch to one of your channels
        /open name         switch to a channel or a direct message (by user name, e.g. /open bob)
        /history [n]       the last n messages of the current channel (default 20)
        /who               who is online in the workspace
        /help              this list
        /quit              leave
      Anything else is sent to the current channel (start with // to send a line beginning with /).\
      """;

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm");
  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static final long TYPING_SHOW_MS = 5_000;
  private static final int START_HISTORY = 20;

  /**
   * The command line.
   *
   * @param url the chat server's base URL
   * @param user the user name, or null to ask
   * @param password the password, or null to ask
   * @param help whether {@code --help} was given
   */
  public record Options(String url, String user, String password, boolean help) {
    /** Parses {@code --url}, {@code --user}, {@code --password} and {@code --help}. */
    public static Options parse(String... args) {
      Optional<Map<String, String>> given =
          CommandLine.parse(args, Set.of("--url", "--user", "--password"));
      String url = "http://localhost:8080";
      if (given.isEmpty()) {
        return new Options(url, null, null, true);
      }
      Map<String, String> o = given.get();
      return new Options(o.getOrDefault("--url", url), o.get("--user"), o.get("--password"), false);
    }
  }

  /** A channel or DM this user belongs to. */
  private record Conv(String id, String roomId, String kind, String name, List<String> userIds) {
    boolean isDm() {
      return userIds != null;
    }
  }

  private final Options options;
  private final BufferedReader in;
  private final PrintStream out;
  private final ZoneId zone;
  private final HttpClient http = HttpClient.newHttpClient();

  private final Map<String, JsonNode> users = new ConcurrentHashMap<>();
  private final Map<String, Conv> convs = Collections.synchronizedMap(new LinkedHashMap<>());
  private final Set<String> online = ConcurrentHashMap.newKeySet();
  private final Set<String> attached = ConcurrentHashMap.newKeySet();
  private final Map<String, Long> typingShown = new ConcurrentHashMap<>();
  private final Map<String, String> topics = new ConcurrentHashMap<>();
  private final Set<CompletableFuture<?>> sending = ConcurrentHashMap.newKeySet();
  private volatile String me;
  private volatile String workspaceRoom;
  private volatile Conv current;
  private volatile JsonNode startUnread;
  private DialogueClient client;

  /** A client reading commands from {@code in} and writing to {@code out}. */
  public ChatCli(Options options, BufferedReader in, PrintStream out) {
    this(options, in, out, ZoneId.systemDefault());
  }

  ChatCli(Options options, BufferedReader in, PrintStream out, ZoneId zone) {
    this.options = options;
    this.in = in;
    this.out = out;
    this.zone = zone;
  }

  /** {@code bin/dialogue-example chat-cli}: see {@link #USAGE}. */
  public static void main(String[] args) {
    Options options;
    try {
      options = Options.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.err.println(USAGE);
      System.exit(2);
      return;
    }
    if (options.help()) {
      System.out.println(USAGE);
      return;
    }
    Console console = System.console();
    if (console != null) {
      String user = options.user();
      if (user == null) {
        user = console.readLine("user: ");
      }
      String password = options.password();
      if (password == null && user != null) {
        char[] typed = console.readPassword("password for %s: ", user);
        password = typed == null ? null : new String(typed);
      }
      options = new Options(options.url(), user, password, false);
    }
    BufferedReader stdin =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    PrintStream stdout = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    System.exit(new ChatCli(options, stdin, stdout).run());
  }

  /** Signs in, connects and reads commands until {@code /quit} or the end of the input. */
  public int run() {
    try {
      String user = options.user();
      if (user == null) {
        user = ask("user: ");
      }
      String password = options.password();
      if (password == null) {
        password = ask("password for " + user + ": ");
      }
      if (user == null || password == null || user.isBlank()) {
        say("Sign-in cancelled: no user name or password.");
        return 1;
      }
      String token = signIn(user.strip(), password);
      if (token == null) {
        return 1;
      }
      if (!connect(token)) {
        return 1;
      }
      if (!loadMe()) {
        return 1;
      }
      printWelcome();
      findByName("general").or(() -> convs.values().stream().findFirst()).ifPresent(this::show);
      return loop();
    } catch (IOException e) {
      say("! Input failed: " + e.getMessage());
      return 1;
    } finally {
      if (client != null) {
        client.close();
      }
    }
  }

  // ---- sign-in and connection ----------------------------------------------------------------

  private String ask(String prompt) throws IOException {
    out.print(prompt);
    out.flush();
    return in.readLine();
  }

  /** The token, or null after printing why sign-in failed. */
  private String signIn(String user, String password) {
    String base = options.url().replaceAll("/+$", "");
    HttpResponse<String> response;
    try {
      HttpRequest request =
          HttpRequest.newBuilder(URI.create(base + "/api/signin"))
              .timeout(TIMEOUT)
              .header("Content-Type", "application/json")
              .POST(
                  HttpRequest.BodyPublishers.ofString(
                      JSON.writeValueAsString(Map.of("username", user, "password", password))))
              .build();
      response = http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException | IllegalArgumentException e) {
      say("! Cannot reach the chat server at " + base + ": " + networkReason(e));
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      say("! Sign-in interrupted");
      return null;
    }
    JsonNode body;
    try {
      body = JSON.readTree(response.body());
    } catch (IOException e) {
      body = JSON.missingNode();
    }
    if (response.statusCode() != 200 || !body.path("token").isTextual()) {
      String code = body.path("error").asText("HTTP_" + response.statusCode());
      String message = body.path("message").asText("");
      say("! Sign-in failed (" + code + ")" + (message.isEmpty() ? "" : ": " + message));
      return null;
    }
    me = body.path("user").path("id").asText();
    users.put(me, body.path("user"));
    return body.path("token").asText();
  }

  private boolean connect(String token) {
    client =
        DialogueClient.builder(options.url())
            .auth(() -> Map.of("token", token))
            .requestTimeout(TIMEOUT)
            .build();
    client.onJoined(this::attach);
    client.onLeft(room -> say("(left " + label(room.id()) + ")"));
    client.onError(e -> say("! " + e.code() + ": " + e.getMessage()));
    client.onStateChange(
        (state, reason) -> {
          if (state == ConnectionState.RECONNECTING) {
            say("(connection lost, reconnecting…)");
          }
        });
    client.on("channelAdded", JsonNode.class, this::channelAdded);
    client.on(
        "channelRemoved",
        JsonNode.class,
        data -> {
          String roomId = data.path("roomId").asText();
          Conv gone = convs.remove(roomId);
          if (gone != null) {
            say("(you are no longer in " + label(gone) + ")");
          }
        });
    try {
      client.connect().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (ExecutionException | TimeoutException e) {
      say("! Cannot connect to " + options.url() + ": " + describe(e));
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Handlers for a room the server joined this connection to (or one joined here). */
  private void attach(ClientRoom room) {
    if (!attached.add(room.id())) {
      return;
    }
    if (room.id().startsWith("w:")) {
      workspaceRoom = room.id();
      room.onPresence(
          (joins, leaves) -> {
            online.addAll(joins);
            leaves.forEach(online::remove);
          });
      room.on("memberJoined", JsonNode.class, data -> addUser(data.path("user")));
      room.on(
          "channelCreated",
          JsonNode.class,
          (data, event) -> {
            JsonNode channel = data.path("channel");
            if (!me.equals(event.from())) {
              say(
                  "(new channel #"
                      + channel.path("name").asText()
                      + ": /join #"
                      + channel.path("name").asText()
                      + ")");
            }
          });
      return;
    }
    room.on("message", JsonNode.class, this::message);
    room.on("typing", JsonNode.class, this::typing);
  }

  private boolean loadMe() {
    JsonNode answer;
    try {
      answer = request("me", Map.of());
    } catch (DialogueClientException e) {
      say("! Cannot load your workspace: " + e.code() + ": " + e.getMessage());
      return false;
    }
    workspaceRoom = answer.path("workspace").path("roomId").asText(workspaceRoom);
    for (JsonNode user : answer.path("users")) {
      addUser(user);
    }
    addUser(answer.path("user"));
    synchronized (convs) {
      for (JsonNode channel : answer.path("channels")) {
        addConv(channel);
      }
      for (JsonNode dm : answer.path("dms")) {
        addConv(dm);
      }
    }
    say(
        "Signed in as "
            + displayName(me)
            + " (@"
            + answer.path("user").path("username").asText()
            + ", "
            + answer.path("role").asText()
            + ") — workspace: "
            + answer.path("workspace").path("name").asText());
    startUnread = answer.path("unread");
    return true;
  }

  private void printWelcome() {
    printChannels(startUnread);
    say("Type /help for the commands.");
  }

  // ---- the prompt ----------------------------------------------------------------------------

  private int loop() throws IOException {
    String line;
    while ((line = in.readLine()) != null) {
      line = line.strip();
      if (line.isEmpty()) {
        continue;
      }
      if (line.startsWith("//")) {
        send(line.substring(1));
        continue;
      }
      if (!line.startsWith("/")) {
        send(line);
        continue;
      }
      String[] parts = line.split("\\s+", 2);
      String command = parts[0].toLowerCase(Locale.ROOT);
      String argument = parts.length > 1 ? parts[1].strip() : "";
      try {
        switch (command) {
          case "/quit", "/exit" -> {
            finishSending();
            say("Bye.");
            return 0;
          }
          case "/help" -> say(COMMANDS);
          case "/channels" -> channels();
          case "/browse" -> browse();
          case "/join" -> join(argument);
          case "/switch", "/open" -> open(argument);
          case "/history" -> history(argument);
          case "/who" -> who();
          default -> {
            say("Unknown command " + parts[0] + ".");
            say(COMMANDS);
          }
        }
      } catch (DialogueClientException e) {
        say("! " + command.substring(1) + " failed: " + reason(e));
      }
    }
    finishSending();
    return 0;
  }

  /** Waits (a while) for the messages still on their way, so that leaving loses none unsaid. */
  private void finishSending() {
    CompletableFuture<?>[] pending = sending.toArray(CompletableFuture<?>[]::new);
    if (pending.length == 0) {
      return;
    }
    try {
      CompletableFuture.allOf(pending).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      // each failure was printed by its own handler
    } catch (TimeoutException e) {
      say("! " + sending.size() + " message(s) still unconfirmed; they may not have been sent");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void channels() {
    JsonNode answer = request("me", Map.of());
    synchronized (convs) {
      for (JsonNode channel : answer.path("channels")) {
        addConv(channel);
      }
      for (JsonNode dm : answer.path("dms")) {
        addConv(dm);
      }
    }
    printChannels(answer.path("unread"));
  }

  private void printChannels(JsonNode unread) {
    List<Conv> all;
    synchronized (convs) {
      all = new ArrayList<>(convs.values());
    }
    StringBuilder text = new StringBuilder("Channels:");
    for (Conv conv : all) {
      if (!conv.isDm()) {
        text.append('\n').append(channelLine(conv, unread));
      }
    }
    text.append("\nDirect messages:");
    boolean any = false;
    for (Conv conv : all) {
      if (conv.isDm()) {
        text.append('\n').append(channelLine(conv, unread));
        any = true;
      }
    }
    if (!any) {
      text.append("\n  (none; /open NAME starts one)");
    }
    say(text.toString());
  }

  private String channelLine(Conv conv, JsonNode unread) {
    Conv now = current;
    String mark = now != null && now.roomId().equals(conv.roomId()) ? "* " : "  ";
    StringBuilder line = new StringBuilder(mark).append(label(conv));
    if (conv.isDm()) {
      line.append(" (/open ").append(dmHandle(conv)).append(')');
    } else if ("private".equals(conv.kind())) {
      line.append(" (private)");
    }
    JsonNode counts = unread == null ? null : unread.path(conv.roomId());
    if (counts != null && counts.path("unread").asInt() > 0) {
      line.append("  ").append(counts.path("unread").asInt()).append(" unread");
      int mentions = counts.path("mentions").asInt();
      if (mentions > 0) {
        line.append(", ").append(mentions).append(mentions == 1 ? " mention" : " mentions");
      }
    }
    return line.toString();
  }

  private void browse() {
    JsonNode answer = request("channels.browse", Map.of());
    StringBuilder text = new StringBuilder("Public channels:");
    for (JsonNode channel : answer.path("channels")) {
      text.append("\n  #")
          .append(channel.path("name").asText())
          .append(" — ")
          .append(channel.path("topic").asText(""))
          .append(" (")
          .append(channel.path("memberCount").asInt())
          .append(" members)");
      text.append(channel.path("member").asBoolean() ? " [joined]" : " [/join to join]");
    }
    say(text.toString());
  }

  private void join(String argument) {
    String name = argument.startsWith("#") ? argument.substring(1) : argument;
    if (name.isBlank()) {
      say("Usage: /join #name");
      return;
    }
    Optional<Conv> mine = findByName(name);
    if (mine.isPresent()) {
      show(mine.get());
      return;
    }
    JsonNode found = null;
    for (JsonNode channel : request("channels.browse", Map.of()).path("channels")) {
      if (channel.path("name").asText().equalsIgnoreCase(name)) {
        found = channel;
      }
    }
    if (found == null) {
      say("No public channel #" + name + " (see /browse).");
      return;
    }
    JsonNode channel = request("channels.join", Map.of("channelId", found.path("id").asText()));
    Conv conv = addConv(channel);
    say("Joined #" + conv.name() + ".");
    show(conv);
  }

  private void open(String argument) {
    if (argument.isBlank()) {
      say("Usage: /switch #channel or /open name");
      return;
    }
    if (argument.startsWith("#")) {
      findByName(argument.substring(1))
          .ifPresentOrElse(
              this::show,
              () -> say("You are not in " + argument + " (see /channels, or /join " + argument));
      return;
    }
    Optional<Conv> channel = findByName(argument);
    if (channel.isPresent()) {
      show(channel.get());
      return;
    }
    // A DM: the other people by user name (or display name), comma-separated.
    Set<String> members = new LinkedHashSet<>();
    members.add(me);
    for (String who : argument.split("\\s*,\\s*")) {
      Optional<String> id = userByName(who.startsWith("@") ? who.substring(1) : who);
      if (id.isEmpty()) {
        say("No channel or user named " + who + " (see /channels).");
        return;
      }
      members.add(id.get());
    }
    if (members.size() < 2) {
      say("That is you: name someone else.");
      return;
    }
    Optional<Conv> dm;
    synchronized (convs) {
      dm =
          convs.values().stream()
              .filter(c -> c.isDm() && new HashSet<>(c.userIds()).equals(members))
              .findFirst();
    }
    if (dm.isEmpty()) {
      List<String> others = new ArrayList<>(members);
      others.remove(me);
      dm = Optional.of(addConv(request("dm.open", Map.of("userIds", others))));
    }
    show(dm.get());
  }

  private void history(String argument) {
    Conv conv = current;
    if (conv == null) {
      say("No current channel: /switch to one first.");
      return;
    }
    int n = START_HISTORY;
    if (!argument.isBlank()) {
      try {
        n = Integer.parseInt(argument);
      } catch (NumberFormatException e) {
        say("Usage: /history [n] (n from 1 to 100)");
        return;
      }
    }
    if (n < 1 || n > 100) {
      say("Usage: /history [n] (n from 1 to 100)");
      return;
    }
    printHistory(conv, n);
  }

  private void who() {
    // Ask the server (it knows who was online before this client came); follow onPresence else.
    Optional<ClientRoom> workspace =
        workspaceRoom == null ? Optional.empty() : client.room(workspaceRoom);
    if (workspace.isPresent()) {
      try {
        Map<String, Integer> present =
            workspace.get().presence().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        online.retainAll(present.keySet());
        online.addAll(present.keySet());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
        say("! Could not ask who is online; showing who was seen arriving");
      }
    }
    List<String> names = new ArrayList<>();
    for (String id : online) {
      names.add(displayName(id) + (id.equals(me) ? " (you)" : ""));
    }
    Collections.sort(names);
    say("Online: " + (names.isEmpty() ? "nobody seen yet" : String.join(", ", names)));
  }

  /** Makes {@code conv} the current channel and shows its latest messages. */
  private void show(Conv conv) {
    current = conv;
    StringBuilder header = new StringBuilder("— ").append(label(conv));
    String topic = topicOf(conv);
    if (!topic.isEmpty()) {
      header.append(": ").append(topic);
    }
    say(header.append(" —").toString());
    printHistory(conv, START_HISTORY);
  }

  private void printHistory(Conv conv, int n) {
    JsonNode page;
    try {
      page = request("messages.page", Map.of("roomId", conv.roomId(), "limit", n));
    } catch (DialogueClientException e) {
      say("! history failed: " + reason(e));
      return;
    }
    List<JsonNode> messages = new ArrayList<>();
    page.path("messages").forEach(messages::add);
    Collections.reverse(messages); // the page is newest first
    StringBuilder text = new StringBuilder();
    if (page.path("more").asBoolean()) {
      text.append("  (earlier messages: /history ").append(Math.min(100, n * 2)).append(")\n");
    }
    if (messages.isEmpty()) {
      text.append("  (no messages yet)\n");
    }
    long newest = -1;
    for (JsonNode m : messages) {
      text.append(
              line(
                  m.path("createdAt").asLong(), m.path("userId").asText(), m.path("text").asText()))
          .append(suffix(m))
          .append('\n');
      newest = Math.max(newest, m.path("offset").asLong(-1));
    }
    say(text.substring(0, text.length() - 1));
    if (newest >= 0) {
      markRead(conv.roomId(), newest);
    }
  }

  private static String suffix(JsonNode m) {
    StringBuilder s = new StringBuilder();
    if (m.has("editedAt")) {
      s.append(" (edited)");
    }
    List<String> reactions = new ArrayList<>();
    for (JsonNode r : m.path("reactions")) {
      reactions.add(r.path("emoji").asText() + " " + r.path("users").size());
    }
    if (!reactions.isEmpty()) {
      s.append("  [").append(String.join(", ", reactions)).append(']');
    }
    for (JsonNode f : m.path("files")) {
      s.append("  [file: ").append(f.path("name").asText()).append(']');
    }
    int replies = m.path("replyCount").asInt();
    if (replies > 0) {
      s.append("  (").append(replies).append(replies == 1 ? " reply)" : " replies)");
    }
    if (m.path("pinned").asBoolean()) {
      s.append("  (pinned)");
    }
    return s.toString();
  }

  private void send(String text) {
    Conv conv = current;
    if (conv == null) {
      say("No current channel: /switch to one first.");
      return;
    }
    ClientRoom room;
    try {
      room = roomOf(conv);
    } catch (DialogueClientException e) {
      say("! Message not sent to " + label(conv) + ": " + reason(e));
      return;
    }
    CompletableFuture<?> result =
        room.trigger("message", Map.of("text", text))
            .result()
            .whenComplete(
                (published, failure) -> {
                  if (failure != null) {
                    say("! Message not sent to " + label(conv) + ": " + reason(failure));
                  }
                });
    sending.add(result);
    result.whenComplete((r, e) -> sending.remove(result));
  }

  private ClientRoom roomOf(Conv conv) {
    Optional<ClientRoom> room = client.room(conv.roomId());
    if (room.isPresent()) {
      return room.get();
    }
    return await(client.join(conv.roomId(), this::attach));
  }

  // ---- what the server sends -----------------------------------------------------------------

  private void message(JsonNode data, EventMessage event) {
    String from = event.from();
    String text = data.path("text").asText();
    Conv conv = current;
    String thread = data.hasNonNull("threadId") ? "(in a thread) " : "";
    typingShown.remove(event.roomId() + " " + from);
    if (conv != null && conv.roomId().equals(event.roomId())) {
      say(line(event.timestamp(), from, thread + text) + files(data));
      if (event.offset() != null && !from.equals(me)) {
        markRead(event.roomId(), event.offset());
      }
    } else {
      say(
          "("
              + label(event.roomId())
              + ") "
              + shortName(from)
              + ": "
              + thread
              + text
              + files(data));
    }
  }

  private static String files(JsonNode data) {
    StringBuilder s = new StringBuilder();
    for (JsonNode f : data.path("files")) {
      s.append("  [file: ").append(f.path("name").asText()).append(']');
    }
    return s.toString();
  }

  private void typing(JsonNode data, EventMessage event) {
    String from = event.from();
    Conv conv = current;
    if (from == null || from.equals(me) || conv == null || !conv.roomId().equals(event.roomId())) {
      return;
    }
    long now = System.currentTimeMillis();
    String key = event.roomId() + " " + from;
    Long last = typingShown.get(key);
    if (last != null && now - last < TYPING_SHOW_MS) {
      return; // still shown: the web UI repeats the notice while one types
    }
    typingShown.put(key, now);
    say(displayName(from) + " is typing…");
  }

  private void channelAdded(JsonNode channel) {
    Conv conv = addConv(channel);
    say("(you were added to " + label(conv) + ": /open " + handle(conv) + ")");
  }

  // ---- the model -----------------------------------------------------------------------------

  private Conv addConv(JsonNode json) {
    List<String> userIds = null;
    if (json.has("userIds")) {
      userIds = new ArrayList<>();
      for (JsonNode id : json.path("userIds")) {
        userIds.add(id.asText());
      }
    }
    Conv conv =
        new Conv(
            json.path("id").asText(),
            json.path("roomId").asText(),
            json.path("private").asBoolean() ? "private" : json.path("kind").asText(),
            json.path("name").asText(),
            userIds);
    topics.put(conv.roomId(), json.path("topic").asText(""));
    convs.put(conv.roomId(), conv);
    return conv;
  }

  private String topicOf(Conv conv) {
    return topics.getOrDefault(conv.roomId(), "");
  }

  private void addUser(JsonNode user) {
    if (user != null && user.hasNonNull("id")) {
      users.put(user.path("id").asText(), user);
    }
  }

  private Optional<Conv> findByName(String name) {
    synchronized (convs) {
      return convs.values().stream()
          .filter(c -> !c.isDm() && c.name().equalsIgnoreCase(name))
          .findFirst();
    }
  }

  private Optional<String> userByName(String name) {
    for (JsonNode user : users.values()) {
      if (user.path("username").asText().equalsIgnoreCase(name)
          || user.path("displayName").asText().equalsIgnoreCase(name)) {
        return Optional.of(user.path("id").asText());
      }
    }
    return Optional.empty();
  }

  private String label(String roomId) {
    Conv conv = convs.get(roomId);
    return conv == null ? roomId : label(conv);
  }

  private String label(Conv conv) {
    if (!conv.isDm()) {
      return "#" + conv.name();
    }
    List<String> names = new ArrayList<>();
    for (String id : conv.userIds()) {
      if (!id.equals(me)) {
        names.add(displayName(id));
      }
    }
    return "@" + String.join(", ", names);
  }

  private String handle(Conv conv) {
    return conv.isDm() ? dmHandle(conv) : "#" + conv.name();
  }

  private String dmHandle(Conv conv) {
    List<String> names = new ArrayList<>();
    for (String id : conv.userIds()) {
      if (!id.equals(me)) {
        JsonNode user = users.get(id);
        names.add(user == null ? id : user.path("username").asText(id));
      }
    }
    return String.join(",", names);
  }

  private String displayName(String userId) {
    JsonNode user = users.get(userId);
    if (user == null) {
      return userId;
    }
    return user.path("displayName").asText(user.path("username").asText(userId));
  }

  private String shortName(String userId) {
    String name = displayName(userId);
    int space = name.indexOf(' ');
    return space > 0 ? name.substring(0, space) : name;
  }

  private String line(long millis, String userId, String text) {
    String time = CLOCK.format(Instant.ofEpochMilli(millis).atZone(zone));
    return "[" + time + "] " + displayName(userId) + ": " + text;
  }

  // ---- plumbing ------------------------------------------------------------------------------

  private void markRead(String roomId, long offset) {
    client
        .request("read.mark", Map.of("roomId", roomId, "offset", offset), JsonNode.class)
        .exceptionally(e -> null); // unread counts are a nicety; a failure changes nothing shown
  }

  private JsonNode request(String command, Object payload) {
    return await(client.request(command, payload, JsonNode.class));
  }

  private static <T> T await(CompletableFuture<T> future) {
    try {
      return future.get(TIMEOUT.toMillis() + 1_000, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof DialogueClientException d) {
        throw d;
      }
      throw new DialogueClientException("ERROR", describe(e.getCause()));
    } catch (TimeoutException e) {
      throw new DialogueClientException("TIMEOUT", "no answer from the server");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DialogueClientException("CANCELLED", "interrupted");
    }
  }

  /** A refusal as one line: the code, the server's message and the wait it asks for. */
  static String reason(Throwable failure) {
    Throwable cause = failure;
    while ((cause instanceof ExecutionException
            || cause instanceof java.util.concurrent.CompletionException)
        && cause.getCause() != null) {
      cause = cause.getCause();
    }
    if (!(cause instanceof DialogueClientException e)) {
      return describe(cause);
    }
    StringBuilder s = new StringBuilder(e.code());
    if (e.getMessage() != null && !e.getMessage().isBlank()) {
      s.append(": ").append(e.getMessage());
    }
    JsonNode data = e.data();
    if (data != null) {
      if (data.has("retryAfterMs")) {
        long seconds = Math.max(1, (data.path("retryAfterMs").asLong() + 999) / 1000);
        s.append(" (try again in ").append(seconds).append(" s)");
      }
      if (data.has("until") && data.path("until").asLong() > 0) {
        s.append(" (until ")
            .append(
                CLOCK.format(Instant.ofEpochMilli(data.path("until").asLong()).atZone(zoneOf())))
            .append(')');
      }
    }
    return s.toString();
  }

  private static ZoneId zoneOf() {
    return ZoneId.systemDefault();
  }

  private static String networkReason(Throwable e) {
    for (Throwable c = e; c != null; c = c.getCause()) {
      if (c instanceof java.net.ConnectException) {
        return "connection refused";
      }
      if (c instanceof java.net.http.HttpTimeoutException) {
        return "no answer in " + TIMEOUT.toSeconds() + " s";
      }
      if (c instanceof java.net.UnknownHostException) {
        return "unknown host";
      }
    }
    return describe(e);
  }

  private static String describe(Throwable e) {
    Throwable cause = e;
    while (cause.getCause() != null && cause.getCause() != cause) {
      cause = cause.getCause();
    }
    String message = cause.getMessage();
    return message == null || message.isBlank() ? cause.getClass().getSimpleName() : message;
  }

  private void say(String text) {
    synchronized (out) {
      out.println(text);
      out.flush();
    }
  }
}
