package dev.dialogue;

/**
 * A server-side handler for one event name in one room, registered with {@link Room#on} or {@link
 * Dialogue#on}.
 *
 * <p>Called after the event has been delivered to subscribers and stored in history, on the thread
 * that ran the trigger: a hook-executor thread for client triggers, the caller's thread for
 * server-side triggers. For an event that waits for a {@link HistoryStore}, once the store has
 * committed it and the room has delivered it: on a hook-executor thread, one event at a time per
 * room, in offset order. Exceptions are caught and logged.
 *
 * @param <T> the payload type of the event definition
 */
@FunctionalInterface
public interface EventHandler<T> {
  void onEvent(T data, EventMessage message) throws Exception;
}
