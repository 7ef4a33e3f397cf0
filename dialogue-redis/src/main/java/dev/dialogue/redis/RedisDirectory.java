package dev.dialogue.redis;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dialogue.ClientConnection;
import dev.dialogue.internal.Broker;
import dev.dialogue.internal.Json;
import io.lettuce.core.RedisException;
import io.lettuce.core.SetArgs;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Where every node's connections are: a hash per user in Redis (connection id -> its node and
 * rooms), written by each node for its own connections without waiting (Lettuce sends them in order
 * on the one connection), a key per live node that its heartbeat keeps, and a control channel per
 * node on which other nodes ask it to act on one of its connections.
 */
final class RedisDirectory implements Broker.Directory {
  private final RedisNode redis;
  private final Broker.Server server;
  private final String node;
  private final String prefix;
  private final ConcurrentLinkedQueue<String> actions = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean actionsScheduled = new AtomicBoolean();

  RedisDirectory(RedisNode redis, Broker.Server server, String node) {
    this.redis = redis;
    this.server = server;
    this.node = node;
    this.prefix = redis.config().keyPrefix();
  }

  /** The node's control channel: what other nodes ask of its connections. */
  String controlChannel() {
    return controlChannel(node);
  }

  private String controlChannel(String nodeId) {
    return prefix + ":node:" + nodeId + ":control";
  }

  private String aliveKey(String nodeId) {
    return prefix + ":node:" + nodeId + ":alive";
  }

  private String userKey(String userId) {
    return prefix + ":{u:" + userId + "}:connections";
  }

  /** The heartbeat: this node is alive one more presence timeout. */
  void heartbeat() {
    redis
        .commands()
        .set(aliveKey(node), "1", SetArgs.Builder.px(redis.config().presenceTimeout().toMillis()));
  }

  /** This node stops: the others stop reaching its connections at once. */
  void stop() {
    try {
      redis.commands().del(aliveKey(node));
    } catch (RedisException e) {
      // it expires
    }
  }

  @Override
  public void update(String userId, String connectionId, Set<String> rooms) {
    ObjectNode entry = Json.object();
    entry.put("node", node);
    com.fasterxml.jackson.databind.node.ArrayNode in = entry.putArray("rooms");
    rooms.forEach(in::add);
    redis.async().hset(userKey(userId), connectionId, Json.write(entry));
  }

  @Override
  public void removed(String userId, String connectionId) {
    redis.async().hdel(userKey(userId), connectionId);
  }

  @Override
  public List<Broker.Remote> elsewhere(String userId) {
    Map<String, String> entries;
    try {
      entries = redis.commands().hgetall(userKey(userId));
    } catch (RedisException e) {
      redis.log().warn("Reading the connections of user '{}' from Redis failed", userId, e);
      return List.of();
    }
    List<Broker.Remote> found = new ArrayList<>();
    Map<String, Boolean> alive = new HashMap<>();
    for (Map.Entry<String, String> e : entries.entrySet()) {
      JsonNode entry = parse(e.getValue());
      String at = entry.path("node").asText();
      if (at.equals(node)) {
        continue; // this node's own are the real ones
      }
      if (!alive.computeIfAbsent(at, n -> redis.commands().exists(aliveKey(n)) > 0)) {
        redis.async().hdel(userKey(userId), e.getKey()); // its node died
        continue;
      }
      Set<String> rooms = new LinkedHashSet<>();
      entry.path("rooms").forEach(r -> rooms.add(r.asText()));
      found.add(new Broker.Remote(at, e.getKey(), userId, Set.copyOf(rooms)));
    }
    return found;
  }

  @Override
  public void act(Broker.Remote connection, Broker.Action action) {
    ObjectNode message = Json.object();
    message.put("op", action.op());
    message.put("connectionId", connection.connectionId());
    if (action.roomId() != null) {
      message.put("roomId", action.roomId());
    }
    if (action.eventName() != null) {
      message.put("eventName", action.eventName());
    }
    if (action.data() != null) {
      message.set("data", action.data());
    }
    redis.async().publish(controlChannel(connection.node()), Json.write(message));
  }

  /** On Lettuce's thread: an action for one of this node's connections, done in arrival order. */
  void received(String message) {
    actions.add(message);
    if (actionsScheduled.compareAndSet(false, true)) {
      try {
        redis.executor().execute(this::doActions);
      } catch (RejectedExecutionException stopping) {
        actionsScheduled.set(false);
      }
    }
  }

  private void doActions() {
    String message;
    while ((message = actions.poll()) != null) {
      try {
        perform(parse(message));
      } catch (RuntimeException e) {
        redis.log().warn("An action asked by another node failed: {}", message, e);
      }
    }
    actionsScheduled.set(false);
    if (!actions.isEmpty() && actionsScheduled.compareAndSet(false, true)) {
      redis.executor().execute(this::doActions);
    }
  }

  private void perform(JsonNode action) {
    ClientConnection c = server.connection(action.path("connectionId").asText());
    if (c == null) {
      return; // gone meanwhile
    }
    String roomId = action.path("roomId").asText(null);
    String eventName = action.path("eventName").asText(null);
    switch (action.path("op").asText()) {
      case "join" -> c.join(roomId);
      case "leave" -> c.leave(roomId);
      case "subscribe" -> c.subscribe(roomId, eventName);
      case "subscribeAll" -> c.subscribeAll(roomId);
      case "unsubscribe" -> c.unsubscribe(roomId, eventName);
      case "send" -> c.send(eventName, action.get("data"));
      case "disconnect" -> c.disconnect();
      default -> redis.log().warn("Unknown action from another node: {}", action);
    }
  }

  private static JsonNode parse(String json) {
    try {
      return Json.MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Not JSON in Redis: " + json, e);
    }
  }
}
