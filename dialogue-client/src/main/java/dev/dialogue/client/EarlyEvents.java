package dev.dialogue.client;

import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A room's events that arrived before any handler would take them: kept, up to {@link
 * ClientRoom#MAX_KEPT}, for the first handler registered for them, which gets them before later
 * events. Once a name (or any name) has had a handler, its events are no longer kept. Past the
 * bound the oldest is dropped, and the first drop since the room kept nothing is handed back so
 * that the room reports it.
 *
 * <p>The client's ordered executor's only.
 */
final class EarlyEvents {
  private final ArrayDeque<EventMessage> kept = new ArrayDeque<>();
  private final Set<String> claimed = new HashSet<>();
  private boolean anyClaimed;
  private boolean dropping;

  /** Whether an event named {@code eventName} that no handler takes now is kept. */
  boolean keeps(String eventName) {
    return !anyClaimed && !claimed.contains(eventName);
  }

  /**
   * Keeps {@code message}; when full, drops the oldest. Returns the dropped event if it is the
   * first dropped since nothing was kept, otherwise null.
   */
  EventMessage keep(EventMessage message) {
    EventMessage dropped = null;
    if (kept.size() == ClientRoom.MAX_KEPT) {
      dropped = kept.pollFirst();
      if (dropping) {
        dropped = null;
      }
      dropping = true;
    }
    kept.addLast(message);
    return dropped;
  }

  /**
   * A new handler for {@code eventName} (null: every name) gets the events kept for it, in order.
   */
  void claim(String eventName, Consumer<EventMessage> handler) {
    if (eventName == null) {
      anyClaimed = true;
    } else {
      claimed.add(eventName);
    }
    for (Iterator<EventMessage> it = kept.iterator(); it.hasNext(); ) {
      EventMessage message = it.next();
      if (eventName == null || eventName.equals(message.event())) {
        it.remove();
        Listeners.run("room handler", () -> handler.accept(message));
      }
    }
    if (kept.isEmpty()) {
      dropping = false;
    }
  }
}
