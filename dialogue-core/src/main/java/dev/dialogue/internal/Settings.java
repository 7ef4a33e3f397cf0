package dev.dialogue.internal;

import dev.dialogue.Authenticator;
import dev.dialogue.Dialogue;
import dev.dialogue.DialogueListener;
import dev.dialogue.DialogueObserver;
import dev.dialogue.EventDefinition;
import dev.dialogue.EventInterceptor;
import dev.dialogue.HistoryCleanup;
import dev.dialogue.HistoryLoader;
import dev.dialogue.HistoryStore;
import dev.dialogue.HttpHandler;
import dev.dialogue.JoinPolicy;
import dev.dialogue.RateLimits;
import dev.dialogue.RoomConfig;
import dev.dialogue.RoomCreationPolicy;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;
import org.slf4j.Logger;

/**
 * The immutable configuration a {@link Dialogue.Builder} produced, grouped by concern: each part of
 * the server takes the groups it uses, not the whole.
 */
public record Settings(
    RuntimeSettings runtime,
    TransportSettings transport,
    LimitSettings limits,
    HookSettings hooks,
    RoomSettings rooms,
    HistorySettings history,
    LifecycleSettings lifecycle) {

  /**
   * What every part shares.
   *
   * @param executor where hooks and handlers run
   * @param ownsExecutor whether the server made {@code executor} (and shuts it down)
   * @param observer the application's observers as one ({@link DialogueObserver#NONE} without)
   */
  public record RuntimeSettings(
      Logger logger,
      Executor executor,
      boolean ownsExecutor,
      Clock clock,
      DialogueObserver observer) {}

  /**
   * The Socket.IO endpoint and what bounds each connection's traffic (the transport's concern).
   *
   * @param maxPayloadBytes the largest request a client may send
   * @param maxPendingRequests a connection's requests waiting for its serial executor, at most
   * @param maxOutboundPackets a connection's unwritten packets, at most
   * @param maxOutboundBytes a connection's unwritten bytes, at most
   */
  public record TransportSettings(
      String host,
      int port,
      String path,
      String namespace,
      Set<String> allowedOrigins,
      Duration pingInterval,
      Duration pingTimeout,
      Duration upgradeTimeout,
      String browserClientPath,
      boolean nativeTransport,
      Duration maxFlushDelay,
      Duration maxFlushDelayUnderLoad,
      int maxPayloadBytes,
      int maxPendingRequests,
      int maxOutboundPackets,
      long maxOutboundBytes,
      List<HttpRoute> httpRoutes) {

    /** The transport's own frame limit: above ours, so that we can answer PAYLOAD_TOO_LARGE. */
    public int frameLimit() {
      long limit = Math.max(2L * maxPayloadBytes, (long) maxPayloadBytes + 65_536);
      return (int) Math.min(Integer.MAX_VALUE - 1024, limit);
    }
  }

  /**
   * An application's HTTP route ({@code Dialogue.Builder.http}): requests whose path is {@code
   * prefix}, or starts with it where it ends with {@code /}, go to {@code handler}, bodies of at
   * most {@code maxRequestBytes}.
   */
  public record HttpRoute(String prefix, long maxRequestBytes, HttpHandler handler) {
    /** Whether this route serves {@code path}. */
    public boolean matches(String path) {
      return prefix.endsWith("/")
          ? path.startsWith(prefix) || path.equals(prefix.substring(0, prefix.length() - 1))
          : path.equals(prefix) || path.startsWith(prefix + "/");
    }

    /** What follows the prefix in {@code path}, without a leading slash. */
    public String subpath(String path) {
      String rest = path.length() <= prefix.length() ? "" : path.substring(prefix.length());
      return rest.startsWith("/") ? rest.substring(1) : rest;
    }
  }

  /**
   * What bounds the engine's work for one client.
   *
   * @param rateLimits the rate limits by scope (docs/limits.md)
   * @param maxConnectionsPerUser {@link Integer#MAX_VALUE} when unlimited
   * @param maxRoomsPerUser {@link Integer#MAX_VALUE} when unlimited
   */
  public record LimitSettings(
      int maxMetaBytes,
      int historyRequestLimit,
      Duration historyRequestWindow,
      int maxHistoryPage,
      int maxRoomsPerConnection,
      int maxClientRooms,
      RateLimits rateLimits,
      int maxConnectionsPerUser,
      int maxRoomsPerUser) {}

  /**
   * The application's hooks; null where none is set.
   *
   * @param commands the global commands by name, each with its handler
   */
  public record HookSettings(
      Authenticator authenticator,
      JoinPolicy joinPolicy,
      RoomCreationPolicy roomCreationPolicy,
      List<EventInterceptor> interceptors,
      List<DialogueListener> listeners,
      HistoryCleanup historyCleanup,
      HistoryLoader historyLoader,
      Map<String, CommandRoute<?, ?>> commands) {}

  /**
   * The rooms and events the application declared.
   *
   * @param configured the rooms that exist from the start
   * @param clientRoomEvents the events a room created by a client allows, when not any
   * @param clientRoomsAnyEvent whether a room created by a client allows any event
   */
  public record RoomSettings(
      List<RoomConfig> configured,
      Map<String, EventDefinition<?>> globalEvents,
      List<EventDefinition<?>> clientRoomEvents,
      boolean clientRoomsAnyEvent) {}

  /**
   * History beyond the per-event limits.
   *
   * @param store durable history with write-through acknowledgements, or null for memory only
   * @param maxEventsInMemory the budget for all rooms' in-memory history together
   * @param maxRecoveryEvents the most missed events a join may recover
   * @param idempotencyWindow how long a {@code clientMessageId} is remembered
   * @param maxIdempotencyKeys how many are remembered at most
   * @param broker the shared broker several nodes publish through, or null for this process alone
   */
  public record HistorySettings(
      HistoryStore store,
      int maxEventsInMemory,
      int maxRecoveryEvents,
      Duration idempotencyWindow,
      int maxIdempotencyKeys,
      dev.dialogue.BrokerProvider broker) {}

  /**
   * How long things outlive their use (docs/lifecycle.md).
   *
   * @param disconnectGrace how long a dropped connection keeps its rooms and presence, waiting to
   *     be resumed; {@link Duration#ZERO} ends it at once
   * @param clientRoomDisposal how long a room created by a client may stay empty before it is
   *     deleted, unless its configuration says otherwise; null keeps it until deleted
   */
  public record LifecycleSettings(Duration disconnectGrace, Duration clientRoomDisposal) {
    /** Whether dropped connections wait for their client. */
    public boolean graceOn() {
      return !disconnectGrace.isZero();
    }
  }
}
