package dev.dialogue.client;

/**
 * Where triggers made while disconnected wait, oldest first. The default is {@link
 * InMemoryOfflineQueue}; implement this to keep them across application restarts.
 *
 * <p>Called only from the client's callback executor, one call at a time.
 */
public interface OfflineQueue {
  /** Adds at the tail; returns false when the queue is full. */
  boolean offer(QueuedTrigger trigger);

  /** Adds at the head: a trigger that was sent but not confirmed before the connection dropped. */
  void requeue(QueuedTrigger trigger);

  /** Removes and returns the oldest trigger, or null when empty. */
  QueuedTrigger poll();

  int size();
}
