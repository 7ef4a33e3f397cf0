package dev.dialogue;

import java.util.Map;
import java.util.Set;

/**
 * One authenticated client connection (the original's {@code ConnectedClient}). A user may have
 * several (tabs, devices); see {@link Dialogue#clients(String)}.
 *
 * <p>Thread-safe. Methods that change membership have the same effects as the client's own requests
 * (replies to the client, presence, listener calls), except that server-side {@link #join} skips
 * the {@link JoinPolicy}.
 */
public interface ClientConnection {
  /**
   * A fresh, unguessable id for this connection, sent to the client in {@code dialogue:connected}.
   */
  String id();

  String userId();

  /**
   * Without an authenticator: every {@code auth} key except {@code userId} and {@code token}. With
   * one: empty.
   */
  Map<String, Object> meta();

  /** The claims the {@link Authenticator} accepted the connection with; empty without one. */
  Map<String, Object> claims();

  /**
   * Adds the connection to the room from the server side (no join policy), subscribes it to the
   * room's default subscriptions, sends it {@code dialogue:joined} and history, and fires {@code
   * onJoined}. A no-op (nothing is sent) if it is already in the room.
   *
   * @throws DialogueException with {@code ROOM_NOT_FOUND} or {@code ROOM_FULL}
   */
  void join(String roomId);

  /** Removes the connection from the room; returns whether it was in it. */
  boolean leave(String roomId);

  /** Subscribes to an event name (or {@code "*"}) in a room the connection is in. */
  void subscribe(String roomId, String eventName);

  /** Subscribes to every event in a room the connection is in. */
  void subscribeAll(String roomId);

  /** Removes a subscription; does not remove a {@code "*"} subscription. */
  void unsubscribe(String roomId, String eventName);

  /** The ids of the rooms the connection is in. */
  Set<String> rooms();

  /** The connection's subscriptions in a room; empty if it is not in the room. */
  Set<String> subscriptions(String roomId);

  /** Sends an arbitrary named event to this connection only. {@code data} is encoded as JSON. */
  void send(String eventName, Object data);

  /** Whether the connection is still open. */
  boolean connected();

  /** The application's values kept on this connection, cleared once it is closed. */
  Attributes attributes();

  /** Closes the connection from the server side; the client does not reconnect automatically. */
  void disconnect();
}
