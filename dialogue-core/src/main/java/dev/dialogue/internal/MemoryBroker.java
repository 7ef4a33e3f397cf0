package dev.dialogue.internal;

import com.fasterxml.jackson.databind.util.RawValue;
import dev.dialogue.DialogueException;
import dev.dialogue.EventMessage;
import dev.dialogue.HistoryStore;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;

/**
 * The {@link Broker} of one process: offsets and history in memory, written through to the
 * application's {@link HistoryStore} when there is one; {@code clientMessageId}s remembered in
 * memory ({@link Idempotency}) and, for a window after a restart, looked up in the store.
 */
final class MemoryBroker implements Broker {
  private static final Duration STORE_WAIT = Duration.ofSeconds(30);

  private final HistoryStore store;
  private final Idempotency idempotency;
  private final Duration idempotencyWindow;
  private final Executor executor;
  private final Logger log;
  private final Clock clock;
  private final long startedAt;

  MemoryBroker(Settings.HistorySettings history, Settings.RuntimeSettings runtime) {
    this.store = history.store();
    this.clock = runtime.clock();
    this.idempotency = new Idempotency(history, clock);
    this.idempotencyWindow = history.idempotencyWindow();
    this.executor = runtime.executor();
    this.log = runtime.logger();
    this.startedAt = clock.millis();
  }

  @Override
  public Stream open(String roomId, ReentrantLock lock, Node node) {
    HistoryStore.Position position = store == null ? null : store.position(roomId).orElse(null);
    return new MemoryStream(lock, node, position);
  }

  @Override
  public boolean durable() {
    return store != null;
  }

  @Override
  public List<EventMessage> after(String roomId, long sinceOffset, int limit) {
    if (store == null) {
      return List.of();
    }
    try {
      return store.eventsAfter(roomId, sinceOffset, limit);
    } catch (DialogueException e) {
      log.error("Reading room '{}' after offset {} from the store failed", roomId, sinceOffset, e);
      return List.of();
    }
  }

  @Override
  public List<EventMessage> page(String roomId, String eventName, int start, int end) {
    if (store == null) {
      return List.of();
    }
    try {
      return store.history(roomId, eventName, start, end);
    } catch (DialogueException e) {
      log.error("Reading history of room '{}' from the store failed", roomId, e);
      return List.of();
    }
  }

