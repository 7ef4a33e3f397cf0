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
 * order: connected, then joined/left in request order, then disconnected. Exceptions are caught and
 * logged with the listener's name.
 *
 * <p>Hooks fire only on real changes: joined only when a connection was added to a room, left only
 * when it was in the room.
 */
public interface DialogueListener {
  /** After {@code dialogue:connected} was sent to the client. */
  default void onConnected(ClientConnection client) throws Exception {}

  /** When the connection ended, while {@link ClientConnection#rooms()} still lists its rooms. */
  default void onDisconnected(ClientConnection client, String reason) throws Exception {}

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
