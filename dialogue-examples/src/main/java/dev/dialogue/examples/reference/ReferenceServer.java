package dev.dialogue.examples.reference;

import dev.dialogue.ClientConnection;
import dev.dialogue.CommandDefinition;
import dev.dialogue.CommandException;
import dev.dialogue.CommandHandler;
import dev.dialogue.Decision;
import dev.dialogue.Dialogue;
import dev.dialogue.EventDefinition;
import dev.dialogue.HistoryStore;
import dev.dialogue.JoinPolicy;
import dev.dialogue.RoomConfig;
import dev.dialogue.RoomVisibilityPolicy;
import dev.dialogue.jdbc.JdbcHistoryStore;
import dev.dialogue.jwt.JwtAuthenticator;
import dev.dialogue.micrometer.DialogueMetrics;
import dev.dialogue.micrometer.HttpAccess;
import dev.dialogue.micrometer.Operations;
import dev.dialogue.micrometer.PrometheusEndpoint;
import dev.dialogue.redis.RedisBroker;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.io.PrintStream;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * The reference server: a fixed configuration that conformance suites and benchmarks run against
 * (see "The reference server" in the design). Start it with {@code bin/dialogue-example reference
 * [--port N] [--host H] [--jwt-secret S] [--history-db URL] [--redis URI] [--metrics]}; it prints
 * {@code READY <port>} on standard output once it accepts connections and stops cleanly on SIGTERM
 * or SIGINT. Everything else it says goes to standard error.
 *
 * <ul>
 *   <li>{@code chat} "Chat": {@code message} ({@code text} not blank, at most 2000 characters;
 *       history 100) and {@code typing} ({@code isTyping} required boolean; no history); default
 *       subscription {@code message}; the newest 50 events on join; presence.
 *   <li>{@code tiny} "Tiny": one connection at most; any event.
 *   <li>{@code secret} "Secret": any event; only role {@code admin} may join, others get {@code
 *       JOIN_DENIED "admins only"}.
 *   <li>{@code lobby} "Lobby": any event; everyone is subscribed to everything.
 *   <li>{@code vault} "Vault": any event; private, it exists only for role {@code admin}: for
 *       everyone else it is absent from {@code listRooms} and any request naming it is answered as
 *       for a room that does not exist ({@code ROOM_NOT_FOUND "Room 'vault' does not exist"}).
 *   <li>the global command {@code sum} ({@code {a: int, b: int}}, both required): answers {@code
 *       {sum: a + b}}; refuses with the application error {@code NEGATIVE} when either is negative.
 * </ul>
 *
 * <p>Operations: {@code /health} and {@code /ready} (JSON; ready checks the history store with
 * {@code --history-db}) always; with {@code --metrics}, {@code /metrics} in Prometheus text, with
 * no access check, the library's meters under {@code dialogue_} and the JVM's.
 *
 * <p>Identity: without {@code --jwt-secret}, development mode ({@code auth.userId}, role from
 * {@code auth.role}). With it, an HS256 JWT in {@code auth.token} (or an {@code Authorization:
 * Bearer} header) checked by {@link JwtAuthenticator}: user id from {@code sub}, role from the
 * {@code role} claim; {@code exp} and {@code nbf} are checked when present. Anything else is
 * refused.
 */
public final class ReferenceServer {
  /** A chat message. */
  public record Message(@NotBlank @Size(max = 2000) String text) {}

  /** A typing indicator. */
  public record Typing(@NotNull Boolean isTyping) {}

  public static final EventDefinition<Message> MESSAGE =
      EventDefinition.builder("message", Message.class)
          .description("A chat message")
          .history(100)
          .build();
  public static final EventDefinition<Typing> TYPING =
      EventDefinition.builder("typing", Typing.class).description("Typing indicator").build();

  /** The request of {@link #SUM}: both numbers required ({@code Integer}, so absent is null). */
  public record Addends(@NotNull Integer a, @NotNull Integer b) {}

  /** The result of {@link #SUM}. */
  public record Total(long sum) {}

  public static final CommandDefinition<Addends, Total> SUM =
      CommandDefinition.builder("sum", Addends.class, Total.class)
          .description("Adds two non-negative integers")
          .build();

  /** The application error code of {@link #SUM} for a negative addend. */
  static final String NEGATIVE = "NEGATIVE";

  static final String ADMIN_ROLE = "admin";
  static final int EXIT_USAGE = 2;
  static final int EXIT_START_FAILED = 1;

  private ReferenceServer() {}

