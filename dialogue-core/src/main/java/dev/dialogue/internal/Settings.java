package dev.dialogue.internal;

import dev.dialogue.Authenticator;
import dev.dialogue.Dialogue;
import dev.dialogue.DialogueListener;
import dev.dialogue.EventDefinition;
import dev.dialogue.EventInterceptor;
import dev.dialogue.HistoryCleanup;
import dev.dialogue.HistoryLoader;
import dev.dialogue.HistoryStore;
import dev.dialogue.JoinPolicy;
import dev.dialogue.RoomConfig;
import dev.dialogue.RoomCreationPolicy;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;
import org.slf4j.Logger;

/** The immutable configuration a {@link Dialogue.Builder} produced. */
public record Settings(
    String host,
    int port,
    String path,
    String namespace,
    List<RoomConfig> rooms,
    Map<String, EventDefinition<?>> globalEvents,
    Authenticator authenticator,
    JoinPolicy joinPolicy,
    RoomCreationPolicy roomCreationPolicy,
    List<EventInterceptor> interceptors,
    List<DialogueListener> listeners,
    HistoryCleanup historyCleanup,
    HistoryLoader historyLoader,
    Set<String> allowedOrigins,
    int maxPayloadBytes,
    int maxMetaBytes,
    Duration pingInterval,
    Duration pingTimeout,
    Duration upgradeTimeout,
    Logger logger,
    Executor executor,
    boolean ownsExecutor,
    Clock clock,
    int historyRequestLimit,
    Duration historyRequestWindow,
    int maxHistoryPage,
    List<EventDefinition<?>> clientRoomEvents,
    boolean clientRoomsAnyEvent,
    int maxRoomsPerConnection,
    int maxClientRooms,
    int maxPendingRequests,
    int maxOutboundPackets,
    long maxOutboundBytes,
    HistorySettings history,
    String browserClientPath,
    boolean nativeTransport,
    Duration maxFlushDelay,
    Duration maxFlushDelayUnderLoad) {

  /**
   * History beyond the per-event limits.
   *
   * @param store durable history with write-through acknowledgements, or null for memory only
   * @param maxEventsInMemory the budget for all rooms' in-memory history together
   * @param maxRecoveryEvents the most missed events a join may recover
   * @param idempotencyWindow how long a {@code clientMessageId} is remembered
   * @param maxIdempotencyKeys how many are remembered at most
   */
  public record HistorySettings(
      HistoryStore store,
      int maxEventsInMemory,
      int maxRecoveryEvents,
      Duration idempotencyWindow,
      int maxIdempotencyKeys) {}

  /** The transport's own frame limit: above ours, so that we can answer PAYLOAD_TOO_LARGE. */
  public int transportFrameLimit() {
    long limit = Math.max(2L * maxPayloadBytes, (long) maxPayloadBytes + 65_536);
    return (int) Math.min(Integer.MAX_VALUE - 1024, limit);
  }
}
