package dev.dialogue.internal;

import dev.dialogue.EventMessage;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One room's in-memory history: per event name, oldest to newest, bounded by the event's limit. Not
 * thread-safe: the room guards it with its lock.
 */
final class HistoryBuffer {
  /** Newest first; equal timestamps keep publish order (the original's stable sort). */
  static final Comparator<EventMessage> NEWEST_FIRST_STABLE =
      Comparator.comparingLong(EventMessage::timestamp)
          .reversed()
          .thenComparingLong(m -> m.offset() == null ? 0 : m.offset());

  private final Map<String, ArrayDeque<EventMessage>> byEvent = new LinkedHashMap<>();

  /** Appends; returns what the limit evicted, oldest first. */
  List<EventMessage> push(EventMessage message, int limit) {
    ArrayDeque<EventMessage> events =
        byEvent.computeIfAbsent(message.event(), k -> new ArrayDeque<>());
    events.addLast(message);
    if (events.size() <= limit) {
      return List.of();
    }
    List<EventMessage> evicted = new ArrayList<>(events.size() - limit);
    while (events.size() > limit) {
      evicted.add(events.pollFirst());
    }
    return evicted;
  }

  int count(String eventName) {
    ArrayDeque<EventMessage> events = byEvent.get(eventName);
    return events == null ? 0 : events.size();
  }

  /** Indices newest first, {@code end} exclusive; only what memory holds. */
  List<EventMessage> page(String eventName, int start, int end) {
    ArrayDeque<EventMessage> events = byEvent.get(eventName);
    if (events == null || start >= events.size()) {
      return List.of();
    }
    List<EventMessage> page = new ArrayList<>(Math.min(end, events.size()) - start);
    Iterator<EventMessage> newestFirst = events.descendingIterator();
    for (int i = 0; newestFirst.hasNext() && i < end; i++) {
      EventMessage m = newestFirst.next();
      if (i >= start) {
        page.add(m);
      }
    }
    return page;
  }

  /**
   * The newest {@code limit} events across all names (chosen by offset, so events in the same
   * millisecond are chosen correctly), in the compatible order: newest first by timestamp, equal
   * timestamps in publish order.
   */
  List<EventMessage> newest(int limit) {
    List<EventMessage> all = new ArrayList<>();
    for (ArrayDeque<EventMessage> events : byEvent.values()) {
      all.addAll(events);
    }
    if (all.size() > limit) {
      all.sort(
          Comparator.comparingLong((EventMessage m) -> m.offset() == null ? 0 : m.offset())
              .reversed());
      all = new ArrayList<>(all.subList(0, limit));
    }
    all.sort(NEWEST_FIRST_STABLE);
    return all;
  }

  /** Every event with an offset above {@code afterOffset}, oldest first. */
  List<EventMessage> after(long afterOffset) {
    List<EventMessage> found = new ArrayList<>();
    for (ArrayDeque<EventMessage> events : byEvent.values()) {
      Iterator<EventMessage> newestFirst = events.descendingIterator();
      while (newestFirst.hasNext()) {
        EventMessage m = newestFirst.next();
        if (m.offset() == null || m.offset() <= afterOffset) {
          break;
        }
        found.add(m);
      }
    }
    found.sort(Comparator.comparingLong(EventMessage::offset));
    return found;
  }

  /**
   * Removes the {@code count} oldest events (by offset) across names; returns them by name, oldest
   * first.
   */
  Map<String, List<EventMessage>> trimOldest(int count) {
    Map<String, List<EventMessage>> removed = new LinkedHashMap<>();
    for (int i = 0; i < count; i++) {
      ArrayDeque<EventMessage> oldest = null;
      for (ArrayDeque<EventMessage> events : byEvent.values()) {
        if (!events.isEmpty()
            && (oldest == null || events.peekFirst().offset() < oldest.peekFirst().offset())) {
          oldest = events;
        }
      }
      if (oldest == null) {
        break;
      }
      EventMessage m = oldest.pollFirst();
      removed.computeIfAbsent(m.event(), k -> new ArrayList<>()).add(m);
    }
    return removed;
  }

  /** Removes and returns everything, per event name, oldest first. */
  Map<String, List<EventMessage>> drain() {
    Map<String, List<EventMessage>> drained = new LinkedHashMap<>();
    byEvent.forEach(
        (name, events) -> {
          if (!events.isEmpty()) {
            drained.put(name, new ArrayList<>(events));
          }
        });
    byEvent.clear();
    return drained;
  }
}
