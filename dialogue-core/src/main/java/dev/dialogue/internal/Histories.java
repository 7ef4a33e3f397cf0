package dev.dialogue.internal;

import dev.dialogue.DialogueException;
import dev.dialogue.EventMessage;
import dev.dialogue.HistoryStore;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;

/**
 * History across rooms: the durable store, the memory budget, idempotent publish and recovery by
 * offset. Each room keeps its own buffers and offsets ({@link RealRoom}); this is what spans them.
 */
final class Histories {
  private static final Duration STORE_WAIT = Duration.ofSeconds(30);

  private final Settings.HistorySettings settings;
  private final HistoryStore store;
  private final Hooks hooks;
  private final Logger log;
  private final Clock clock;
  private final Idempotency idempotency;
  private final AtomicLong inMemory = new AtomicLong();
  private final long startedAt;

  Histories(Settings.HistorySettings settings, Settings.RuntimeSettings runtime, Hooks hooks) {
    this.settings = settings;
    this.store = settings.store();
    this.hooks = hooks;
    this.log = runtime.logger();
    this.clock = runtime.clock();
    this.idempotency = new Idempotency(settings, clock);
    this.startedAt = clock.millis();
  }

  HistoryStore store() {
    return store;
  }

  /** Where the store says a room stands, so that a restarted room keeps its epoch and offsets. */
  HistoryStore.Position position(String roomId) {
    return store == null ? null : store.position(roomId).orElse(null);
  }

  /**
   * Events the room's memory no longer holds, from the store ({@code start}/{@code end} overall).
   */
  List<EventMessage> beyondMemory(
      String roomId, String eventName, int inMemory, int start, int end) {
    if (store == null) {
      return hooks.load(roomId, eventName, Math.max(start, inMemory) - inMemory, end - inMemory);
    }
    try {
      return store.history(roomId, eventName, Math.max(start, inMemory), end);
    } catch (DialogueException e) {
      log.error("Reading history of room '{}' from the store failed", roomId, e);
      return List.of();
    }
  }

  /** After a delivery: count what entered and left memory, hand evictions over, keep the budget. */
  void delivered(
      RealRoom room, EventMessage shown, List<EventMessage> evicted, Collection<RealRoom> rooms) {
    long added = shown.offset() == null ? 0 : 1;
    inMemory.addAndGet(added - evicted.size());
    // The evicted events were handed to the cleanup hook under the room lock (RealRoom.show).
    if (inMemory.get() > settings.maxEventsInMemory()) {
      enforceBudget(room, rooms);
    }
  }

  /** A room's history left memory (deleted, drained at stop). */
  void left(Map<String, List<EventMessage>> drained) {
    inMemory.addAndGet(-drained.values().stream().mapToLong(List::size).sum());
  }

  /**
   * Above the budget, the buffers of the rooms idle the longest leave memory first (through the
   * cleanup hook; with a store they stay readable there); the active room is trimmed last.
   */
  private synchronized void enforceBudget(RealRoom active, Collection<RealRoom> rooms) {
    List<RealRoom> idleFirst = new ArrayList<>(rooms);
    idleFirst.sort(Comparator.comparingLong(RealRoom::lastActivity));
    for (RealRoom room : idleFirst) {
      if (inMemory.get() <= settings.maxEventsInMemory()) {
        return;
      }
      if (room != active) {
        handOver(room, room.drainHistory());
      }
    }
    long excess = inMemory.get() - settings.maxEventsInMemory();
    if (excess > 0) {
      handOver(active, active.trimOldest((int) Math.min(Integer.MAX_VALUE, excess)));
    }
  }

  private void handOver(RealRoom room, Map<String, List<EventMessage>> removed) {
    left(removed);
    removed.forEach((eventName, events) -> hooks.cleanupAsync(room, eventName, events));
  }

