package dev.dialogue.internal;

import dev.dialogue.DialogueException;
import dev.dialogue.EventMessage;
import dev.dialogue.HistoryStore;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
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
    return new MemoryStream(lock, node, position, store, executor);
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
    return idempotency.earlier(
        userId,
        clientMessageId,
        mine,
        () -> storedEarlier(roomId, userId, clientMessageId),
        STORE_WAIT.toMillis());
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
}
