package dev.dialogue;

/**
 * The error codes of the Dialogue protocol, sent to clients as {@code dialogue:error {code,
 * message}} or as {@code {ok: false, error: {code, message}}} in an acknowledgement.
 *
 * <p>The first nine are the original library's; the rest are additions documented in {@code
 * docs/protocol.md}.
 */
public enum ErrorCode {
  /** The room does not exist. */
  ROOM_NOT_FOUND,
  /** The join policy refused the join; the message is the policy's reason. */
  JOIN_DENIED,
  /** The room has reached its {@code maxSize}. */
  ROOM_FULL,
  /** The event is not allowed in the room. */
  EVENT_NOT_ALLOWED,
  /** The payload failed validation; the message names every field path and rule. */
  VALIDATION_FAILED,
  /**
   * A rate limit was exceeded ({@link RateLimits}, the history request window) or too many requests
   * wait for an answer. The error carries {@code retryAfterMs} where the wait is known.
   */
  RATE_LIMITED,
  /** A request was malformed: a field is missing or has the wrong type. The message names it. */
  INVALID_REQUEST,
  /** A room with that id already exists. */
  ROOM_EXISTS,
  /** The caller may not do this (delete a room it did not create, create a room, ...). */
  PERMISSION_DENIED,
  /** The connection must join the room first. */
  NOT_IN_ROOM,
  /** An {@link EventInterceptor} rejected the event; the message is its reason. */
  EVENT_REJECTED,
  /** The inbound frame, or a trigger's {@code meta}, is larger than the configured limit. */
  PAYLOAD_TOO_LARGE,
  /** A server hook failed. Details are only in the server log. */
  INTERNAL_ERROR,
  /**
   * A system the server depends on did not answer in time (the shared broker of a scale-out
   * cluster, such as Redis): nothing was published; the request may be retried.
   */
  UNAVAILABLE,
  /**
   * A {@code dialogue:request} named a command the server (or, with a {@code roomId}, the room)
   * does not define.
   */
  COMMAND_NOT_FOUND,
  /**
   * The user already has {@link Dialogue.Builder#maxConnectionsPerUser} connections: sent in the
   * {@code connect_error} that refuses another.
   */
  TOO_MANY_CONNECTIONS,
  /** The user is already in {@link Dialogue.Builder#maxRoomsPerUser} rooms: a join is refused. */
  TOO_MANY_ROOMS
}
