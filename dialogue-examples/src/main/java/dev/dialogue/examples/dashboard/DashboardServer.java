package dev.dialogue.examples.dashboard;

import static dev.dialogue.examples.dashboard.DashboardEvents.ADMIN;
import static dev.dialogue.examples.dashboard.DashboardEvents.CHAT;
import static dev.dialogue.examples.dashboard.DashboardEvents.DASHBOARD_ROOM;
import static dev.dialogue.examples.dashboard.DashboardEvents.LOBBY_ROOM;
import static dev.dialogue.examples.dashboard.DashboardEvents.NOTICE;
import static dev.dialogue.examples.dashboard.DashboardEvents.RESET;
import static dev.dialogue.examples.dashboard.DashboardEvents.STATS;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dialogue.CommandException;
import dev.dialogue.Decision;
import dev.dialogue.Dialogue;
import dev.dialogue.EventDefinition;
import dev.dialogue.HttpHandler;
import dev.dialogue.HttpResponse;
import dev.dialogue.RoomConfig;
import dev.dialogue.TriggerInterceptor;
import dev.dialogue.examples.CommandLine;
import dev.dialogue.jwt.JwtAuthenticator;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live dashboard: the server's own metrics and a simulated orders feed, pushed once per tick to
 * a read-only room that a browser page draws. {@code bin/dialogue-example dashboard [--port N]}
 * prints the URL to open, an admin URL, then {@code READY <port>}. See docs/examples/dashboard.md.
 */
