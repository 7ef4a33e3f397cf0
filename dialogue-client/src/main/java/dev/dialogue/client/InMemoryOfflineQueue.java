package dev.dialogue.client;

import static java.util.Objects.requireNonNull;

import java.util.ArrayDeque;

/** A bounded in-memory {@link OfflineQueue}. */
public final class InMemoryOfflineQueue implements OfflineQueue {
  private final int capacity;
  private final ArrayDeque<QueuedTrigger> queue = new ArrayDeque<>();

  /** A queue holding at most {@code capacity} triggers. */
  public InMemoryOfflineQueue(int capacity) {
    if (capacity <= 0) {
      throw new IllegalArgumentException("capacity must be positive but was " + capacity);
    }
    this.capacity = capacity;
  }

  @Override
  public synchronized boolean offer(QueuedTrigger trigger) {
    requireNonNull(trigger, "trigger == null");
    if (queue.size() >= capacity) {
      return false;
    }
    queue.addLast(trigger);
    return true;
  }

  @Override
  public synchronized void requeue(QueuedTrigger trigger) {
    queue.addFirst(requireNonNull(trigger, "trigger == null"));
  }

  @Override
  public synchronized QueuedTrigger poll() {
    return queue.pollFirst();
  }

  @Override
  public synchronized int size() {
    return queue.size();
  }
}
