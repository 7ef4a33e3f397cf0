package dev.dialogue.client;

import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A room's events that arrived before any handler would take them: kept, up to {@link
 * ClientRoom#MAX_KEPT}, for the first handler registered for them, which gets them before later
 * events. Once a name (or any name) has had a handler, its events are no longer kept.
 *
 * <p>The client's ordered executor's only.
 */
final class EarlyEvents {
  private final ArrayDeque<EventMessage> kept = new ArrayDeque<>();
  private final Set<String> claimed = new HashSet<>();
  private boolean anyClaimed;

  /**
   * Keeps {@code message}, which no handler takes now, unless its name has had a handler; returns
   * whether it was kept (the oldest is dropped when full).
   */
  boolean keep(EventMessage message) {
    if (anyClaimed || claimed.contains(message.event())) {
      return false;
    }
    if (kept.size() == ClientRoom.MAX_KEPT) {
      kept.pollFirst();
    }
    kept.addLast(message);
    return true;
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
  }
}
