package dev.dialogue.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.HdrHistogram.Histogram;

/**
 * The chat scenario: the flagship chat example ({@code dev.dialogue.examples.chat}, H2 store) in a
 * server process of its own, under a team's traffic. Setup, outside the measured window: the users
 * sign up over HTTP (bcrypt), the seeded owner alice makes the channels, every user connects with
 * its token and joins its channels ({@code channels.join}); the server joins each connection to the
 * workspace room and all its channels. Then every user, for warm-up plus the window: a typing
 * notice, a message a moment later (at random intervals around {@link
 * Plan.Chat#messageIntervalSeconds}), now and then {@code read.mark} of a channel up to the last
 * message it saw.
 */
final class ChatScenario {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int CONNECTING_AT_ONCE = 128;
  private static final int SIGNING_UP_AT_ONCE = 4;

  private final Plan.Chat plan;
  private final Launcher launcher;
  private final Path work;
  private final PrintStream log;

  ChatScenario(Plan.Chat plan, Launcher launcher, Path work, PrintStream log) {
    this.plan = plan;
    this.launcher = launcher;
    this.work = work;
    this.log = log;
  }

  /** The channels user {@code i} joins: {@code channelsPerUser} of them, as evenly as possible. */
  static List<Integer> channelsOf(int user, int channels, int perUser) {
    int n = Math.min(perUser, channels);
    int stride = channels / Math.max(1, n) + 1;
    Set<Integer> picked = new LinkedHashSet<>();
    for (int k = 0; picked.size() < n; k++) {
      int c = (user + k * stride) % channels;
      while (!picked.add(c)) {
        c = (c + 1) % channels;
      }
    }
    return List.copyOf(picked);
  }

  Results.Chat run() throws Exception {
    Path data = work.resolve("chat-data");
    deleteTree(data);
    ChatStats stats = new ChatStats();
    List<String> notes = new ArrayList<>();
    try (ServerProcess server =
            launcher.startJava(
                "chat",
                ChatBenchServer.class.getName(),
                examplesClasses(launcher.classpath()),
                List.of("--port", "0", "--data", data.toAbsolutePath().toString()));
        LoadGenerator gen = new LoadGenerator(2, 8)) {
      String base = "http://127.0.0.1:" + server.port();
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30)).build();

      // 1. Users, over HTTP: bcrypt makes this the slow part; not measured.
      long t0 = System.nanoTime();
      List<String> tokens = signUp(http, base);
      double signupSeconds = (System.nanoTime() - t0) / 1e9;
      log.printf(
          "  chat: %d users signed up in %.1f s (%d at a time, %d requests sent again)%n",
          tokens.size(), signupSeconds, SIGNING_UP_AT_ONCE, signupRetries.get());
      if (signupRetries.get() > 0) {
        notes.add(
            signupRetries.get()
                + " sign-up requests failed in transport (connection closed, no answer) and were"
                + " sent again");
      }

      // 2. Channels, made by the owner.
      long t1 = System.nanoTime();
      String aliceToken =
          post(http, base + "/api/signin", "{\"username\":\"alice\",\"password\":\"password\"}")
              .get("token")
              .asText();
      ChatConn alice = connect(gen, server.port(), -1, aliceToken, stats);
      alice.connected.get(60, TimeUnit.SECONDS);
      List<String> channelIds = new ArrayList<>();
      List<String> roomIds = new ArrayList<>();
      for (int c = 0; c < plan.channels(); c++) {
        String reply =
            alice
                .call(
                    "dialogue:request",
                    "{\"command\":\"channels.create\",\"data\":{\"name\":\""
                        + String.format(Locale.ROOT, "load-%02d", c)
                        + "\",\"topic\":\"bench\",\"private\":false}}")
                .get(60, TimeUnit.SECONDS);
        if (!ChatConn.ok(reply)) {
          throw new IllegalStateException("channels.create refused: " + reply);
        }
        JsonNode result = JSON.readTree(reply).get(0).get("result");
        channelIds.add(result.get("id").asText());
        roomIds.add(result.get("roomId").asText());
      }
      alice.close();

