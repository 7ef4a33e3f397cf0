package dev.dialogue.internal;

import com.fasterxml.jackson.databind.util.RawValue;
import dev.dialogue.DialogueException;
import dev.dialogue.EventMessage;
import dev.dialogue.HistoryStore;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

/**
 * {@link MemoryBroker}'s stream of one room: its offsets, its memory history and the events waiting
 * for their commit. With a store, an event is shown to no one (members, memory history, recovery,
 * the join offset) before the store has committed it: it waits in {@link #awaiting} and is released
 * in offset order once its commit and every earlier one completed. An offset a crash did not let
 * the store keep was never shown, so a restarted room can give it to another event. Events without
 * history queue behind waiting ones, so the room keeps one order.
 */
final class MemoryStream implements Broker.Stream {
  /** An event waiting for its commit (or for earlier ones) before anyone sees it. */
  private record Waiting(
      EventMessage message,
      RawValue payload,
      int historyLimit,
      CompletableFuture<Void> durable,
      CompletableFuture<Broker.Shown> shown) {}

  private final ReentrantLock lock;
  private final Broker.Node node;
  private final HistoryStore store;
  private final Executor executor;
  private final String epoch;
  private final HistoryBuffer history = new HistoryBuffer();
  private final ArrayDeque<Waiting> awaiting = new ArrayDeque<>();
  private final AtomicBoolean releaseScheduled = new AtomicBoolean();

  /** The last offset assigned. */
  private long offset;

  /** The last offset shown to anyone: below {@link #offset} while commits are awaited. */
  private long shownOffset;

  MemoryStream(
      ReentrantLock lock,
      Broker.Node node,
      HistoryStore.Position position,
      HistoryStore store,
      Executor executor) {
    this.lock = lock;
    this.store = store;
    this.executor = executor;
    this.node = node;
    this.epoch = position == null ? Ids.random() : position.epoch();
    this.offset = position == null ? 0 : position.offset();
    this.shownOffset = offset;
  }

  @Override
  public String epoch() {
    return epoch;
  }

  @Override
  public long offset() {
    return shownOffset;
  }

  @Override
  public Broker.Delivery publish(EventMessage message, int historyLimit) {
    EventMessage stored = historyLimit > 0 ? withOffset(message, ++offset) : message;
    // Only an event kept in history can be part of a later answer (recovery, history pages, the
    // store's copy): encoded first, its JSON is reused by those.
    RawValue payload =
        new RawValue(historyLimit > 0 ? EncodedEvents.encode(stored) : Json.write(stored));
    // Appended under the lock, so the store receives each room's events in offset order.
    CompletableFuture<Void> durable =
        historyLimit > 0 && store != null ? store.append(epoch, stored) : null;
    if (durable == null && awaiting.isEmpty()) {
      return new Broker.Delivery(
          stored, CompletableFuture.completedFuture(show(stored, payload, historyLimit)));
    }
    Waiting waiting =
        new Waiting(stored, payload, historyLimit, durable, new CompletableFuture<>());
    awaiting.add(waiting);
    if (durable != null) {
      durable.whenComplete((ok, failed) -> scheduleRelease());
    }
    return new Broker.Delivery(stored, waiting.shown());
  }

  /**
   * A commit completed (on the store's thread): the fan-out runs on a hook thread, so that the
   * store's writer goes back to committing. One task at a time per room; it shows every event that
   * is ready by then, so a group commit of many events costs one task.
   */
  private void scheduleRelease() {
    if (releaseScheduled.compareAndSet(false, true)) {
      try {
        executor.execute(this::release);
      } catch (RejectedExecutionException stopping) {
        release(); // the server is stopping: show them here
      }
    }
  }

  /** Shows the committed events at the head of {@link #awaiting}, in offset order. */
  private void release() {
    releaseScheduled.set(false); // a commit completing from now on schedules another pass
    lock.lock();
    try {
      while (!awaiting.isEmpty()) {
        Waiting head = awaiting.peek();
        if (head.durable() != null && !head.durable().isDone()) {
          return;
        }
        awaiting.poll();
        Throwable failed = failure(head.durable());
        if (failed != null) {
          // Never shown: its offset stays unused (recovery across it answers recovered: false).
          head.shown().completeExceptionally(failed);
        } else {
          head.shown().complete(show(head.message(), head.payload(), head.historyLimit()));
        }
      }
    } finally {
      lock.unlock();
    }
  }

  /** Under the lock: the node delivers, then the event enters memory history. */
  private Broker.Shown show(EventMessage event, RawValue payload, int historyLimit) {
    int recipients = node.deliver(event, payload);
    if (event.offset() == null) {
      return new Broker.Shown(recipients, List.of());
    }
    shownOffset = event.offset();
    List<EventMessage> evicted = history.push(event, historyLimit);
    // Handed over under the lock, so that a room's evictions reach the hook in order.
    node.evicted(event.event(), evicted);
    return new Broker.Shown(recipients, evicted);
  }

  @Override
  public Map<String, List<EventMessage>> delete(DialogueException gone) {
    for (Waiting waiting : awaiting) {
      waiting.shown().completeExceptionally(gone);
    }
    awaiting.clear();
    return history.drain();
  }

  @Override
  public List<EventMessage> after(long afterOffset) {
    return history.after(afterOffset);
  }

  @Override
  public List<EventMessage> newest(int limit) {
    return history.newest(limit);
  }

  @Override
  public List<EventMessage> page(String eventName, int start, int end) {
    return history.page(eventName, start, end);
  }

  @Override
  public int count(String eventName) {
    return history.count(eventName);
  }

  @Override
  public Map<String, List<EventMessage>> trimOldest(int count) {
    return history.trimOldest(count);
  }

  @Override
  public Map<String, List<EventMessage>> drain() {
    return history.drain();
  }

  private static Throwable failure(CompletableFuture<Void> durable) {
    if (durable == null || !durable.isCompletedExceptionally()) {
      return null;
    }
    try {
      durable.join();
      return null;
    } catch (CompletionException | CancellationException e) {
      return e.getCause() == null ? e : e.getCause();
    }
  }

  private static EventMessage withOffset(EventMessage m, long offset) {
    return new EventMessage(
        m.event(),
        m.roomId(),
        m.data(),
        m.from(),
        m.timestamp(),
        m.meta(),
        m.id(),
        offset,
        m.clientMessageId());
  }
}