  public static void main(String[] args) {
    Options options;
    try {
      options = Options.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("reference: " + e.getMessage());
      System.err.println(Options.USAGE);
      System.exit(EXIT_USAGE);
      return;
    }
    if (options.help()) {
      System.out.println(Options.USAGE);
      return;
    }
    Dialogue dialogue;
    try {
      dialogue = start(options);
    } catch (Exception e) { // also checked exceptions that netty throws undeclared
      System.err.println("reference: cannot start: " + describe(e));
      System.exit(EXIT_START_FAILED);
      return;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  dialogue.stop();
                  stopped.countDown();
                },
                "reference-shutdown"));
    announce(System.err, options, dialogue.port());
    System.out.println("READY " + dialogue.port());
    System.out.flush();
    awaitUninterruptibly(stopped);
  }

  /**
   * Starts the reference server with command-line {@code args} and returns it running; the caller
   * stops it. Prints nothing.
   *
   * @throws IllegalArgumentException if {@code args} are not valid options (the message says why)
   * @throws IllegalStateException if the port cannot be bound
   */
  public static Dialogue start(String... args) {
    Options options = Options.parse(args);
    if (options.help()) {
      throw new IllegalArgumentException("--help does not start a server");
    }
    return start(options);
  }

  static Dialogue start(Options options) {
    Dialogue dialogue = builder(options).build();
    try {
      return dialogue.start();
    } catch (Exception e) {
      dialogue.stop();
      throw e;
    }
  }

  /** The reference configuration; everything not listed stays at the library's defaults. */
  static Dialogue.Builder builder(Options options) {
    boolean jwt = options.jwtSecret() != null;
    Dialogue.Builder builder =
        Dialogue.builder()
            .host(options.host())
            .port(options.port())
            .room(
                RoomConfig.builder("chat", "Chat")
                    .events(MESSAGE, TYPING)
                    .defaultSubscriptions(MESSAGE.name())
                    .syncHistoryOnJoin(50)
                    .presence(true)
                    .build(),
                RoomConfig.builder("tiny", "Tiny").anyEvent().maxSize(1).build(),
                RoomConfig.builder("secret", "Secret").anyEvent().build(),
                RoomConfig.builder("lobby", "Lobby")
                    .anyEvent()
                    .defaultSubscriptions(EventDefinition.ANY)
                    .build(),
                RoomConfig.builder("vault", "Vault").anyEvent().visibleTo(adminsOnly(jwt)).build())
            .joinPolicy(secretForAdmins(jwt))
            .command(SUM, sum());
    if (jwt) {
      // External suites often sign tokens without "exp"; an "exp" that is present is still checked.
      builder.authenticator(
          JwtAuthenticator.hs256(options.jwtSecret()).requireExpiry(false).build());
    }
    Operations.Builder operations = Operations.builder();
    DialogueMetrics metrics = null;
    if (options.metrics()) {
      metrics = DialogueMetrics.builder().rooms("chat", "tiny", "secret", "lobby", "vault").build();
      PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      metrics.bindTo(registry);
      new JvmMemoryMetrics().bindTo(registry);
      new JvmThreadMetrics().bindTo(registry);
      new ProcessorMetrics().bindTo(registry);
      builder
          .observer(metrics)
          .http("/metrics", PrometheusEndpoint.handler(registry, HttpAccess.anyone()));
    }
    if (options.historyDb() != null) {
      JdbcHistoryStore.Builder jdbc = JdbcHistoryStore.builder(options.historyDb());
      if (metrics != null) {
        jdbc.commitListener(metrics::onHistoryCommit);
      }
      HistoryStore store = jdbc.build();
      operations.historyStore(store);
      builder.historyStore(metrics == null ? store : metrics.monitor(store));
    }
    if (options.redis() != null) {
      RedisBroker redis = RedisBroker.create(options.redis());
      builder.broker(redis);
      operations.readinessCheck("redis", redis::reachable);
    }
    // /health and /ready, always: external checks and load balancers read them.
    return operations.build().install(builder);
  }

  /** Room {@code secret} admits role {@code admin} only; every other room admits everyone. */
  static JoinPolicy secretForAdmins(boolean jwt) {
    return (client, room) -> {
      if (!room.id().equals("secret") || ADMIN_ROLE.equals(role(client, jwt))) {
        return Decision.allow();
      }
      return Decision.deny("admins only");
    };
  }

  /** {@code {sum: a + b}}, or {@code NEGATIVE} with the addends as data. */
  static CommandHandler<Addends, Total> sum() {
    return (context, request) -> {
      if (request.a() < 0 || request.b() < 0) {
        throw new CommandException(
            NEGATIVE, "a and b must not be negative", Map.of("a", request.a(), "b", request.b()));
      }
      return new Total((long) request.a() + request.b());
    };
  }

  /** Room {@code vault} exists only for role {@code admin}. */
  static RoomVisibilityPolicy adminsOnly(boolean jwt) {
    return (client, room) -> ADMIN_ROLE.equals(role(client, jwt));
  }

  /** The role from the token's claims in JWT mode, else from {@code auth.role}. */
  static Object role(ClientConnection client, boolean jwt) {
    Map<String, Object> source = jwt ? client.claims() : client.meta();
    return source.get("role");
  }

  private static void announce(PrintStream err, Options options, int port) {
    err.println(
        "reference: listening on "
            + options.host()
            + ":"
            + port
            + " ("
            + (options.jwtSecret() == null
                ? "development mode: auth.userId and auth.role trusted"
                : "HS256 JWT required")
            + ")");
  }

  /** The message and its causes' messages: "cannot bind 0.0.0.0:3000: Address already in use". */
  private static String describe(Throwable e) {
    StringBuilder text = new StringBuilder(String.valueOf(e.getMessage()));
    for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
      if (cause.getMessage() != null && !text.toString().contains(cause.getMessage())) {
        text.append(": ").append(cause.getMessage());
      }
    }
    return text.toString();
  }

  private static void awaitUninterruptibly(CountDownLatch latch) {
    while (true) {
      try {
        latch.await();
        return;
      } catch (InterruptedException e) {
        // Only the shutdown hook ends the server.
      }
    }
  }
}