      // 3. Every user connected and joined to its channels.
      List<ChatConn> conns = openAndJoin(gen, server.port(), tokens, channelIds, roomIds, stats);
      Map<String, Integer> members = new HashMap<>();
      for (ChatConn c : conns) {
        for (String room : c.channelRooms) {
          members.merge(room, 1, Integer::sum);
        }
      }
      int membersPerChannel = members.values().stream().mapToInt(Integer::intValue).max().orElse(0);
      for (ChatConn c : conns) {
        c.membersByRoom = members;
      }
      settle(stats);
      double setupSeconds = (System.nanoTime() - t1) / 1e9;
      log.printf(
          "  chat: %d channels, %d of %d users connected and joined (%d per channel at most) in"
              + " %.1f s%n",
          roomIds.size(), conns.size(), plan.users(), membersPerChannel, setupSeconds);
      if (conns.size() < plan.users()) {
        notes.add("only " + conns.size() + " of " + plan.users() + " users joined their channels");
      }
      long setupErrors = stats.errors.sum();
      if (setupErrors > 0) {
        notes.add(setupErrors + " errors during setup, first: " + stats.firstError());
      }

      // 4. Traffic: warm-up, then the measured window.
      ChatStats.Snapshot atStart = stats.snapshot();
      AutoCloseable traffic = start(conns);
      List<String> timeline = new ArrayList<>();
      Results.Chat result;
      try {
        ChatStats.Snapshot[] warm = {stats.snapshot()};
        Scenarios.inSlices(
            plan.warmSeconds(),
            5,
            nanos -> {
              ChatStats.Snapshot now = stats.snapshot();
              ChatStats.Snapshot d = now.minus(warm[0]);
              warm[0] = now;
              log.printf(
                  Locale.ROOT,
                  "    warm-up: %.0f sent/s, %.0f delivered/s%n",
                  d.messagesSent() / d.seconds(),
                  d.deliveries() / d.seconds());
            });
        stats.resetLatencies();
        ChatStats.Snapshot before = stats.snapshot();
        long genCpu = LoadGenerator.cpuNanos();
        long srvCpu = server.cpuNanos();
        Histogram delivery = new Histogram(3);
        ChatStats.Snapshot[] last = {before};
        Scenarios.inSlices(
            plan.seconds(),
            5,
            nanos -> {
              ChatStats.Snapshot now = stats.snapshot();
              ChatStats.Snapshot d = now.minus(last[0]);
              last[0] = now;
              Histogram part = ChatStats.since(stats.delivery);
              delivery.add(part);
              String slice =
                  String.format(
                      Locale.ROOT,
                      "%.0f sent/s, %.0f delivered/s, p99 %.1f ms",
                      d.messagesSent() / d.seconds(),
                      d.deliveries() / d.seconds(),
                      Results.millis(part, 99));
              timeline.add(slice);
              log.println("    " + slice);
            });
        ChatStats.Snapshot window = stats.snapshot().minus(before);
        double genCores = (LoadGenerator.cpuNanos() - genCpu) / (double) window.nanos();
        double srvCores = (server.cpuNanos() - srvCpu) / (double) window.nanos();
        Histogram ack = ChatStats.since(stats.ack);
        Histogram readMark = ChatStats.since(stats.readMark);
        Histogram sendLag = ChatStats.since(stats.sendLag);
        traffic.close();
        traffic = null;
        drain(stats);
        ChatStats.Snapshot total = stats.snapshot().minus(atStart);
        long rss = server.rssBytes();
        long heap = server.heapAfterGc();
        if (total.deliveries() != total.deliveriesExpected()) {
          notes.add(
              String.format(
                  Locale.ROOT,
                  "%,d deliveries owed, %,d received",
                  total.deliveriesExpected(),
                  total.deliveries()));
        }
        if (stats.firstError() != null) {
          notes.add("first error: " + stats.firstError());
        }
        result =
            new Results.Chat(
                plan,
                conns.size(),
                membersPerChannel,
                signupSeconds,
                setupSeconds,
                window,
                delivery,
                ack,
                readMark,
                sendLag,
                total.deliveriesExpected(),
                total.deliveries(),
                stats.codes(),
                srvCores,
                genCores,
                rss,
                heap,
                timeline,
                String.join("; ", notes));
      } finally {
        if (traffic != null) {
          traffic.close();
        }
        for (ChatConn c : conns) {
          c.close();
        }
      }
      log.printf(
          "  chat: %.1f messages/s sent, %.0f deliveries/s, p50 %.1f p99 %.1f p99.9 %.1f ms,"
              + " server %.2f cores, errors %s%n",
          result.perSecond(result.window().messagesSent()),
          result.perSecond(result.window().deliveries()),
          Results.millis(result.delivery(), 50),
          Results.millis(result.delivery(), 99),
          Results.millis(result.delivery(), 99.9),
          result.serverCores(),
          result.codes());
      return result;
    }
  }

  /** Signs up {@code plan.users} users, a few at a time; their tokens in order. */
  private List<String> signUp(HttpClient http, String base) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(SIGNING_UP_AT_ONCE);
    try {
      List<Future<String>> futures = new ArrayList<>();
      for (int i = 0; i < plan.users(); i++) {
        String name = username(i);
        futures.add(pool.submit(() -> signUp(http, base, name)));
      }
      List<String> tokens = new ArrayList<>();
      for (Future<String> f : futures) {
        tokens.add(f.get(5, TimeUnit.MINUTES));
      }
      return tokens;
    } finally {
      pool.shutdownNow();
    }
  }

  /** Sign-up requests that failed in transport and were sent again (see {@link #signUp}). */
  private final java.util.concurrent.atomic.AtomicInteger signupRetries =
      new java.util.concurrent.atomic.AtomicInteger();

  /**
   * Signs one user up and returns its token. A request that fails in transport (the server closed
   * the kept-alive HTTP connection under it: the JDK client does not resend a POST) is sent again;
   * if the first one had created the user after all, the retry signs in instead.
   */
  private String signUp(HttpClient http, String base, String name) throws Exception {
    String password = "bench-password";
    for (int attempt = 1; ; attempt++) {
      try {
        return post(
                http,
                base + "/api/signup",
                "{\"username\":\""
                    + name
                    + "\",\"displayName\":\"Bench user "
                    + name
                    + "\",\"password\":\""
                    + password
                    + "\"}")
            .get("token")
            .asText();
      } catch (Conflict e) {
        if (attempt == 1) {
          throw e;
        }
        return post(
                http,
                base + "/api/signin",
                "{\"username\":\"" + name + "\",\"password\":\"" + password + "\"}")
            .get("token")
            .asText();
      } catch (IOException e) {
        if (attempt >= 3) {
          throw e;
        }
        signupRetries.incrementAndGet();
      }
    }
  }

  /** An HTTP 409 answer. */
  private static final class Conflict extends IOException {
    Conflict(String message) {
      super(message);
    }
  }

  static String username(int i) {
    return String.format(Locale.ROOT, "u%04d", i);
  }

  private static JsonNode post(HttpClient http, String url, String body)
      throws IOException, InterruptedException {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() == 409) {
      throw new Conflict(url + " answered 409: " + response.body());
    }
    if (response.statusCode() / 100 != 2) {
      throw new IOException(url + " answered " + response.statusCode() + ": " + response.body());
    }
    return JSON.readTree(response.body());
  }

  private static ChatConn connect(
      LoadGenerator gen, int port, int index, String token, ChatStats stats) {
    ChatConn conn = new ChatConn(index, token, stats, gen.epoch);
    ChannelFuture future = gen.dial(port, conn);
    future.addListener(
        f -> {
          if (!f.isSuccess()) {
            stats.error("CONNECT_FAILED", String.valueOf(f.cause()));
            conn.connected.completeExceptionally(f.cause());
          }
        });
    return conn;
  }

  /**
   * Connects every user ({@link #CONNECTING_AT_ONCE} at a time) and joins it to its channels; the
   * connections whose every join was answered and seated.
   */
  private List<ChatConn> openAndJoin(
      LoadGenerator gen,
      int port,
      List<String> tokens,
      List<String> channelIds,
      List<String> roomIds,
      ChatStats stats)
      throws InterruptedException {
    Semaphore connecting = new Semaphore(CONNECTING_AT_ONCE);
    List<ChatConn> all = new ArrayList<>();
    List<CompletableFuture<ChatConn>> ready = new ArrayList<>();
    for (int i = 0; i < tokens.size(); i++) {
      connecting.acquire();
      ChatConn conn = connect(gen, port, i, tokens.get(i), stats);
      List<Integer> mine = channelsOf(i, channelIds.size(), plan.channelsPerUser());
      List<String> rooms = new ArrayList<>();
      for (int c : mine) {
        rooms.add(roomIds.get(c));
      }
      conn.channelRooms = List.copyOf(rooms);
      // Seeds spread apart: the first values of java.util.Random for small consecutive seeds are
      // nearly equal (0.73 or so), which started every user's first message at the same moment.
      conn.random = new Random(0x9E3779B97F4A7C15L * (i + 1) ^ 0x5DEECE66DL);
      CompletableFuture<ChatConn> joined =
          conn.connected.thenCompose(
              c -> {
                List<CompletableFuture<?>> steps = new ArrayList<>();
                for (int k = 0; k < mine.size(); k++) {
                  steps.add(c.joinedFuture(rooms.get(k)));
                  steps.add(
                      c.call(
                              "dialogue:request",
                              "{\"command\":\"channels.join\",\"data\":{\"channelId\":\""
                                  + channelIds.get(mine.get(k))
                                  + "\"}}")
                          .thenAccept(
                              reply -> {
                                if (!ChatConn.ok(reply)) {
                                  stats.error(ChatConn.codeOf(reply), reply);
                                  throw new IllegalStateException("channels.join: " + reply);
                                }
                              }));
                }
                return CompletableFuture.allOf(steps.toArray(CompletableFuture[]::new))
                    .thenApply(v -> c);
              });
      joined.whenComplete((c, e) -> connecting.release());
      all.add(conn);
      ready.add(joined);
    }
    List<ChatConn> joined = new ArrayList<>();
    for (int i = 0; i < all.size(); i++) {
      try {
        joined.add(ready.get(i).get(Scenarios.OPEN_TIMEOUT_SECONDS, TimeUnit.SECONDS));
      } catch (Exception e) {
        all.get(i).close();
      }
    }
    return joined;
  }

  /** Starts every user's traffic on its connection's event loop; closing the handle stops it. */
  private AutoCloseable start(List<ChatConn> conns) {
    Map<EventLoop, List<ChatConn>> byLoop = new HashMap<>();
    for (ChatConn c : conns) {
      byLoop.computeIfAbsent(c.channel().eventLoop(), k -> new ArrayList<>()).add(c);
    }
    long now = System.nanoTime();
    long interval = (long) (plan.messageIntervalSeconds() * 1e9);
    long read = (long) (plan.readIntervalSeconds() * 1e9);
    List<ScheduledFuture<?>> tickers = new ArrayList<>();
    for (Map.Entry<EventLoop, List<ChatConn>> e : byLoop.entrySet()) {
      List<ChatConn> mine = e.getValue();
      e.getKey()
          .execute(
              () -> {
                for (ChatConn c : mine) {
                  // The first typing notice after the same exponential pause as later ones: the
                  // pause is memoryless, so the rate is steady from the start (a start spread
                  // evenly over the first interval overshot the rate by half between 15 and 25 s).
                  c.nextAt = now + pause(c.random, interval);
                  c.typingNext = true;
                  c.nextRoom = c.channelRooms.get(c.random.nextInt(c.channelRooms.size()));
                  c.nextReadAt = now + (long) (c.random.nextDouble() * read);
                  c.active = true;
                }
              });
      tickers.add(
          e.getKey()
              .scheduleAtFixedRate(() -> tick(mine, interval, read), 1, 1, TimeUnit.MILLISECONDS));
    }
    return () -> {
      tickers.forEach(t -> t.cancel(false));
      for (Map.Entry<EventLoop, List<ChatConn>> e : byLoop.entrySet()) {
        e.getKey()
            .submit(
                () -> {
                  for (ChatConn c : e.getValue()) {
                    c.active = false;
                  }
                })
            .awaitUninterruptibly(10, TimeUnit.SECONDS);
      }
    };
  }

  /**
   * One user's next step, when due: the typing notice, then a moment later (at most 3 s, about a
   * quarter of the interval) the message, whose due time it carries; the next typing notice after
   * an exponential pause, so that the mean time between messages is the plan's interval.
   */
  private static void tick(List<ChatConn> conns, long interval, long read) {
    long now = System.nanoTime();
    long lead = lead(interval);
    for (ChatConn c : conns) {
      if (!c.active || !c.channel().isActive()) {
        continue;
      }
      if (now >= c.nextAt) {
        if (c.typingNext) {
          c.typing(c.nextRoom);
          c.typingNext = false;
          c.nextAt += (long) (lead * (0.5 + c.random.nextDouble()));
        } else {
          c.message(c.nextRoom, c.nextAt);
          c.typingNext = true;
          c.nextRoom = c.channelRooms.get(c.random.nextInt(c.channelRooms.size()));
          c.nextAt += pause(c.random, interval);
        }
      }
      if (now >= c.nextReadAt) {
        c.markRead();
        c.nextReadAt += (long) (-Math.log(1 - c.random.nextDouble()) * read);
      }
    }
  }

  /**
   * Typing notices come this long (at most 3 s, about a quarter of the interval) before a message,
   * on average.
   */
  private static long lead(long interval) {
    return Math.min(3_000_000_000L, interval / 4);
  }

  /**
   * A pause from a message to the next typing notice: exponential, for the plan's mean interval.
   */
  private static long pause(Random random, long interval) {
    return (long) (-Math.log(1 - random.nextDouble()) * (interval - lead(interval)));
  }

  /** Waits, at most 60 s, until the connections receive nothing for a second. */
  private static void settle(ChatStats stats) throws InterruptedException {
    long deadline = System.nanoTime() + 60_000_000_000L;
    long seen = -1;
    while (System.nanoTime() < deadline) {
      long frames = stats.snapshot().frames();
      if (frames == seen) {
        return;
      }
      seen = frames;
      Scenarios.sleep(1);
    }
  }

  /** Waits, at most 30 s, until no more messages arrive and every owed delivery has. */
  private static void drain(ChatStats stats) throws InterruptedException {
    long deadline = System.nanoTime() + 30_000_000_000L;
    long seen = -1;
    while (System.nanoTime() < deadline) {
      ChatStats.Snapshot s = stats.snapshot();
      if (s.deliveries() == seen && s.deliveries() >= s.deliveriesExpected()) {
        return;
      }
      seen = s.deliveries();
      Scenarios.sleep(1);
    }
  }

  /**
   * Where the chat example's classes are, to add to the server's class path: nothing when {@code
   * classpath} has them already (the tests' class path), else {@code
   * dialogue-examples/target/classes} from the working directory (bin/bench runs in the clone).
   */
  static String examplesClasses(String classpath) {
    for (String entry : classpath.split(":")) {
      if (entry.contains("dialogue-examples")) {
        return null;
      }
    }
    for (String candidate :
        new String[] {"dialogue-examples/target/classes", "../dialogue-examples/target/classes"}) {
      Path dir = Path.of(candidate).toAbsolutePath().normalize();
      if (Files.isDirectory(dir.resolve("dev/dialogue/examples/chat"))) {
        return dir.toString();
      }
    }
    throw new IllegalStateException(
        "dialogue-examples/target/classes not found from "
            + Path.of("").toAbsolutePath()
            + " (build it: mvn test-compile -pl dialogue-bench -am)");
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
