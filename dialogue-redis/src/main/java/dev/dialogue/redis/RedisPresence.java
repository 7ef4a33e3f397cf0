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

  /** This node's present connections, by room. */
  private final Map<String, Set<String>> local = new ConcurrentHashMap<>();

  RedisPresence(RedisNode redis) {
    this.redis = redis;
  }

  private Keys keys(String roomId) {
    return Keys.of(redis.config().keyPrefix(), roomId);
  }

  @Override
  public boolean add(String roomId, String userId, String connectionId) {
    Keys keys = keys(roomId);
    redis.runForNumber(
        add,
        keys.presence(),
        connectionId,
        userId,
        Long.toString(redis.config().presenceTimeout().toMillis()),
        keys.channel());
    local.computeIfAbsent(roomId, k -> ConcurrentHashMap.newKeySet()).add(connectionId);
    return false; // announced to every node through the channel
  }

  @Override
  public boolean remove(String roomId, String userId, String connectionId) {
    Set<String> mine = local.get(roomId);
    if (mine != null) {
      mine.remove(connectionId);
      if (mine.isEmpty()) {
        local.remove(roomId, mine);
      }
    }
    Keys keys = keys(roomId);
    redis.runForNumber(remove, keys.presence(), "named", "", keys.channel(), connectionId);
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
    redis.commands().del(keys(roomId).presence());
  }

  /** The heartbeat: this node's connections stay present one more timeout. */
  void refresh() {
    String ttl = Long.toString(redis.config().presenceTimeout().toMillis());
    for (Map.Entry<String, Set<String>> room : local.entrySet()) {
      List<String> args = new ArrayList<>();
      args.add(ttl);
      args.addAll(room.getValue());
      if (args.size() > 1) {
        redis.runForNumber(
            refresh,
            new String[] {keys(room.getKey()).presentConnections()},
            args.toArray(String[]::new));
      }
    }
  }

  /** Removes the room's connections whose node stopped refreshing them. */
  void expire(Keys keys) {
    redis.runForNumber(remove, keys.presence(), "expired", "", keys.channel());
  }
}
