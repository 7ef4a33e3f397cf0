package dev.dialogue;

/**
 * Lifecycle notifications, every method a no-op by default (like OkHttp's {@code EventListener}).
 * Register as many as needed with {@link Dialogue.Builder#listener}.
 *
 * <p>Never called on a network thread. What a client caused (connecting, its requests, its
 * disconnect) is reported on a hook-executor thread, where blocking delays that connection's next
 * request; what server code caused ({@link Dialogue#createRoom}, {@link Room#trigger}, {@link
 * ClientConnection#join}, ...) is reported on the calling thread; {@link #onRoomCreated} for
 * configured rooms runs in {@link Dialogue.Builder#build()}. For one connection the calls come in
 * order: connected, then joined/left in request order, then disconnected (with a disconnect grace,
 * dropped and resumed may come between, and gone before disconnected). Exceptions are caught and
 * logged with the listener's name.
 *
 * <p>Hooks fire only on real changes: joined only when a connection was added to a room, left only
 * when it was in the room.
 */
public interface DialogueListener {
  /** After {@code dialogue:connected} was sent to the client. */
  default void onConnected(ClientConnection client) throws Exception {}

  /**
   * When the connection ended, while {@link ClientConnection#rooms()} still lists its rooms. With a
   * {@linkplain Dialogue.Builder#disconnectGrace disconnect grace}, a connection that dropped ends
   * only when the grace is over (after {@link #onGone}); an explicit disconnect, by the client or
   * by {@link ClientConnection#disconnect()}, ends it at once.
   */
  default void onDisconnected(ClientConnection client, String reason) throws Exception {}

  /**
   * With a {@linkplain Dialogue.Builder#disconnectGrace disconnect grace}: the connection's
   * transport dropped (closed, or its heartbeat timed out) and its client may come back within the
   * grace. It keeps its rooms, its seats and its presence meanwhile; events for it are not sent
   * (its client recovers them when it re-joins). Next comes {@link #onResumed} or {@link #onGone}.
   */
  default void onDropped(ClientConnection client, String reason) throws Exception {}

  /**
   * The client came back with its resumption token, as the same user: the connection is the same
   * object, with the same id, rooms, subscriptions and presence, and nobody saw it leave. Comes
   * after {@link #onDropped}, or alone when the client noticed the drop before the server did.
   */
  default void onResumed(ClientConnection client) throws Exception {}

  /**
   * A dropped connection did not come back within the grace (or was ended meanwhile): it ends now,
   * and {@link #onDisconnected} and {@link #onLeft} for each of its rooms follow.
   */
  default void onGone(ClientConnection client) throws Exception {}

  /**
   * After the client was added to the room and {@code dialogue:joined} was sent; before history.
   */
  default void onJoined(ClientConnection client, Room room) throws Exception {}

  /** After the client left the room: on request, by server code, on disconnect or room deletion. */
  default void onLeft(ClientConnection client, Room room) throws Exception {}

  /** After a room was created, by configuration, server code or a client. */
  default void onRoomCreated(Room room) throws Exception {}

  /** After a room was deleted and every participant removed from it. */
  default void onRoomDeleted(Room room) throws Exception {}

  /**
   * After an event was delivered and stored, on the thread that ran the trigger (for an event that
   * waits for a {@link HistoryStore}: once committed and delivered, on a hook-executor thread, in
   * the room's offset order).
   */
  default void onTriggered(Room room, EventMessage message) throws Exception {}
}
