package dev.dialogue.internal;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@link PresenceStore} of one process. A room's map is only changed and read under that room's
 * lock, so it needs no lock of its own; a room that has nobody present holds no map.
 */
final class MemoryPresence implements PresenceStore {
  private final Map<String, Map<String, Integer>> byRoom = new ConcurrentHashMap<>();

  @Override
  public boolean add(String roomId, String userId, String connectionId) {
    Map<String, Integer> users = byRoom.computeIfAbsent(roomId, k -> new LinkedHashMap<>());
    return users.merge(userId, 1, Integer::sum) == 1;
  }

  @Override
  public boolean remove(String roomId, String userId, String connectionId) {
    Map<String, Integer> users = byRoom.get(roomId);
    if (users == null || !users.containsKey(userId)) {
      return false;
    }
    Integer left = users.computeIfPresent(userId, (k, n) -> n <= 1 ? null : n - 1);
    if (users.isEmpty()) {
      byRoom.remove(roomId);
    }
    return left == null;
  }

  @Override
  public Map<String, Integer> users(String roomId) {
    Map<String, Integer> users = byRoom.get(roomId);
    return users == null ? Map.of() : new LinkedHashMap<>(users);
  }

  @Override
  public void clear(String roomId) {
    byRoom.remove(roomId);
  }
}
