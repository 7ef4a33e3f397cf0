package dev.dialogue;

/**
 * Sees every event before and after delivery (the original's {@code beforeEach}/{@code afterEach}),
 * from clients and from server code alike.
 *
 * <p>{@link #beforeEach} runs after the allow check, validation and envelope creation; it may
 * rewrite the message or reject it. The event name and room of a rewritten message are kept from
 * the original, since routing and history are decided by them. {@link #afterEach} runs after
 * delivery, history and server-side handlers.
 *
 * <p>Both run on the thread that runs the trigger: a hook-executor thread for client triggers, the
 * caller's thread for server-side triggers; {@code afterEach} of an event that waits for a {@link
 * HistoryStore} runs once it is committed and delivered, on a hook-executor thread, in the room's
 * offset order. An exception in {@code beforeEach} stops the event and the client gets {@code
 * INTERNAL_ERROR}; one in {@code afterEach} is logged.
 */
@FunctionalInterface
public interface EventInterceptor {
  EventDecision beforeEach(Room room, EventMessage message) throws Exception;

  /** Called after delivery with the number of connections the event reached. */
  default void afterEach(Room room, EventMessage message, int recipientCount) throws Exception {}
}
