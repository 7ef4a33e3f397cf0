package dev.dialogue.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * The official Node.js {@code socket.io-client} in a child process, driven through JSON lines:
 * commands on its stdin, observations on its stdout, which are recorded and polled with a timeout.
 * One process holds any number of named clients (the {@code client} argument of every method).
 * {@link #close()} always ends the process.
 *
 * <p>The driver is the npm project {@code dialogue-testing/node} ({@code interop.mjs}, with {@code
 * socket.io-client} pinned in its {@code package-lock.json}), found from the working directory
 * upwards, so tests of every module of this repository share it and its one {@code node_modules}.
 * {@link #start()} installs the pinned packages ({@code npm ci}) the first time, so that a fresh
 * clone's {@code mvn verify} needs nothing installed by hand but Node.js and npm.
 *
 * <p>Every wait gives up after {@link #TIMEOUT} with an {@link AssertionError} that shows what was
 * received and the driver's stderr. Thread-safe, though tests usually drive it from one thread.
 */
public final class NodeClients implements AutoCloseable {
  /** How long every wait for a line from the driver lasts at most. */
  public static final Duration TIMEOUT = RawClient.TIMEOUT;

  /** The driver's npm project, relative to the repository root. */
  public static final String PROJECT = "dialogue-testing/node";

  private static final Duration INSTALL_TIMEOUT = Duration.ofMinutes(5);
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final Process process;
  private final Writer stdin;
  private final List<JsonNode> lines = new ArrayList<>();
  private final StringBuffer stderr = new StringBuffer();
  private final AtomicInteger seq = new AtomicInteger();
  private final JsonNode ready;

  private NodeClients(Path dir) throws IOException {
    process = new ProcessBuilder("node", "interop.mjs").directory(dir.toFile()).start();
    stdin = new java.io.OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    pump(process.getInputStream(), "node-stdout", this::recordLine);
    pump(process.getErrorStream(), "node-stderr", line -> stderr.append(line).append('\n'));
    ready = take(l -> l.path("type").asText().equals("ready"), "ready");
  }

  /**
   * Starts the driver process, installing its npm packages first if they are missing, and waits for
   * its {@code ready} line.
   *
   * @throws AssertionError if the project is not found, {@code npm ci} fails or node does not start
   */
  public static NodeClients start() {
    Path dir = projectDir();
    try {
      install(dir);
      return new NodeClients(dir);
    } catch (IOException e) {
      throw new AssertionError("cannot start node in " + dir, e);
    }
  }

  /** The {@code ready} line: {@code {node, socketIoClient}} versions. */
  public JsonNode ready() {
    return ready;
  }

  /**
   * Creates the client named {@code client} and connects it to the server on 127.0.0.1:{@code port}
   * with {@code auth} as the handshake's auth payload, over {@code transports} (null: the Socket.IO
   * client's default, polling then WebSocket). Does not wait; see {@link #awaitConnect}.
   */
  public void connect(String client, int port, Map<String, ?> auth, List<String> transports) {
    ObjectNode command = command("connect", client);
    command.put("url", "http://127.0.0.1:" + port);
    command.set("auth", MAPPER.valueToTree(auth));
    if (transports != null) {
      command.set("transports", MAPPER.valueToTree(transports));
    }
    send(command);
  }

  /** Waits for the client's {@code connect} line (its Socket.IO connect event). */
  public JsonNode awaitConnect(String client) {
    return take(l -> is(l, "connect", client), client + " connect");
  }

  /** Emits {@code event} with {@code payload} (converted by Jackson; null: no argument). */
  public void emit(String client, String event, Object payload) {
    ObjectNode command = command("emit", client);
    command.put("event", event);
    command.set("args", args(payload));
    send(command);
  }

  /** Emits with an acknowledgement and waits for it; returns the ack's first argument. */
  public JsonNode request(String client, String event, Object payload) {
    return awaitAck(client, requestAsync(client, event, payload), event);
  }

  /**
   * Emits with an acknowledgement without waiting for it; returns the sequence number to pass to
   * {@link #awaitAck}. Lets a test have several requests in flight at once.
   */
  public int requestAsync(String client, String event, Object payload) {
    int n = seq.incrementAndGet();
    ObjectNode command = command("emit", client);
    command.put("event", event);
    command.set("args", args(payload));
    command.put("seq", n);
    send(command);
    return n;
  }

  /**
   * Like {@link #requestAsync(String, String, Object)} with the Node client's own ack timeout;
   * {@link #ackTimedOut} then tells whether it gave up waiting.
   */
  public int requestAsync(String client, String event, Object payload, Duration ackTimeout) {
    int n = seq.incrementAndGet();
    ObjectNode command = command("emit", client);
    command.put("event", event);
    command.set("args", args(payload));
    command.put("seq", n);
    command.put("timeoutMs", ackTimeout.toMillis());
    send(command);
    return n;
  }

  /** Waits for the outcome of request {@code n}: whether the Node client's ack timeout fired. */
  public boolean ackTimedOut(String client, int n) {
    return take(l -> is(l, "ack", client) && l.path("seq").asInt() == n, client + " ack " + n)
        .path("timeout")
        .asBoolean();
  }

  /** Waits for the acknowledgement of request {@code n}; returns its first argument. */
  public JsonNode awaitAck(String client, int n, String description) {
    JsonNode ack =
        take(l -> is(l, "ack", client) && l.path("seq").asInt() == n, client + " ack " + n);
    if (ack.path("timeout").asBoolean()) {
      throw new AssertionError(
          client + ": the ack for " + description + " timed out in the Node client");
    }
    return ack.path("data");
  }

  /** The transport the client's engine uses now ({@code polling} or {@code websocket}). */
  public String transport(String client) {
    send(command("transport", client));
    return take(l -> is(l, "transport", client), client + " transport").path("transport").asText();
  }

  /**
   * Waits for and removes the first event {@code name} the client received; returns its payload.
   */
  public JsonNode takeEvent(String client, String name) {
    return take(
            l -> is(l, "event", client) && l.path("name").asText().equals(name),
            client + " event " + name)
        .path("data");
  }

  /** Waits for and removes the first line of {@code type} for {@code client}. */
  public JsonNode take(String client, String type) {
    return take(l -> is(l, type, client), client + " " + type);
  }

  /** Lines recorded and not taken for {@code client}. */
  public List<JsonNode> pending(String client) {
    synchronized (lines) {
      return lines.stream().filter(l -> l.path("client").asText().equals(client)).toList();
    }
  }

  /** Waits for and removes the first line, of any client, that {@code match} accepts. */
  public JsonNode take(Predicate<JsonNode> match, String description) {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    synchronized (lines) {
      while (true) {
        for (int i = 0; i < lines.size(); i++) {
          if (match.test(lines.get(i))) {
            return lines.remove(i);
          }
        }
        JsonNode fatal =
            lines.stream()
                .filter(l -> l.path("type").asText().equals("fatal"))
                .findFirst()
                .orElse(null);
        if (fatal != null) {
          throw new AssertionError("the node driver failed: " + fatal + "\nstderr: " + stderr);
        }
        long left = deadline - System.nanoTime();
        if (left <= 0 || !process.isAlive() && lines.isEmpty()) {
          throw new AssertionError(
              "no "
                  + description
                  + " within "
                  + TIMEOUT
                  + "; node alive "
                  + process.isAlive()
                  + "; received "
                  + lines
                  + "\nstderr: "
                  + stderr);
        }
        try {
          lines.wait(Math.max(1, Math.min(250, TimeUnit.NANOSECONDS.toMillis(left))));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError("interrupted", e);
        }
      }
    }
  }

  /** Closes stdin (the driver closes its sockets and exits), then kills it if it lingers. */
  @Override
  public void close() {
    try {
      stdin.close();
    } catch (IOException ignored) {
      // The process is gone already.
    }
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  private static boolean is(JsonNode line, String type, String client) {
    return line.path("type").asText().equals(type) && line.path("client").asText().equals(client);
  }

  private ObjectNode command(String name, String client) {
    ObjectNode command = MAPPER.createObjectNode();
    command.put("cmd", name);
    command.put("client", client);
    return command;
  }

  private static JsonNode args(Object payload) {
    return payload == null
        ? MAPPER.createArrayNode()
        : MAPPER.createArrayNode().add(MAPPER.valueToTree(payload));
  }

  private synchronized void send(JsonNode command) {
    try {
      stdin.write(MAPPER.writeValueAsString(command));
      stdin.write('\n');
      stdin.flush();
    } catch (IOException e) {
      throw new AssertionError(
          "cannot write to the node driver (alive " + process.isAlive() + "); stderr: " + stderr,
          e);
    }
  }

  private void recordLine(String line) {
    JsonNode parsed;
    try {
      parsed = MAPPER.readTree(line);
    } catch (IOException e) {
      stderr.append("[unparsable stdout] ").append(line).append('\n');
      return;
    }
    synchronized (lines) {
      lines.add(parsed);
      lines.notifyAll();
    }
  }

  private static void pump(InputStream in, String name, java.util.function.Consumer<String> sink) {
    Thread t =
        new Thread(
            () -> {
              try (BufferedReader reader =
                  new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                for (String line; (line = reader.readLine()) != null; ) {
                  sink.accept(line);
                }
              } catch (IOException ignored) {
                // The process ended.
              }
            },
            name);
    t.setDaemon(true);
    t.start();
  }

  /**
   * {@link #PROJECT}, found from the working directory upwards: tests run from the repository root
   * and from any module's directory (Maven runs each module's tests there) all use the one driver
   * and its one {@code node_modules}.
   */
  private static Path projectDir() {
    Path start = Path.of("").toAbsolutePath();
    for (Path dir = start; dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolve(PROJECT);
      if (Files.isRegularFile(candidate.resolve("package-lock.json"))) {
        return candidate;
      }
    }
    throw new AssertionError(
        PROJECT
            + "/package-lock.json not found from "
            + start
            + " upwards: NodeClients runs inside a clone of the Dialogue repository");
  }

  private static synchronized void install(Path dir) throws IOException {
    if (Files.isRegularFile(dir.resolve("node_modules/socket.io-client/package.json"))) {
      return;
    }
    Path log = Files.createTempFile("npm-ci", ".log");
    Process npm =
        new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund")
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    try {
      if (!npm.waitFor(INSTALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        npm.destroyForcibly();
        throw new AssertionError("npm ci in " + dir + " took longer than " + INSTALL_TIMEOUT);
      }
    } catch (InterruptedException e) {
      npm.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted during npm ci", e);
    }
    if (npm.exitValue() != 0) {
      throw new AssertionError(
          "npm ci in " + dir + " failed with " + npm.exitValue() + ":\n" + Files.readString(log));
    }
    Files.deleteIfExists(log);
  }
}