  /** The room was deleted: its stored events go too (waited for, so a new room starts clean). */
  void deleted(String roomId, Map<String, List<EventMessage>> drained) {
    left(drained);
    if (store != null) {
      try {
        store.deleteRoom(roomId).get(STORE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
      } catch (Exception e) {
        log.error("Deleting the stored history of room '{}' failed", roomId, e);
      }
    }
  }

  // ---- idempotent publish (PROTOCOL 8.3) ----

  /**
   * The outcome of an earlier trigger with the same {@code clientMessageId} from the same user, or
   * null when this one is the first (then {@code mine} holds the claim until completed or
   * released).
   */
  Idempotency.First earlier(
      RealRoom room,
      String userId,
      String clientMessageId,
      CompletableFuture<Idempotency.First> mine) {
    while (true) {
      CompletableFuture<Idempotency.First> prior = idempotency.claim(userId, clientMessageId, mine);
      if (prior == null) {
        Idempotency.First stored = storedEarlier(room, userId, clientMessageId);
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
  private Idempotency.First storedEarlier(RealRoom room, String userId, String clientMessageId) {
    if (store == null || clock.millis() - startedAt > settings.idempotencyWindow().toMillis()) {
      return null;
    }
    Optional<EventMessage> found;
    try {
      found = store.findByClientMessageId(room.id(), userId, clientMessageId);
    } catch (DialogueException e) {
      log.error("Looking up clientMessageId in room '{}' failed; publishing it", room.id(), e);
      return null;
    }
    return found
        .map(m -> new Idempotency.First(m, CompletableFuture.completedFuture(null)))
        .orElse(null);
  }

  /**
   * The event published in {@code roomId} by an earlier trigger of {@code userId} with this id, as
   * memory remembers it, or null; claims nothing. For a repeat from a connection no longer in the
   * room: its first attempt may have been published before it left.
   */
  Idempotency.First published(String roomId, String userId, String clientMessageId) {
    Idempotency.First first = idempotency.published(userId, clientMessageId);
    return first != null && first.message().roomId().equals(roomId) ? first : null;
  }

  /** The first trigger with the id was not stored: a repeat may publish it. */
  void forget(String userId, String clientMessageId, CompletableFuture<Idempotency.First> mine) {
    idempotency.release(userId, clientMessageId, mine);
  }

  void failed(
      String userId,
      String clientMessageId,
      CompletableFuture<Idempotency.First> mine,
      RuntimeException e) {
    idempotency.release(userId, clientMessageId, mine);
    mine.completeExceptionally(e);
  }

  // ---- recovery (PROTOCOL 8.2) ----

  /** The store's events after {@code sinceOffset}, read before the room lock is taken. */
  List<EventMessage> storedAfter(RealRoom room, long sinceOffset) {
    if (store == null) {
      return List.of();
    }
    try {
      return store.eventsAfter(room.id(), sinceOffset, settings.maxRecoveryEvents() + 1);
    } catch (DialogueException e) {
      log.error(
          "Reading room '{}' after offset {} from the store failed", room.id(), sinceOffset, e);
      return List.of();
    }
  }

  /**
   * Under the room lock, at admission: every event after {@code sinceOffset} up to the room's
   * offset, from the store's part and memory, oldest first; or null when any is missing or there
   * are more than the limit.
   */
  List<EventMessage> missed(
      RealRoom room, long sinceOffset, long currentOffset, List<EventMessage> fromStore) {
    if (sinceOffset > currentOffset || currentOffset - sinceOffset > settings.maxRecoveryEvents()) {
      return null;
    }
    NavigableMap<Long, EventMessage> byOffset = new TreeMap<>();
    for (EventMessage m : fromStore) {
      byOffset.put(m.offset(), m);
    }
    for (EventMessage m : room.historyAfter(sinceOffset)) {
      byOffset.put(m.offset(), m);
    }
    NavigableMap<Long, EventMessage> range =
        byOffset.subMap(sinceOffset, false, currentOffset, true);
    if (range.size() != currentOffset - sinceOffset) {
      return null;
    }
    return new ArrayList<>(range.values());
  }

  /** Closes the store after the last delivery. */
  void close() {
    if (store != null) {
      try {
        store.close();
      } catch (Exception e) {
        log.error("Closing the history store failed", e);
      }
    }
  }
}
