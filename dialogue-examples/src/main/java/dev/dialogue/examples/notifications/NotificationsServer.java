package dev.dialogue.examples.notifications;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.dialogue.ClientConnection;
import dev.dialogue.CommandDefinition;
import dev.dialogue.Decision;
import dev.dialogue.Dialogue;
import dev.dialogue.DialogueListener;
import dev.dialogue.EventDefinition;
import dev.dialogue.HttpHandler;
import dev.dialogue.HttpRequest;
import dev.dialogue.HttpResponse;
import dev.dialogue.Room;
import dev.dialogue.RoomConfig;
import dev.dialogue.TriggerInterceptor;
import dev.dialogue.examples.CommandLine;
import dev.dialogue.examples.notifications.NotificationStore.Notification;
import dev.dialogue.jdbc.JdbcHistoryStore;
import dev.dialogue.jwt.JwtAuthenticator;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Date;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Notifications across devices (docs/examples/notifications.md): every user has a private room
 * {@code n:<userId>} that only they can see and join; every connection of the user (browser tabs,
 * the Java client) is put in it when it connects. A notification, sent by the HTTP endpoint {@code
 * POST /api/notify} (with the API key) or by server code ({@link #notify}), is a durable event in
 * that room, so it reaches every device at once and, through recovery by offset, the devices that
 * were offline when they come back, exactly once. Marking read is a command whose {@code read}
 * event reaches the user's other devices at once.
 *
 * <pre>
 * bin/dialogue-example notifications [--port N] [--host H] [--data DIR] [--api-key KEY]
 * </pre>
 */
public final class NotificationsServer implements AutoCloseable {
  static final String WEB_ROOT = "/dev/dialogue/examples/notifications/web/";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern USER = Pattern.compile("[a-z0-9_.-]{2,32}");
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Duration TOKEN_LIFETIME = Duration.ofDays(7);

  /** A notification as it travels in the user's room. */
  public record NotificationEvent(
      String id, String title, String body, String url, long createdAt, long unread) {}

  /** Notifications marked read: {@code ids}, or every one ({@code all}); the count left. */
  public record ReadEvent(List<String> ids, boolean all, long unread) {}

  static final EventDefinition<NotificationEvent> NOTIFICATION =
      EventDefinition.builder("notification", NotificationEvent.class).history(1_000).build();
  static final EventDefinition<ReadEvent> READ =
      EventDefinition.builder("read", ReadEvent.class).history(1_000).build();

  record ListRequest(@Min(1) Long before, @Min(1) @Max(100) Integer limit) {}

  record ReadRequest(
      @NotNull @Size(min = 1, max = 100) List<@NotBlank @Size(max = 40) String> ids) {}

  record TestRequest(@Size(max = 200) String title) {}

  /** The command line. */
  public record Options(int port, String host, Path dataDir, String apiKey) {
    static final String USAGE =
        """
        usage: bin/dialogue-example notifications [--port N] [--host H] [--data DIR] [--api-key KEY]
          --port N      port to listen on (default 8091; 0 picks a free port)
          --host H      address to bind (default 0.0.0.0)
          --data DIR    where the H2 database and the signing key live (default ./data/notifications)
          --api-key K   the key of POST /api/notify (default: made at first start, kept in DIR)
        Prints the URL and the API key, then "READY <port>" once it serves.\
        """;

    /** Parses the command line; {@link IllegalArgumentException} with a message for the user. */
    public static Options parse(String... args) {
      Optional<Map<String, String>> given =
          CommandLine.parse(args, Set.of("--port", "--host", "--data", "--api-key"));
      if (given.isEmpty()) {
        throw new IllegalArgumentException(USAGE);
      }
      Map<String, String> o = given.get();
      String key = o.get("--api-key");
      if (key != null && key.length() < 16) {
        throw new IllegalArgumentException("--api-key needs at least 16 characters");
      }
      return new Options(
          o.containsKey("--port") ? CommandLine.port(o.get("--port")) : 8091,
          o.getOrDefault("--host", "0.0.0.0"),
          Path.of(o.getOrDefault("--data", Path.of("data", "notifications").toString())),
          key);
    }
  }

  private final HikariDataSource pool;
  private final JdbcHistoryStore history;
  private final NotificationStore store;
  private final Clock clock;
  private final byte[] secret;
  private final String apiKey;
  private volatile Dialogue dialogue;

  private NotificationsServer(
      HikariDataSource pool, JdbcHistoryStore history, byte[] secret, String apiKey, Clock clock) {
    this.pool = pool;
    this.history = history;
    this.store = new NotificationStore(pool);
    this.secret = secret;
    this.apiKey = apiKey;
    this.clock = clock;
  }

  /** Opens the database, starts serving and returns once it does. */
  public static NotificationsServer start(Options options) {
    try {
      Files.createDirectories(options.dataDir());
      byte[] secret = keep(options.dataDir().resolve("secret"), 32);
      String apiKey =
          options.apiKey() != null
              ? options.apiKey()
              : new String(keep(options.dataDir().resolve("api-key"), 24), StandardCharsets.UTF_8);
      HikariConfig config = new HikariConfig();
      config.setJdbcUrl(
          "jdbc:h2:file:"
              + options.dataDir().toAbsolutePath().resolve("notifications")
              + ";DB_CLOSE_ON_EXIT=FALSE");
      config.setMaximumPoolSize(4);
      config.setPoolName("notifications");
      HikariDataSource pool = new HikariDataSource(config);
      JdbcHistoryStore history = JdbcHistoryStore.builder(pool).build();
      NotificationsServer server =
          new NotificationsServer(pool, history, secret, apiKey, Clock.systemUTC());
      try {
        server.serve(options);
      } catch (RuntimeException e) {
        server.close();
        throw e;
      }
      return server;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void serve(Options options) {
    Dialogue.Builder builder =
        Dialogue.builder()
            .host(options.host())
            .port(options.port())
            .historyStore(history)
            .authenticator(JwtAuthenticator.hs256(secret).build())
            .joinPolicy(
                (client, room) ->
                    room.id().equals(roomOf(client.userId()))
                        ? Decision.allow()
                        : Decision.deny("This is someone else's notifications"))
            .roomCreationPolicy(
                (client, requested) -> Decision.deny("Rooms are made by the server"))
            .disconnectGrace(Duration.ofSeconds(10))
            .listener(
                new DialogueListener() {
                  @Override
                  public void onConnected(ClientConnection client) {
                    client.join(open(client.userId()).id());
                  }
                });
    builder.command(
        CommandDefinition.of("notifications.list", ListRequest.class, Object.class),
        (ctx, req) -> list(ctx.sender().userId(), req));
    builder.command(
        CommandDefinition.of("notifications.read", ReadRequest.class, Object.class),
        (ctx, req) -> markRead(ctx.sender().userId(), req.ids()));
    builder.command(
        CommandDefinition.of("notifications.readAll", Void.class, Object.class),
        (ctx, req) -> markAllRead(ctx.sender().userId()));
    builder.command(
        CommandDefinition.of("notifications.test", TestRequest.class, Object.class),
        (ctx, req) ->
            notify(
                    ctx.sender().userId(),
                    req == null || req.title() == null || req.title().isBlank()
                        ? "Test notification"
                        : req.title(),
                    "Sent from the page with notifications.test",
                    null)
                .toJson());
    builder.http("/api/signin", 4096, this::signIn);
    builder.http("/api/notify", 16_384, this::httpNotify);
    builder.http("/api/", r -> error(404, "NOT_FOUND", "No such endpoint: " + r.path()));
    builder.http("/", HttpHandler.resources(WEB_ROOT));
    dialogue = builder.build().start();
    for (String userId : store.users()) {
      open(userId); // the rooms keep their epoch and offsets across a restart
    }
  }

  static String roomOf(String userId) {
    return "n:" + userId;
  }

  /** The user's room, created the first time. */
  private synchronized Room open(String userId) {
    String id = roomOf(userId);
    return dialogue
        .room(id)
        .orElseGet(
            () ->
                dialogue.createRoom(
                    RoomConfig.builder(id, "Notifications")
                        .events(NOTIFICATION, READ)
                        .defaultSubscriptions(EventDefinition.ANY)
                        .visibleTo((client, room) -> room.id().equals(roomOf(client.userId())))
                        .intercept(NOTIFICATION, TriggerInterceptor.serverOnly())
                        .intercept(READ, TriggerInterceptor.serverOnly())
                        .build()));
  }

  /**
   * Sends a notification to every device of {@code userId}, now and, for devices that are offline,
   * when they reconnect. The server-side call of the example; {@code POST /api/notify} uses it.
   *
   * @param body optional text, {@code url} an optional link
   */
  public Notification notify(String userId, String title, String body, String url) {
    if (userId == null || !USER.matcher(userId).matches()) {
      throw new IllegalArgumentException("userId must be 2 to 32 of [a-z0-9_.-]");
    }
    Notification n = new Notification(newId(), userId, title, body, url, clock.millis(), 0);
    store.add(n);
    open(userId)
        .trigger(
            NOTIFICATION.name(),
            new NotificationEvent(
                n.id(), n.title(), n.body(), n.url(), n.createdAt(), store.unread(userId)));
    return n;
  }

  private Map<String, Object> list(String userId, ListRequest req) {
    long before = req == null || req.before() == null ? Long.MAX_VALUE : req.before();
    int limit = req == null || req.limit() == null ? 50 : req.limit();
    Map<String, Object> out = new LinkedHashMap<>();
    out.put(
        "notifications",
        store.page(userId, before, limit).stream().map(Notification::toJson).toList());
    out.put("unread", store.unread(userId));
    return out;
  }

  private Map<String, Object> markRead(String userId, List<String> ids) {
    List<String> changed = store.markRead(userId, ids, clock.millis());
    long unread = store.unread(userId);
    if (!changed.isEmpty()) {
      open(userId).trigger(READ.name(), new ReadEvent(changed, false, unread));
    }
    return Map.of("read", changed, "unread", unread);
  }

  private Map<String, Object> markAllRead(String userId) {
    int changed = store.markAllRead(userId, clock.millis());
    if (changed > 0) {
      open(userId).trigger(READ.name(), new ReadEvent(List.of(), true, 0));
    }
    return Map.of("marked", changed, "unread", store.unread(userId));
  }

  // ---- HTTP

  private HttpResponse signIn(HttpRequest request) {
    if (!request.method().equals("POST")) {
      return error(405, "METHOD_NOT_ALLOWED", "Use POST");
    }
    JsonNode body = jsonBody(request);
    String user = body == null ? null : body.path("userId").asText(null);
    if (user == null || !USER.matcher(user).matches()) {
      return error(400, "BAD_USER", "userId must be 2 to 32 of a-z, 0-9, '_', '.', '-'");
    }
    return json(200, Map.of("token", token(user), "userId", user));
  }

  private HttpResponse httpNotify(HttpRequest request) {
    if (!request.method().equals("POST")) {
      return error(405, "METHOD_NOT_ALLOWED", "Use POST");
    }
    String key = request.header("x-api-key").orElse("");
    if (!MessageDigest.isEqual(
        key.getBytes(StandardCharsets.UTF_8), apiKey.getBytes(StandardCharsets.UTF_8))) {
      return error(401, "BAD_API_KEY", "The X-Api-Key header is missing or wrong");
    }
    JsonNode body = jsonBody(request);
    if (body == null || !body.isObject()) {
      return error(
          400, "BAD_REQUEST", "The body must be a JSON object {userId, title, body?, url?}");
    }
    String user = text(body, "userId");
    String title = text(body, "title");
    String text = text(body, "body");
    String url = text(body, "url");
    if (user == null || !USER.matcher(user).matches()) {
      return error(400, "BAD_REQUEST", "userId must be 2 to 32 of a-z, 0-9, '_', '.', '-'");
    }
    if (title == null || title.isBlank() || title.length() > 200) {
      return error(400, "BAD_REQUEST", "title is required, at most 200 characters");
    }
    if (text != null && text.length() > 2000) {
      return error(400, "BAD_REQUEST", "body is at most 2000 characters");
    }
    if (url != null
        && (url.length() > 2000 || !(url.startsWith("https://") || url.startsWith("http://")))) {
      return error(400, "BAD_REQUEST", "url must be an http(s) address of at most 2000 characters");
    }
    Notification n = notify(user, title.strip(), text, url);
    return json(202, Map.of("id", n.id(), "userId", user));
  }

  private static String text(JsonNode body, String field) {
    JsonNode value = body.get(field);
    return value != null && value.isTextual() ? value.asText() : null;
  }

  private static JsonNode jsonBody(HttpRequest request) {
    try {
      return JSON.readTree(request.body());
    } catch (IOException e) {
      return null;
    }
  }

  private static HttpResponse error(int status, String code, String message) {
    return json(status, Map.of("error", code, "message", message));
  }

  private static HttpResponse json(int status, Object body) {
    try {
      return HttpResponse.json(status, JSON.writeValueAsString(body))
          .withHeader("Cache-Control", "no-store");
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private String token(String userId) {
    long now = clock.millis();
    JWTClaimsSet claims =
        new JWTClaimsSet.Builder()
            .subject(userId)
            .issueTime(new Date(now))
            .expirationTime(new Date(now + TOKEN_LIFETIME.toMillis()))
            .build();
    SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
    try {
      jwt.sign(new MACSigner(secret));
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
    return jwt.serialize();
  }

  /** Random bytes kept in {@code file} (URL-safe Base64 text), made the first time. */
  private static byte[] keep(Path file, int bytes) throws IOException {
    if (!Files.exists(file)) {
      byte[] random = new byte[bytes];
      RANDOM.nextBytes(random);
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      Files.writeString(tmp, Base64.getUrlEncoder().withoutPadding().encodeToString(random));
      Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }
    String text = Files.readString(file).trim();
    return file.getFileName().toString().equals("secret")
        ? Base64.getUrlDecoder().decode(text)
        : text.getBytes(StandardCharsets.UTF_8);
  }

  private static String newId() {
    byte[] id = new byte[12];
    RANDOM.nextBytes(id);
    return HexFormat.of().formatHex(id);
  }

  /** A token for {@code userId}, as the sign-in endpoint makes it (for tests and tools). */
  public String tokenFor(String userId) {
    return token(userId);
  }

  /** The API key of {@code POST /api/notify}. */
  public String apiKey() {
    return apiKey;
  }

  public int port() {
    return dialogue.port();
  }

  public String url() {
    return "http://localhost:" + port() + "/";
  }

  public Dialogue dialogue() {
    return dialogue;
  }

  @Override
  public void close() {
    try {
      if (dialogue != null) {
        dialogue.close();
      }
    } finally {
      history.close();
      pool.close();
    }
  }

  public static void main(String[] args) {
    Options options;
    try {
      options = Options.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.exit(e.getMessage().startsWith("usage:") ? 0 : 2);
      return;
    }
    NotificationsServer server = start(options);
    CommandLine.serving(
        server,
        "notifications",
        server.port(),
        "Dialogue notifications is running: open " + server.url(),
        "Send one: curl -X POST -H 'X-Api-Key: "
            + server.apiKey()
            + "' -H 'Content-Type: application/json' -d '{\"userId\":\"alice\",\"title\":\"Hello\"}' "
            + server.url()
            + "api/notify");
  }
}
