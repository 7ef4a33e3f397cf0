package dev.dialogue.examples.dashboard;

import dev.dialogue.DialogueListener;
import dev.dialogue.EventMessage;
import dev.dialogue.Room;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts who publishes in which room ({@link DialogueListener#onTriggered}, called once the event
 * was delivered), for the per-room top talkers. The dashboard's own room is left out: only the
 * server publishes there. Thread-safe.
 */
final class Talkers implements DialogueListener {
  /** The most rooms and senders per room it counts: a flood of new names cannot grow it forever. */
  static final int MAX_ROOMS = 100;

  static final int MAX_SENDERS = 1_000;

  private final Map<String, Map<String, LongAdder>> byRoom = new ConcurrentHashMap<>();

  @Override
  public void onTriggered(Room room, EventMessage message) {
    if (room.id().equals(DashboardEvents.DASHBOARD_ROOM)) {
      return;
    }
    Map<String, LongAdder> senders = byRoom.get(room.id());
    if (senders == null) {
      if (byRoom.size() >= MAX_ROOMS) {
        return;
      }
      senders = byRoom.computeIfAbsent(room.id(), id -> new ConcurrentHashMap<>());
    }
    LongAdder count = senders.get(message.from());
    if (count == null) {
      if (senders.size() >= MAX_SENDERS) {
        return;
      }
      count = senders.computeIfAbsent(message.from(), from -> new LongAdder());
    }
    count.increment();
  }

  /** The {@code limit} busiest senders of each room, busiest rooms first. */
  List<DashboardEvents.RoomTalkers> top(int limit) {
    List<DashboardEvents.RoomTalkers> rooms = new ArrayList<>();
    byRoom.forEach(
        (roomId, senders) -> {
          List<DashboardEvents.Talker> top =
              senders.entrySet().stream()
                  .map(e -> new DashboardEvents.Talker(e.getKey(), e.getValue().sum()))
                  .sorted(
                      Comparator.comparingLong(DashboardEvents.Talker::events)
                          .reversed()
                          .thenComparing(DashboardEvents.Talker::userId))
                  .limit(limit)
                  .toList();
          rooms.add(new DashboardEvents.RoomTalkers(roomId, top));
        });
    rooms.sort(
        Comparator.comparingLong(
                (DashboardEvents.RoomTalkers r) ->
                    r.top().stream().mapToLong(DashboardEvents.Talker::events).sum())
            .reversed()
            .thenComparing(DashboardEvents.RoomTalkers::roomId));
    return rooms;
  }

  void reset() {
    byRoom.clear();
  }
}