  @Override
  public void deleteRoom(String roomId) {
    if (store != null) {
      try {
        store.deleteRoom(roomId).get(STORE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
      } catch (Exception e) {
        log.error("Deleting the stored history of room '{}' failed", roomId, e);
      }
    }
  }

  // ---- idempotent publish (PROTOCOL 8.3) ----

  @Override
  public Idempotency.First earlier(
      String roomId,
      String userId,
      String clientMessageId,
      CompletableFuture<Idempotency.First> mine) {
    while (true) {
      CompletableFuture<Idempotency.First> prior = idempotency.claim(userId, clientMessageId, mine);
      if (prior == null) {
        Idempotency.First stored = storedEarlier(roomId, userId, clientMessageId);
        if (stored != null) {
          mine.complete(stored); // Later repeats find it in memory.
        }
        return stored;
      }
      try {
        return prior.get(STORE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
      } catch (Exception e) {
        // The first one failed and released its claim: this one may try.
        idempotency.release(userId, clientMessageId, prior);
      }
    }
  }

  /**
   * After a restart memory has forgotten recent ids; within one window of the start, the store
   * still knows them (a client retrying an event whose acknowledgement the crash swallowed).
   */
  private Idempotency.First storedEarlier(String roomId, String userId, String clientMessageId) {
    if (store == null || clock.millis() - startedAt > idempotencyWindow.toMillis()) {
      return null;
    }
    Optional<EventMessage> found;
    try {
      found = store.findByClientMessageId(roomId, userId, clientMessageId);
    } catch (DialogueException e) {
      log.error("Looking up clientMessageId in room '{}' failed; publishing it", roomId, e);
      return null;
    }
    return found
        .map(m -> new Idempotency.First(m, CompletableFuture.completedFuture(null)))
        .orElse(null);
  }

  @Override
  public Idempotency.First published(String roomId, String userId, String clientMessageId) {
    Idempotency.First first = idempotency.published(userId, clientMessageId);
    return first != null && first.message().roomId().equals(roomId) ? first : null;
  }

  @Override
  public void release(
      String userId, String clientMessageId, CompletableFuture<Idempotency.First> mine) {
    idempotency.release(userId, clientMessageId, mine);
  }

  @Override
  public void close() {
    if (store != null) {
      try {
        store.close();
      } catch (Exception e) {
        log.error("Closing the history store failed", e);
      }
    }
  }

  /**
   * A room's offsets, its memory history and the events waiting for their commit. With a store, an
   * event is shown to no one (members, memory history, recovery, the join offset) before the store
   * has committed it: it waits in {@link #awaiting} and is released in offset order once its commit
   * and every earlier one completed. An offset a crash did not let the store keep was never shown,
   * so a restarted room can give it to another event. Events without history queue behind waiting
   * ones, so the room keeps one order.
   */
  private final class MemoryStream implements Stream {
    /** An event waiting for its commit (or for earlier ones) before anyone sees it. */
    private record Waiting(
        EventMessage message,
        RawValue payload,
        int historyLimit,
        CompletableFuture<Void> durable,
        CompletableFuture<Shown> shown) {}

    private final ReentrantLock lock;
    private final Node node;
    private final String epoch;
    private final HistoryBuffer history = new HistoryBuffer();
    private final ArrayDeque<Waiting> awaiting = new ArrayDeque<>();
    private final AtomicBoolean releaseScheduled = new AtomicBoolean();

    /** The last offset assigned. */
    private long offset;

    /** The last offset shown to anyone: below {@link #offset} while commits are awaited. */
    private long shownOffset;

    MemoryStream(ReentrantLock lock, Node node, HistoryStore.Position position) {
      this.lock = lock;
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
    public Delivery publish(EventMessage message, int historyLimit) {
      EventMessage stored = historyLimit > 0 ? withOffset(message, ++offset) : message;
      // Only an event kept in history can be part of a later answer (recovery, history pages, the
      // store's copy): encoded first, its JSON is reused by those.
      RawValue payload =
          new RawValue(historyLimit > 0 ? EncodedEvents.encode(stored) : Json.write(stored));
      // Appended under the lock, so the store receives each room's events in offset order.
      CompletableFuture<Void> durable =
          historyLimit > 0 && store != null ? store.append(epoch, stored) : null;
      if (durable == null && awaiting.isEmpty()) {
        return new Delivery(
            stored, CompletableFuture.completedFuture(show(stored, payload, historyLimit)));
      }
      Waiting waiting =
          new Waiting(stored, payload, historyLimit, durable, new CompletableFuture<>());
      awaiting.add(waiting);
      if (durable != null) {
        durable.whenComplete((ok, failed) -> scheduleRelease());
      }
      return new Delivery(stored, waiting.shown());
    }

    /**
     * A commit completed (on the store's thread): the fan-out runs on a hook thread, so that the
     * store's writer goes back to committing. One task at a time per room; it shows every event
     * that is ready by then, so a group commit of many events costs one task.
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
    private Shown show(EventMessage event, RawValue payload, int historyLimit) {
      int recipients = node.deliver(event, payload);
      if (event.offset() == null) {
        return new Shown(recipients, List.of());
      }
      shownOffset = event.offset();
      List<EventMessage> evicted = history.push(event, historyLimit);
      // Handed over under the lock, so that a room's evictions reach the hook in order.
      node.evicted(event.event(), evicted);
      return new Shown(recipients, evicted);
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
