package dev.dialogue;

import java.util.concurrent.Executor;

/**
 * Observes what the server does, for metrics: every method a no-op by default. Register with {@link
 * Dialogue.Builder#observer}; {@code dialogue-micrometer}'s {@code DialogueMetrics} is one. Without
 * an observer the server calls {@link #NONE}, whose methods do nothing, so observing costs nothing
 * unless it is configured.
 *
 * <p><b>Threads.</b> Unlike {@link DialogueListener}, whose methods run on the hook executor, these
 * methods are called synchronously where the thing happens: on Netty event loops (deliveries
 * written, handshakes refused, slow consumers cut off), under a room's lock (events published), and
 * on hook-executor threads (the rest), concurrently from many threads. So an implementation must be
 * thread-safe, quick and non-blocking: count, add to a histogram, return. It must not call back
 * into the server (other than reading {@link Dialogue#stats()}). An exception it throws is caught
 * and logged, and costs the log line each time.
 *
 * <p><b>Tags.</b> The arguments are chosen so that an implementation can tag by them without
 * unbounded cardinality: reasons and codes come from small fixed sets (a disconnect reason is the
 * library's own text, one of a few), the event name comes with whether the application defined it
 * (an undefined name in a room that accepts any event is chosen by a client), and a room id is for
 * the implementation to map to a bounded kind of room, never to use as a tag as it is.
 */
public interface DialogueObserver {
  /** The observer of a server that has none: every method does nothing. */
  DialogueObserver NONE = new DialogueObserver() {};

  /**
   * The server bound its port ({@link Dialogue#start()}), on the starting thread.
   *
   * @param hooks the executor hooks and requests run on (a {@link
   *     java.util.concurrent.ThreadPoolExecutor} unless the application passed its own), for a
   *     gauge of its queue
   */
  default void onStart(Dialogue server, Executor hooks) {}

  /**
   * A connection was announced to its client ({@code dialogue:connected}).
   *
   * @param transport {@code websocket} or {@code polling}: the transport it connected on (a client
   *     that starts on HTTP long-polling and upgrades later counts as {@code polling})
   * @param resumed whether it resumed an earlier connection within the disconnect grace
   */
  default void onConnected(String transport, boolean resumed) {}

  /**
   * A connection ended, with the reason {@link DialogueListener#onDisconnected} gets: the library's
   * text, one of {@code transport close} (the transport closed or timed out), {@code client
   * namespace disconnect}, {@code disconnected by the server} and {@code server shutting down}.
   */
  default void onDisconnected(String reason) {}

  /**
   * A handshake was refused before a connection existed, on a Netty event loop or a hook thread.
   *
   * @param reason {@code unauthenticated} (the authenticator refused it or failed) or {@code
   *     invalid_auth} (a malformed {@code auth} payload)
   */
  default void onHandshakeRefused(String reason) {}

  /** A connection joined a room (also a resumed connection re-joining a room it kept). */
  default void onJoined(String roomId) {}

  /**
   * A connection left a room.
   *
   * @param reason {@code leave} (a leave request or server code) or {@code disconnect} (its
   *     connection ended)
   */
  default void onLeft(String roomId, String reason) {}

  /**
   * A join with {@code since} was answered: whether the events the client missed were recovered.
   */
  default void onRecovery(String roomId, boolean recovered) {}

  /**
   * A client's request was answered with an error: every refusal the client sees (a join refused
   * with {@code JOIN_DENIED} or {@code ROOM_FULL}, a trigger with {@code VALIDATION_FAILED}, a
   * request refused with {@code RATE_LIMITED}, ...).
   *
   * @param request the request's event name if the library knows it ({@code dialogue:join}, {@code
   *     dialogue:trigger}, ...), otherwise {@code other}
   * @param code the {@link ErrorCode}'s name, or the application's own code (a {@link
   *     CommandException}'s), which the application chose
   */
  default void onRefused(String request, String code) {}

  /**
   * An event was published in a room and handed to {@code recipients} connections, under the room's
   * lock.
   *
   * @param defined whether the application defined {@code eventName} (in the room or globally);
   *     otherwise a client chose the name
   */
  default void onPublished(String roomId, String eventName, boolean defined, int recipients) {}

  /**
   * A published event was written to {@code deliveries} WebSocket connections of one event loop, on
   * that loop, {@code nanos} after the room handed it over (the server's own queuing: publish to
   * write, not the network), {@code bytes} in all.
   */
  default void onWritten(long nanos, int deliveries, long bytes) {}

  /**
   * A connection that did not read was disconnected because its outbound queue passed {@link
   * Dialogue.Builder#maxOutboundPackets} or {@link Dialogue.Builder#maxOutboundBytes}, on an event
   * loop.
   */
  default void onSlowConsumer() {}

  /**
   * An application hook ran, on the thread that ran it.
   *
   * @param hook its kind: {@code authenticator}, {@code joinPolicy}, {@code
   *     interceptor.beforeEach}, the other hooks whose answer a client waits for by their builder
   *     name, or a {@link DialogueListener} method ({@code onConnected}, {@code onTriggered}, ...)
   * @param nanos how long it took
   */
  default void onHook(String hook, long nanos) {}
}
