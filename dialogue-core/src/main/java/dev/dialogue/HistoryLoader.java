package dev.dialogue;

import java.util.List;

/**
 * Supplies history beyond what memory holds (the original's {@code onLoad}). Indices count newest
 * first and continue after the in-memory events: with 2 events in memory, a request for {@code [0,
 * 5)} asks the loader for {@code [0, 3)}. {@code end} is exclusive.
 *
 * <p>Called on the thread that reads history (a hook-executor thread for client requests). A
 * failure is logged and the in-memory part is returned alone.
 */
@FunctionalInterface
public interface HistoryLoader {
  List<EventMessage> onLoad(String roomId, String eventName, int start, int end) throws Exception;
}
