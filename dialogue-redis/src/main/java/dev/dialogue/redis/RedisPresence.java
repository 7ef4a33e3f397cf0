package dev.dialogue.redis;

import dev.dialogue.internal.PresenceStore;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Presence across nodes, in Redis: one entry per connection with an expiry that its node moves on
 * with each heartbeat, and a count per user, so that a user with tabs on two nodes is present once.
 * A user's first connection and last one are announced on the room's channel by the script that
 * made the change, so every node tells its members once; the entries of a node that died expire and
 * are removed by whichever node checks first, each user announced as gone once.
 */
final class RedisPresence implements PresenceStore {
  private final RedisNode redis;
  private final RedisNode.Script add = RedisNode.Script.load("presence-add.lua");
  private final RedisNode.Script remove = RedisNode.Script.load("presence-remove.lua");
  private final RedisNode.Script refresh = RedisNode.Script.load("presence-refresh.lua");
  private final RedisNode.Script seat = RedisNode.Script.load("seat.lua");

  /** This node's present connections, by room (connection id to user id). */
  private final Map<String, Map<String, String>> local = new ConcurrentHashMap<>();

  /** This node's seats in rooms with a {@code maxSize}, by room. */
  private final Map<String, Set<String>> seats = new ConcurrentHashMap<>();

  RedisPresence(RedisNode redis) {
    this.redis = redis;
  }

  private Keys keys(String roomId) {
    return Keys.of(redis.config().keyPrefix(), roomId);
  }

  @Override
  public boolean add(String roomId, String userId, String connectionId) {
    Keys keys = keys(roomId);
    try {
      redis.runForNumber(
          add,
          keys.presence(),
          connectionId,
          userId,
          Long.toString(redis.config().presenceTimeout().toMillis()),
          keys.channel());
      local.computeIfAbsent(roomId, k -> new ConcurrentHashMap<>()).put(connectionId, userId);
    } catch (RuntimeException e) {
      // The member is in the room; only the others do not see it present until it joins again.
      redis.log().warn("Adding presence in room '{}' to Redis failed", roomId, e);
    }
    return false; // announced to every node through the channel
  }

  @Override
  public boolean remove(String roomId, String userId, String connectionId) {
    Map<String, String> here = local.get(roomId);
    if (here != null) {
      here.remove(connectionId);
      if (here.isEmpty()) {
        local.remove(roomId, here);
      }
    }
    Keys keys = keys(roomId);
    try {
      redis.runForNumber(remove, keys.presence(), "named", "", keys.channel(), connectionId);
    } catch (RuntimeException e) {
      // Not refreshed any more, the entry expires: the user leaves within the presence timeout.
      redis.log().warn("Removing presence in room '{}' from Redis failed", roomId, e);
    }
    return false;
  }

  @Override
  public Map<String, Integer> users(String roomId) {
    Map<String, String> counts = redis.commands().hgetall(keys(roomId).presentUsers());
    Map<String, Integer> users = new LinkedHashMap<>();
    new TreeMap<>(counts).forEach((user, n) -> users.put(user, Integer.parseInt(n)));
    return users;
  }

  @Override
  public void clear(String roomId) {
    local.remove(roomId);
    seats.remove(roomId);
    redis.commands().del(keys(roomId).presence());
  }

  /** Takes a seat in a room with {@code maxSize} seats over every node; false when full. */
  boolean seat(String roomId, String connectionId, int maxSize) {
    long taken =
        redis.runForNumber(
            seat,
            new String[] {keys(roomId).seats()},
            connectionId,
            Integer.toString(maxSize),
            Long.toString(redis.config().presenceTimeout().toMillis()));
    if (taken == 1) {
      seats.computeIfAbsent(roomId, k -> ConcurrentHashMap.newKeySet()).add(connectionId);
    }
    return taken == 1;
  }

  /** Frees a seat. */
  void unseat(String roomId, String connectionId) {
    forget(seats, roomId, connectionId);
    redis.commands().zrem(keys(roomId).seats(), connectionId);
  }

  /** The heartbeat: this node's connections stay present, and seated, one more timeout. */
  void refresh() {
    String ttl = Long.toString(redis.config().presenceTimeout().toMillis());
    local.forEach(
        (roomId, mine) -> {
          if (refresh(keys(roomId).presentConnections(), ttl, mine.keySet()) < mine.size()) {
            // Some entries are gone (Redis lost its data): present again, announced again.
            mine.forEach((connectionId, userId) -> add(roomId, userId, connectionId));
          }
        });
    seats.forEach((roomId, mine) -> refresh(keys(roomId).seats(), ttl, mine));
  }

  /** Moves the expiry of the connections that are still there; how many were. */
  private long refresh(String key, String ttl, Set<String> connections) {
    List<String> args = new ArrayList<>();
    args.add(ttl);
    args.addAll(connections);
    return args.size() > 1
        ? redis.runForNumber(refresh, new String[] {key}, args.toArray(String[]::new))
        : 0;
  }

  private static void forget(Map<String, Set<String>> byRoom, String roomId, String connectionId) {
    Set<String> mine = byRoom.get(roomId);
    if (mine != null) {
      mine.remove(connectionId);
      if (mine.isEmpty()) {
        byRoom.remove(roomId, mine);
      }
    }
  }

  /** Removes the room's connections whose node stopped refreshing them. */
  void expire(Keys keys) {
    redis.runForNumber(remove, keys.presence(), "expired", "", keys.channel());
  }
}
