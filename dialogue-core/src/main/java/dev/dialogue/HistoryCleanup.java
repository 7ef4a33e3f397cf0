package dev.dialogue;

import java.util.List;

/**
 * Receives events that leave in-memory history (the original's {@code onCleanup}): evicted by the
 * per-event limit (oldest first), or everything left when a room is deleted or the server stops.
 * Use it to archive events into a database.
 *
 * <p>Called on a hook-executor thread; what remains when the server stops is handed over on the
 * thread that calls {@link Dialogue#stop()}, which waits for it. A failure is logged with the room
 * and event name and retried up to 3 times; the events are then logged as lost, never silently
 * dropped.
 */
@FunctionalInterface
public interface HistoryCleanup {
  void onCleanup(String roomId, String eventName, List<EventMessage> events) throws Exception;
}
