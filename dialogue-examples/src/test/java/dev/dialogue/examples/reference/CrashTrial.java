package dev.dialogue.examples.reference;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dialogue.testing.RawClient;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The reference server as a child process with a durable store, killed and restarted on the same
 * port and database; and the comparison of what a subscriber saw with what the store holds, offset
 * by offset. Shared by the crash tests.
 */
final class CrashTrial implements AutoCloseable {
  private static final Pattern READY = Pattern.compile("READY (\\d+)");

  /** One event as a subscriber saw it. */
  record Seen(long offset, String text) {
    static Seen of(JsonNode event) {
      return new Seen(event.path("offset").asLong(), event.path("data").path("text").asText());
    }
  }

  private final Path dir;
  private final String url;
  private final List<String> jvmFlags;
  private final List<String> args;
  private final List<Process> processes = new ArrayList<>();
  private Process current;
  private int port;

  /** A server with durable history in an H2 file under {@code dir}. */
  CrashTrial(Path dir) {
    this(dir, "jdbc:h2:file:" + dir.resolve("history"), List.of());
  }

  /**
   * @param url the history database, or null for memory only
   * @param jvmFlags flags of the server's JVM (e.g. a heap limit)
   */
  CrashTrial(Path dir, String url, List<String> jvmFlags) {
    this(dir, url, jvmFlags, List.of());
  }

  /**
   * @param args more options of the server (e.g. {@code --redis URI})
   */
  CrashTrial(Path dir, String url, List<String> jvmFlags, List<String> args) {
    this.dir = dir;
    this.url = url;
    this.jvmFlags = List.copyOf(jvmFlags);
    this.args = List.copyOf(args);
  }

  /** The running server's resident set size, from /proc, in bytes. */
  long rssBytes() throws java.io.IOException {
    for (String line :
        java.nio.file.Files.readAllLines(Path.of("/proc/" + current.pid() + "/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
      }
    }
    throw new AssertionError("no VmRSS in /proc/" + current.pid() + "/status");
  }

  /** Starts the server (on a free port the first time, then on the same one); returns the port. */
  int start() throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmFlags);
    command.addAll(
        List.of(
            "-cp",
            System.getProperty("java.class.path"),
            ReferenceServer.class.getName(),
            "--port",
            String.valueOf(port),
            "--host",
            "127.0.0.1"));
    if (url != null) {
      command.addAll(List.of("--history-db", url));
    }
    command.addAll(args);
    Process process =
        new ProcessBuilder(command)
            .redirectError(dir.resolve("server-" + processes.size() + ".log").toFile())
            .start();
    processes.add(process);
    process.getOutputStream().close();
    BufferedReader stdout =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    String line = stdout.readLine();
    Matcher ready = READY.matcher(String.valueOf(line));
    assertThat(ready.matches()).as("first stdout line: %s", line).isTrue();
    int bound = Integer.parseInt(ready.group(1));
    if (port != 0) {
      assertThat(bound).as("restarted on the same port").isEqualTo(port);
    }
    port = bound;
    current = process;
    return port;
  }

  /** SIGKILLs the server, through its handle so that our pipes stay open. */
  void kill() throws InterruptedException {
    assertThat(current.toHandle().destroyForcibly()).isTrue();
    assertThat(current.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
  }

  /** Everything the store holds for room {@code chat} (at most the recovery limit), by offset. */
  TreeMap<Long, String> stored(String epoch) {
    TreeMap<Long, String> stored = new TreeMap<>();
    try (RawClient reader = RawClient.connectAs(port, "reader", null)) {
      JsonNode all =
          reader.request(
              "dialogue:join",
              Map.of("roomId", "chat", "since", Map.of("offset", 0, "epoch", epoch)));
      assertThat(all.path("recovered").asBoolean()).as("read the store: %s", all).isTrue();
      for (JsonNode m : all.path("missed")) {
        Seen event = Seen.of(m);
        stored.put(event.offset(), event.text());
      }
    }
    return stored;
  }

  /**
   * The store holds {@code total} distinct events at offsets 1..total; the subscriber saw each of
   * them once, in offset order, and no offset it saw holds another event in the store.
   */
  static void compare(List<Seen> seen, TreeMap<Long, String> stored, int total) {
    assertThat(stored).as("the store holds every trigger once").hasSize(total);
    assertThat(stored.lastKey()).isEqualTo(total);
    assertThat(new HashSet<>(stored.values())).hasSize(total);
    List<String> conflicts = new ArrayList<>();
    Map<Long, Integer> times = new LinkedHashMap<>();
    int reordered = 0;
    long previous = 0;
    for (Seen s : seen) {
      if (!s.text().equals(stored.get(s.offset()))) {
        conflicts.add(s.offset() + ": saw " + s.text() + ", stored " + stored.get(s.offset()));
      }
      times.merge(s.offset(), 1, Integer::sum);
      if (s.offset() <= previous) {
        reordered++;
      }
      previous = Math.max(previous, s.offset());
    }
    long missing = stored.keySet().stream().filter(o -> !times.containsKey(o)).count();
    long doubled = times.values().stream().filter(n -> n > 1).count();
    assertThat(conflicts).as("offsets shown that the store gives to other events").isEmpty();
    assertThat(missing).as("stored events the subscriber never received").isZero();
    assertThat(doubled).as("events the subscriber received twice").isZero();
    assertThat(reordered).as("events out of offset order").isZero();
  }

  @Override
  public void close() {
    processes.forEach(Process::destroyForcibly);
  }
}
