package dev.dialogue.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * The game scenario: the Four in a Row example ({@code dev.dialogue.examples.game}, its real turn
 * clock) in a server process of its own, with {@link Plan.Game#matches} matches played at once by
 * bot players ({@link GameConn}, two per match). Setup: one player of each match makes it ({@code
 * match.create}), the other joins it by its code ({@code match.join}); the lobby watchers join the
 * lobby room. Then the bots play for warm-up plus the window: random legal moves (the {@code move}
 * room command) after a think time, and a rematch after every game, so that every match plays all
 * the time.
 */
final class GameScenario {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MATCHES_MAKING_AT_ONCE = 64;

  private final Plan.Game plan;
  private final Launcher launcher;
  private final PrintStream log;

  GameScenario(Plan.Game plan, Launcher launcher, PrintStream log) {
    this.plan = plan;
    this.launcher = launcher;
    this.log = log;
  }

  Results.Game run() throws Exception {
    GameStats stats = new GameStats();
    List<String> notes = new ArrayList<>();
    List<GameConn> all = new ArrayList<>();
    try (ServerProcess server =
            launcher.startJava(
                "game",
                GameBenchServer.class.getName(),
                serverClasses(launcher.classpath()),
                List.of("--port", "0", "--turn-seconds", String.valueOf(plan.turnSeconds())));
        LoadGenerator gen = new LoadGenerator(2, 8);
        AutoCloseable closing = () -> all.forEach(GameConn::close)) {
      long t0 = System.nanoTime();
      int watching = watchLobby(gen, server.port(), stats, all);
      int seated = makeMatches(gen, server.port(), stats, all);
      double setupSeconds = (System.nanoTime() - t0) / 1e9;
      log.printf(
          Locale.ROOT,
          "  game: %d of %d matches seated, %d lobby watchers, in %.1f s%n",
          seated,
          plan.matches(),
          watching,
          setupSeconds);
      if (seated < plan.matches()) {
        notes.add("only " + seated + " of " + plan.matches() + " matches had both players");
      }
      if (stats.errors.sum() > 0) {
        notes.add(stats.errors.sum() + " errors during setup, first: " + stats.firstError());
      }

      GameStats.Snapshot[] last = {stats.snapshot()};
      Scenarios.inSlices(
          plan.warmSeconds(),
          5,
          nanos -> {
            GameStats.Snapshot now = stats.snapshot();
            GameStats.Snapshot d = now.minus(last[0]);
            last[0] = now;
            log.printf(Locale.ROOT, "    warm-up: %.0f moves/s%n", d.perSecond(d.movesAccepted()));
          });
      stats.resetLatencies();
      GameStats.Snapshot before = stats.snapshot();
      Map<String, Long> reasonsBefore = stats.reasons();
      long genCpu = LoadGenerator.cpuNanos();
      long srvCpu = server.cpuNanos();
      Histogram toOpponent = new Histogram(3);
      List<String> timeline = new ArrayList<>();
      last[0] = before;
      Scenarios.inSlices(
          plan.seconds(),
          5,
          nanos -> {
            GameStats.Snapshot now = stats.snapshot();
            GameStats.Snapshot d = now.minus(last[0]);
            last[0] = now;
            Histogram part = GameStats.since(stats.toOpponent);
            toOpponent.add(part);
            String slice =
                String.format(
                    Locale.ROOT,
                    "%.0f moves/s, p99 %.1f ms",
                    d.perSecond(d.movesAccepted()),
                    Results.millis(part, 99));
            timeline.add(slice);
            log.println("    " + slice);
          });
      GameStats.Snapshot window = stats.snapshot().minus(before);
      // A moment after the snapshot: a game or two more than its count may end in between.
      Map<String, Long> reasons = minus(stats.reasons(), reasonsBefore);
      double genCores = (LoadGenerator.cpuNanos() - genCpu) / (double) window.nanos();
      double srvCores = (server.cpuNanos() - srvCpu) / (double) window.nanos();
      Histogram toMover = GameStats.since(stats.toMover);
      Histogram ack = GameStats.since(stats.ack);
      for (GameConn c : all) {
        c.active = false;
      }
      long rss = server.rssBytes();
      long heap = server.heapAfterGc();
      if (stats.firstError() != null) {
        notes.add("first error: " + stats.firstError());
      }
      Results.Game result =
          new Results.Game(
              plan,
              seated,
              watching,
              setupSeconds,
              window,
              toMover,
              toOpponent,
              ack,
              stats.codes(),
              reasons,
              srvCores,
              genCores,
              rss,
              heap,
              timeline,
              String.join("; ", notes));
      log.printf(
          Locale.ROOT,
          "  game: %.0f moves/s, to the opponent p50 %.2f p99 %.2f max %.2f ms, %d games"
              + " finished %s, server %.2f cores, generator %.2f, errors %s%n",
          result.perSecond(window.movesAccepted()),
          Results.millis(toOpponent, 50),
          Results.millis(toOpponent, 99),
          toOpponent.getMaxValue() / 1e6,
          window.gamesFinished(),
          reasons,
          srvCores,
          genCores,
          result.codes());
      return result;
    }
  }

  /** Joins the lobby watchers to the lobby room; how many got in. */
  private int watchLobby(LoadGenerator gen, int port, GameStats stats, List<GameConn> all)
      throws InterruptedException {
    List<CompletableFuture<String>> joins = new ArrayList<>();
    for (int i = 0; i < plan.lobbyWatchers(); i++) {
      GameConn c = connect(gen, port, 2 * plan.matches() + i, 0, null, stats);
      all.add(c);
      joins.add(c.connected.thenCompose(x -> x.call("dialogue:join", "{\"roomId\":\"lobby\"}")));
    }
    int joined = 0;
    for (CompletableFuture<String> j : joins) {
      try {
        String reply = j.get(Scenarios.OPEN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        if (ChatConn.ok(reply)) {
          joined++;
        } else {
          stats.error(ChatConn.codeOf(reply), reply);
        }
      } catch (Exception e) {
        stats.error("LOBBY_JOIN", String.valueOf(e));
      }
    }
    return joined;
  }

  /**
   * Makes every match, {@link #MATCHES_MAKING_AT_ONCE} at a time: its first player makes it, the
   * second joins it by its code. How many got both players.
   */
  private int makeMatches(LoadGenerator gen, int port, GameStats stats, List<GameConn> all)
      throws InterruptedException {
    Semaphore making = new Semaphore(MATCHES_MAKING_AT_ONCE);
    List<CompletableFuture<?>> ready = new ArrayList<>();
    String create =
        "{\"command\":\"match.create\",\"data\":{\"privateMatch\":" + plan.privateMatches() + "}}";
    for (int m = 0; m < plan.matches(); m++) {
      making.acquire();
      GameConn.Table table = new GameConn.Table();
      GameConn host = connect(gen, port, 2 * m, 1, table, stats);
      GameConn guest = connect(gen, port, 2 * m + 1, 2, table, stats);
      all.add(host);
      all.add(guest);
      CompletableFuture<?> both =
          host.connected
              .thenCompose(h -> h.call("dialogue:request", create))
              .thenCompose(
                  reply -> {
                    String code = answer(reply, stats).path("code").asText();
                    return guest.connected.thenCompose(
                        g ->
                            g.call(
                                "dialogue:request",
                                "{\"command\":\"match.join\",\"data\":{\"code\":\""
                                    + code
                                    + "\"}}"));
                  })
              .thenAccept(
                  reply -> {
                    if (answer(reply, stats).path("seat").asInt() != 2) {
                      throw new IllegalStateException("not seated: " + reply);
                    }
                  });
      both.whenComplete((v, e) -> making.release());
      ready.add(both);
    }
    int seated = 0;
    for (CompletableFuture<?> f : ready) {
      try {
        f.get(Scenarios.OPEN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        seated++;
      } catch (Exception e) {
        stats.error("SEATING", String.valueOf(e));
      }
    }
    return seated;
  }

  /** The {@code result} of a command's answer; an error (and an exception) if it refused. */
  private static JsonNode answer(String reply, GameStats stats) {
    if (!ChatConn.ok(reply)) {
      stats.error(ChatConn.codeOf(reply), reply);
      throw new IllegalStateException("refused: " + reply);
    }
    try {
      return JSON.readTree(reply).path(0).path("result");
    } catch (Exception e) {
      throw new IllegalStateException("unreadable answer: " + reply, e);
    }
  }

  private GameConn connect(
      LoadGenerator gen, int port, int index, int seat, GameConn.Table table, GameStats stats) {
    GameConn conn =
        new GameConn(
            index, seat, stats, table, plan.thinkMillis(), 0x9E3779B97F4A7C15L * (index + 1));
    gen.dial(port, conn)
        .addListener(
            f -> {
              if (!f.isSuccess()) {
                stats.error("CONNECT_FAILED", String.valueOf(f.cause()));
                conn.connected.completeExceptionally(f.cause());
              }
            });
    return conn;
  }

  /**
   * What the game server needs beyond the harness's class path: the examples' classes and the Java
   * client's, which the game's own bot ({@code match.bot}) is built on; nothing when the class path
   * has them (the tests'). bin/bench puts neither on it.
   */
  static String serverClasses(String classpath) {
    String examples = ChatScenario.examplesClasses(classpath);
    if (examples == null) {
      return null;
    }
    Path client =
        Path.of(examples).getParent().getParent().resolveSibling("dialogue-client/target/classes");
    return Files.isDirectory(client) ? examples + ":" + client : examples;
  }

  private static Map<String, Long> minus(Map<String, Long> now, Map<String, Long> before) {
    Map<String, Long> d = new TreeMap<>();
    now.forEach(
        (k, v) -> {
          long n = v - before.getOrDefault(k, 0L);
          if (n > 0) {
            d.put(k, n);
          }
        });
    return d;
  }
}
