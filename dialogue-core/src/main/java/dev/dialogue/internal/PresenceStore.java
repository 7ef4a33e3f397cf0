package dev.dialogue.internal;

import java.util.Map;

/**
 * Who is present in which room: one entry per connection, counted per user, so that a user with two
 * tabs joins once and leaves with the last one. The second seam scale-out plugs into (the model is
 * Centrifuge's {@code PresenceManager}); this process's is {@link MemoryPresence}, a shared broker
 * brings its own ({@link Broker#presence()}). A room calls it with its lock held, so each room's
 * changes arrive in the room's order. A shared store answers {@code false} from {@link #add} and
 * {@link #remove} and sends the change to every node instead ({@link Broker.Node#presence}).
 */
public interface PresenceStore {
  /** Counts {@code connectionId} of {@code userId} in the room; true if the user was absent. */
  boolean add(String roomId, String userId, String connectionId);

  /** Removes one connection of the user; true if it was the user's last in the room. */
  boolean remove(String roomId, String userId, String connectionId);

  /** The users present and how many of their connections are, in the order they came. */
  Map<String, Integer> users(String roomId);

  /** Forgets the room (deleted). */
  void clear(String roomId);
}
