package dev.dialogue.internal;

import dev.dialogue.EventMessage;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * History across rooms: the memory budget, recovery by offset, and pages beyond memory (from the
 * {@link Broker}'s durable history, or the application's loader). Each room keeps its own stream
 * ({@link RoomState}); this is what spans them.
 */
final class Histories {
  private final Settings.HistorySettings settings;
  private final Broker broker;
  private final Hooks hooks;
  private final AtomicLong inMemory = new AtomicLong();

  Histories(Settings.HistorySettings settings, Broker broker, Hooks hooks) {
    this.settings = settings;
    this.broker = broker;
    this.hooks = hooks;
  }

  /**
   * Events the room's memory no longer holds, from durable history or, without one, the
   * application's loader ({@code start}/{@code end} overall).
   */
  List<EventMessage> beyondMemory(
      String roomId, String eventName, int inMemory, int start, int end) {
    if (!broker.durable()) {
      return hooks.load(roomId, eventName, Math.max(start, inMemory) - inMemory, end - inMemory);
    }
    return broker.page(roomId, eventName, Math.max(start, inMemory), end);
  }

  /** After a delivery: count what entered and left memory, keep the budget. */
  void delivered(
      RoomState room,
      EventMessage shown,
      List<EventMessage> evicted,
      Supplier<Collection<RoomState>> rooms) {
    if (!broker.keepsHistoryInMemory()) {
      return;
    }
    long added = shown.offset() == null ? 0 : 1;
    inMemory.addAndGet(added - evicted.size());
    // The evicted events were handed to the cleanup hook under the room lock (RoomEvents.evicted).
    if (inMemory.get() > settings.maxEventsInMemory()) {
      enforceBudget(room, rooms.get());
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
  private synchronized void enforceBudget(RoomState active, Collection<RoomState> rooms) {
    List<RoomState> idleFirst = new ArrayList<>(rooms);
    idleFirst.sort(Comparator.comparingLong(RoomState::lastActivity));
    for (RoomState room : idleFirst) {
      if (inMemory.get() <= settings.maxEventsInMemory()) {
        return;
      }
      if (room != active) {
        handOver(room, room.events.drain());
      }
    }
    long excess = inMemory.get() - settings.maxEventsInMemory();
    if (excess > 0) {
      handOver(active, active.events.trimOldest((int) Math.min(Integer.MAX_VALUE, excess)));
    }
  }

  private void handOver(RoomState room, Map<String, List<EventMessage>> removed) {
    left(removed);
    removed.forEach(
        (eventName, events) ->
            hooks.cleanupAsync(room.face(), room.code.cleanups, eventName, events));
  }

  /** The room was deleted: its durable events go too (waited for, so a new room starts clean). */
  void deleted(String roomId, Map<String, List<EventMessage>> drained) {
    left(drained);
    broker.deleteRoom(roomId);
  }

  // ---- recovery (PROTOCOL 8.2) ----

  /** The durable events after {@code sinceOffset}, read before the room lock is taken. */
  List<EventMessage> storedAfter(RoomState room, long sinceOffset) {
    return broker.after(room.id(), sinceOffset, settings.maxRecoveryEvents() + 1);
  }

  /**
   * Under the room lock, at admission: every event after {@code sinceOffset} up to the room's
   * offset, from the durable part and memory, oldest first; or null when any is missing or there
   * are more than the limit.
   */
  List<EventMessage> missed(
      RoomState room, long sinceOffset, long currentOffset, List<EventMessage> fromStore) {
    if (sinceOffset > currentOffset || currentOffset - sinceOffset > settings.maxRecoveryEvents()) {
      return null;
    }
    NavigableMap<Long, EventMessage> byOffset = new TreeMap<>();
    for (EventMessage m : fromStore) {
      byOffset.put(m.offset(), m);
    }
    for (EventMessage m : room.events.after(sinceOffset)) {
      byOffset.put(m.offset(), m);
    }
    NavigableMap<Long, EventMessage> range =
        byOffset.subMap(sinceOffset, false, currentOffset, true);
    if (range.size() != currentOffset - sinceOffset) {
      return null;
    }
    return new ArrayList<>(range.values());
  }
}