public final class DashboardServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DashboardServer.class);
  static final String WEB_ROOT = "/dev/dialogue/examples/dashboard/web/";

  /**
   * How many recent snapshots it keeps: a page that opens draws them ({@code /api/recent}) before
   * the live ones, and tests compare a page's numbers with the server's of the same tick.
   */
  static final int RECENT = 120;

  private static final ObjectMapper JSON = new ObjectMapper();

  /** Application codes. */
  public static final String READ_ONLY = "READ_ONLY";

  public static final String FORBIDDEN = "FORBIDDEN";

  private final DashboardOptions options;
  private final Tokens tokens;
  private final Dialogue dialogue;
  private final ScheduledExecutorService ticker;
  private final Metrics metrics;
  private final OrdersFeed feed;
  private final Map<Long, DashboardEvents.Stats> recent = new LinkedHashMap<>();
  private volatile DashboardEvents.Stats latest;

  /** Orders the ticker's samples and the admin's resets (the metrics are not thread-safe). */
  private final Object tickLock = new Object();

  private DashboardServer(DashboardOptions options, Clock clock) {
    this.options = options;
    String secret = options.jwtSecret() != null ? options.jwtSecret() : Tokens.randomSecret();
    this.tokens = new Tokens(Tokens.bytes(secret), clock);
    this.feed = new OrdersFeed(options.seed());
    Talkers talkers = new Talkers();
    this.dialogue =
        Dialogue.builder()
            .host(options.host())
            .port(options.port())
            .clock(clock)
            .authenticator(JwtAuthenticator.hs256(Tokens.bytes(secret)).clock(clock).build())
            .room(
                RoomConfig.builder(DASHBOARD_ROOM, "Dashboard")
                    .description("The live numbers; read-only for clients")
                    .events(STATS, NOTICE)
                    .defaultSubscriptions(EventDefinition.ANY)
                    .intercept(STATS, readOnly())
                    .intercept(NOTICE, readOnly())
                    .build(),
                RoomConfig.builder(LOBBY_ROOM, "Lobby")
                    .description("Where people talk: the top talkers come from here")
                    .events(CHAT)
                    .defaultSubscriptions(EventDefinition.ANY)
                    .build())
            .roomCreationPolicy(
                (client, requested) -> Decision.deny("The dashboard's rooms are fixed"))
            .listener(talkers)
            .command(RESET, (context, request) -> reset(context.sender()))
            .http("/api/token", request -> tokenResponse())
            .http("/api/recent", request -> recentResponse())
            .http("/", HttpHandler.resources(WEB_ROOT))
            .build();
    this.metrics = new Metrics(dialogue, feed, talkers, clock);
    this.ticker =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "dashboard-ticker");
              t.setDaemon(true);
              return t;
            });
  }

  /** Starts serving and pushing the numbers; returns once it serves. */
  public static DashboardServer start(DashboardOptions options) {
    return start(options, Clock.systemUTC());
  }

  /** As above, with timestamps (and token expiry) from {@code clock}. */
  public static DashboardServer start(DashboardOptions options, Clock clock) {
    DashboardServer server = new DashboardServer(options, clock);
    server.dialogue.start();
    server.ticker.scheduleAtFixedRate(
        server::tickSafely, options.tickMillis(), options.tickMillis(), TimeUnit.MILLISECONDS);
    return server;
  }

  /** Refuses every client trigger: only the server publishes in the dashboard's room. */
  private static <T> TriggerInterceptor<T> readOnly() {
    return (context, data) -> {
      if (context.sender() != null) {
        throw new CommandException(
            READ_ONLY, "The dashboard is read-only: only the server publishes here");
      }
      return data;
    };
  }

  private HttpResponse tokenResponse() {
    return HttpResponse.json(200, "{\"token\":\"" + tokens.viewer() + "\"}")
        .withHeader("Cache-Control", "no-store");
  }

  private HttpResponse recentResponse() {
    List<DashboardEvents.Stats> snapshots;
    synchronized (recent) {
      snapshots = List.copyOf(recent.values());
    }
    try {
      return HttpResponse.json(200, JSON.writeValueAsString(snapshots))
          .withHeader("Cache-Control", "no-store");
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write the recent numbers", e);
    }
  }

  /** The admin command: only a connection whose token says {@code role: admin}. */
  private DashboardEvents.ResetResult reset(dev.dialogue.ClientConnection sender) {
    if (!ADMIN.equals(sender.claims().get("role"))) {
      throw new CommandException(FORBIDDEN, "Only an admin can reset the counters");
    }
    long at;
    synchronized (tickLock) {
      metrics.reset();
      at = metrics.resetAt();
    }
    dialogue.trigger(
        DASHBOARD_ROOM, NOTICE, new DashboardEvents.Notice("Counters reset", sender.userId(), at));
    LOG.info("Counters reset by {}", sender.userId());
    return new DashboardEvents.ResetResult(at, sender.userId());
  }

  private void tickSafely() {
    try {
      tick();
    } catch (RuntimeException e) {
      LOG.error("Dashboard tick failed", e);
    }
  }

  /** One tick: the lobby bots, a snapshot, pushed to the room. */
  private void tick() {
    chatter();
    DashboardEvents.Stats stats;
    synchronized (tickLock) {
      stats = metrics.sample();
      // Pushed under the lock: a reset's notice and the stats after it keep their order.
      dialogue.trigger(DASHBOARD_ROOM, STATS, stats);
    }
    synchronized (recent) {
      recent.put(stats.seq(), stats);
      if (recent.size() > RECENT) {
        recent.remove(recent.keySet().iterator().next());
      }
    }
    latest = stats;
  }

  /** A few simulated people talk in the lobby, so that the talkers and rates move. */
  private void chatter() {
    List<String> bots = List.of("ada", "grace", "linus", "ken", "barbara");
    int lines = feed.nextInt(4);
    for (int i = 0; i < lines; i++) {
      String bot = bots.get(Math.min(feed.nextInt(bots.size()), feed.nextInt(bots.size())));
      dialogue.trigger(
          LOBBY_ROOM, CHAT.name(), new DashboardEvents.Chat("status ok"), "bot:" + bot);
    }
  }

  /** The port it listens on. */
  public int port() {
    return dialogue.port();
  }

  /** The page to open. */
  public String url() {
    String host = options.host();
    if (host.equals("0.0.0.0") || host.equals("::")) {
      host = "localhost";
    }
    return "http://" + host + ":" + port() + "/";
  }

  /** The page with an admin token: the reset button appears. */
  public String adminUrl() {
    return url() + "#token=" + tokens.admin();
  }

  /** A fresh admin token. */
  public String adminToken() {
    return tokens.admin();
  }

  /** A token for {@code user} with {@code role}, for tests. */
  String token(String user, String role) {
    return tokens.mint(user, role, Tokens.VIEWER_LIFETIME);
  }

  /** The embedded Dialogue server. */
  public Dialogue dialogue() {
    return dialogue;
  }

  /** The last snapshot pushed, or null before the first tick. */
  public DashboardEvents.Stats latest() {
    return latest;
  }

  /** A recent snapshot by its number, or null if it is older than the last {@value #RECENT}. */
  public DashboardEvents.Stats snapshot(long seq) {
    synchronized (recent) {
      return recent.get(seq);
    }
  }

  @Override
  public void close() {
    ticker.shutdownNow();
    try {
      ticker.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    dialogue.close();
  }

  public static void main(String[] args) {
    DashboardOptions options =
        CommandLine.parseOrExit(args, DashboardOptions::parse, DashboardOptions.USAGE);
    if (options.help()) {
      System.out.println(DashboardOptions.USAGE);
      return;
    }
    DashboardServer server = start(options);
    CommandLine.serving(
        server,
        "dashboard",
        server.port(),
        "Dialogue live dashboard is running: open " + server.url(),
        "Admin view (can reset the counters): " + server.adminUrl());
  }
}
