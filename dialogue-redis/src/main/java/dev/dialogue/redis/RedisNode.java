package dev.dialogue.redis;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.dialogue.DialogueException;
import dev.dialogue.ErrorCode;
import dev.dialogue.EventMessage;
import dev.dialogue.HistoryStore;
import dev.dialogue.internal.Broker;
import dev.dialogue.internal.Idempotency;
import dev.dialogue.internal.Json;
import dev.dialogue.internal.PresenceStore;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;

/**
 * The {@link Broker} of one node on Redis: one multiplexed connection for commands and scripts, one
 * for the channels of the rooms with members here, and a timer that checks the rooms now and then.
 * Lettuce's threads only hand work over: whatever waits for Redis or takes a room's lock runs on
 * the server's executor or the request's own thread.
 */
final class RedisNode implements Broker {
  private static final long STORE_WAIT_MILLIS = 30_000;

  private final RedisBroker config;
  private final HistoryStore store;
  private final Idempotency idempotency;
  private final long idempotencyWindowMillis;
  private final Executor executor;
  private final Logger log;
  private final RedisClient client;
  private final StatefulRedisConnection<String, String> connection;
  private final StatefulRedisPubSubConnection<String, String> pubsub;
  private final Script publish = Script.load("publish.lua");
  private final Script position = Script.load("position.lua");
  private final Script delete = Script.load("delete.lua");
  private final Map<String, RedisStream> byChannel = new ConcurrentHashMap<>();
  private final RedisPresence presence;
  private final RedisDirectory directory;
  private final ScheduledExecutorService timer;

  RedisNode(RedisBroker config, Broker.Server server) {
    this.config = config;
    this.store = server.history().store();
    Clock clock = server.runtime().clock();
    this.idempotency = new Idempotency(server.history(), clock);
    this.idempotencyWindowMillis = server.history().idempotencyWindow().toMillis();
    this.executor = server.runtime().executor();
    this.log = server.runtime().logger();
    RedisURI uri = RedisURI.create(config.uri());
    uri.setTimeout(config.timeout());
    this.client = RedisClient.create(uri);
    // While Redis is unreachable, commands fail at once (UNAVAILABLE) instead of queueing; the
    // connections reconnect, and the channel connection subscribes its channels again.
    client.setOptions(
        ClientOptions.builder()
            .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
            .build());
    try {
      this.connection = client.connect();
      this.pubsub = client.connectPubSub();
    } catch (RedisException e) {
      client.shutdown();
      throw new IllegalStateException("Cannot connect to Redis at " + config.uri(), e);
    }
    pubsub.addListener(
        new RedisPubSubAdapter<>() {
          @Override
          public void message(String channel, String message) {
            if (channel.equals(directory.controlChannel())) {
              directory.received(message); // hands over to the executor
              return;
            }
            RedisStream stream = byChannel.get(channel);
            if (stream != null) {
              stream.received(message); // hands over to the executor
            }
          }
        });
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "dialogue-redis-check");
              t.setDaemon(true);
              return t;
            });
    this.presence = new RedisPresence(this);
    this.directory = new RedisDirectory(this, server, dev.dialogue.internal.Ids.random());
    try {
      directory.heartbeat();
      pubsub.sync().subscribe(directory.controlChannel());
    } catch (RedisException e) {
      throw new IllegalStateException("Cannot reach Redis at " + config.uri(), e);
    }
    long every = config.checkInterval().toMillis();
    timer.scheduleWithFixedDelay(this::checkRooms, every, every, TimeUnit.MILLISECONDS);
    long beat = Math.max(1, config.presenceTimeout().toMillis() / 3);
    timer.scheduleWithFixedDelay(this::heartbeat, beat, beat, TimeUnit.MILLISECONDS);
  }

  RedisBroker config() {
    return config;
  }

  Logger log() {
    return log;
  }

  Executor executor() {
    return executor;
  }

  HistoryStore store() {
    return store;
  }

  long idempotencyWindowMillis() {
    return idempotencyWindowMillis;
  }

  @Override
  public Stream open(String roomId, ReentrantLock lock, Node node) {
    RedisStream stream =
        new RedisStream(this, roomId, Keys.of(config.keyPrefix(), roomId), lock, node);
    byChannel.put(stream.keys().channel(), stream);
    return stream;
  }

  @Override
  public PresenceStore presence() {
    return presence;
  }

  @Override
  public Directory directory() {
    return directory;
  }

  @Override
  public boolean durable() {
    return true; // history beyond what a node holds is read from Redis (or the store)
  }

  @Override
  public boolean keepsHistoryInMemory() {
    return false;
  }

  @Override
  public List<EventMessage> after(String roomId, long sinceOffset, int limit) {
    Keys keys = Keys.of(config.keyPrefix(), roomId);
    RedisStream stream = byChannel.get(keys.channel());
    if (stream != null && stream.holdsEverythingAfter(sinceOffset)) {
      // The join takes them from the node's recent events under the room's lock (Stream.after):
      // a storm of recovering clients reads nothing from Redis.
      return List.of();
    }
    List<EventMessage> found;
    try {
      found = range(keys, sinceOffset + 1, Long.MAX_VALUE, limit);
    } catch (DialogueException e) {
      log.error("Reading room '{}' after offset {} from Redis failed", roomId, sinceOffset, e);
      found = List.of();
    }
    boolean complete = !found.isEmpty() && found.get(0).offset() == sinceOffset + 1;
    if (!complete && store != null) {
      try {
        // Beyond the stream's window: the store has every committed event.
        return store.eventsAfter(roomId, sinceOffset, limit);
      } catch (DialogueException e) {
        log.error(
            "Reading room '{}' after offset {} from the store failed", roomId, sinceOffset, e);
      }
    }
    return found;
  }

  @Override
  public List<EventMessage> page(String roomId, String eventName, int start, int end) {
    if (store != null) {
      try {
        return store.history(roomId, eventName, start, end);
      } catch (DialogueException e) {
        log.error("Reading history of room '{}' from the store failed", roomId, e);
        return List.of();
      }
    }
    if (end <= start) {
      return List.of();
    }
    try {
      List<String> json =
          connection
              .sync()
              .lrange(Keys.of(config.keyPrefix(), roomId).history(eventName), start, end - 1);
      List<EventMessage> page = new ArrayList<>(json.size());
      for (String j : json) {
        page.add(parse(j));
      }
      return page;
    } catch (RedisException e) {
      log.error("Reading history of room '{}' from Redis failed", roomId, e);
      return List.of();
    }
  }

  @Override
  public void deleteRoom(String roomId) {
    Keys keys = Keys.of(config.keyPrefix(), roomId);
    try {
      run(
          delete,
          new String[] {keys.epoch(), keys.offset(), keys.stream(), keys.names(), keys.seats()},
          keys.historyPrefix());
    } catch (DialogueException e) {
      log.error("Deleting room '{}' in Redis failed", roomId, e);
    }
    if (store != null) {
      try {
        store.deleteRoom(roomId).get(STORE_WAIT_MILLIS, TimeUnit.MILLISECONDS);
      } catch (Exception e) {
        log.error("Deleting the stored history of room '{}' failed", roomId, e);
      }
    }
  }

  // ---- idempotent publish (PROTOCOL 8.3), across nodes ----

  @Override
  public Idempotency.First earlier(
      String roomId,
      String userId,
      String clientMessageId,
      CompletableFuture<Idempotency.First> mine) {
    // First on this node: another node may have published it (the publish script checks again,
    // atomically, for two nodes at once).
    return idempotency.earlier(
        userId,
        clientMessageId,
        mine,
        () -> remembered(roomId, userId, clientMessageId),
        STORE_WAIT_MILLIS);
  }

  @Override
  public Idempotency.First published(String roomId, String userId, String clientMessageId) {
    Idempotency.First first = idempotency.published(userId, clientMessageId);
    if (first != null) {
      return first.message().roomId().equals(roomId) ? first : null;
    }
    return remembered(roomId, userId, clientMessageId);
  }

  private Idempotency.First remembered(String roomId, String userId, String clientMessageId) {
    try {
      String json =
          connection.sync().get(Keys.of(config.keyPrefix(), roomId).id(userId, clientMessageId));
      return json == null
          ? null
          : new Idempotency.First(parse(json), CompletableFuture.completedFuture(null));
    } catch (RedisException e) {
      log.warn(
          "Looking up a clientMessageId in Redis failed; the publish script checks it again", e);
      return null;
    }
  }

  @Override
  public void release(
      String userId, String clientMessageId, CompletableFuture<Idempotency.First> mine) {
    idempotency.release(userId, clientMessageId, mine);
  }

  @Override
  public void close() {
    timer.shutdownNow();
    directory.stop();
    try {
      pubsub.close();
      connection.close();
    } finally {
      client.shutdown();
    }
    if (store != null) {
      try {
        store.close();
      } catch (Exception e) {
        log.error("Closing the history store failed", e);
      }
    }
  }

  // ---- for the streams ----

  /** Runs a script that answers a list; failures become {@code UNAVAILABLE}. */
  List<Object> run(Script script, String[] keys, String... args) {
    return run(script, ScriptOutputType.MULTI, keys, args);
  }

  /** Runs a script that answers a number. */
  long runForNumber(Script script, String[] keys, String... args) {
    Long n = run(script, ScriptOutputType.INTEGER, keys, args);
    return n == null ? 0 : n;
  }

  /** Runs a script, loaded once per Redis server (EVALSHA, or EVAL when Redis lacks it). */
  private <T> T run(Script script, ScriptOutputType type, String[] keys, String... args) {
    RedisCommands<String, String> sync = connection.sync();
    try {
      try {
        return sync.evalsha(script.sha(), type, keys, args);
      } catch (RedisNoScriptException notLoaded) { // a new or restarted Redis
        return sync.eval(script.text(), type, keys, args);
      }
    } catch (RedisException e) {
      throw unavailable(e);
    }
  }

  /** Whether Redis answers a PING within the timeout. */
  boolean ping() {
    try {
      return "PONG".equals(connection.sync().ping());
    } catch (RedisException e) {
      return false;
    }
  }

  RedisPresence presenceStore() {
    return presence;
  }

  io.lettuce.core.api.async.RedisAsyncCommands<String, String> async() {
    return connection.async();
  }

  RedisCommands<String, String> commands() {
    return connection.sync();
  }

  Script publishScript() {
    return publish;
  }

  /** The room's epoch (made on first use with {@code candidate}) and last offset in Redis. */
  List<Object> position(Keys keys, String candidate) {
    return run(position, new String[] {keys.epoch(), keys.offset()}, candidate);
  }

  /** The room's stream from offset {@code from} to {@code to}, both included, oldest first. */
  List<EventMessage> range(Keys keys, long from, long to, int limit) {
    try {
      List<StreamMessage<String, String>> entries =
          connection
              .sync()
              .xrange(
                  keys.stream(),
                  Range.from(
                      Range.Boundary.including(from + "-0"),
                      to == Long.MAX_VALUE
                          ? Range.Boundary.unbounded()
                          : Range.Boundary.including(to + "-0")),
                  Limit.from(limit));
      return parse(entries);
    } catch (RedisException e) {
      throw unavailable(e);
    }
  }

  /** The newest {@code limit} events of the stream up to offset {@code to}, newest first. */
  List<EventMessage> newest(Keys keys, long to, int limit) {
    try {
      return parse(
          connection
              .sync()
              .xrevrange(
                  keys.stream(),
                  Range.from(Range.Boundary.unbounded(), Range.Boundary.including(to + "-0")),
                  Limit.from(limit)));
    } catch (RedisException e) {
      throw unavailable(e);
    }
  }

  /** Listens to the room's channel; waits until Redis confirms. */
  void subscribe(Keys keys) {
    try {
      pubsub
          .async()
          .subscribe(keys.channel())
          .get(config.timeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw unavailable(e);
    } catch (Exception e) {
      throw unavailable(e);
    }
  }

  /** Stops listening to the room's channel (not waited for). */
  void unsubscribe(Keys keys) {
    pubsub.async().unsubscribe(keys.channel());
  }

  /** The room was deleted on this node. */
  void forget(RedisStream stream) {
    byChannel.remove(stream.keys().channel(), stream);
  }

  /** On the timer: this node's present connections stay present; dead nodes' ones leave. */
  private void heartbeat() {
    try {
      directory.heartbeat();
      presence.refresh();
      for (RedisStream stream : byChannel.values()) {
        presence.expire(stream.keys());
      }
    } catch (RuntimeException e) {
      log.warn("The presence heartbeat to Redis failed; it is tried again", e);
    }
  }

  private void checkRooms() {
    for (RedisStream stream : byChannel.values()) {
      try {
        executor.execute(stream::check);
      } catch (RejectedExecutionException stopping) {
        return;
      }
    }
  }

  private DialogueException unavailable(Exception e) {
    return new DialogueException(
        ErrorCode.UNAVAILABLE,
        "Redis at "
            + config.uri()
            + " did not answer within "
            + config.timeout().toMillis()
            + " ms ("
            + e.getClass().getSimpleName()
            + "); retry, with the same clientMessageId for a trigger",
        e);
  }

  private static List<EventMessage> parse(List<StreamMessage<String, String>> entries) {
    List<EventMessage> events = new ArrayList<>(entries.size());
    for (StreamMessage<String, String> entry : entries) {
      events.add(parse(entry.getBody().get("e")));
    }
    return events;
  }

  static EventMessage parse(String json) {
    try {
      return Json.MAPPER.readValue(json, EventMessage.class);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("An event in Redis is not an event envelope: " + json, e);
    }
  }

  /** A Lua script of this module, with its SHA-1 for EVALSHA. */
  record Script(String text, String sha) {
    static Script load(String name) {
      try (InputStream in = RedisNode.class.getResourceAsStream(name)) {
        if (in == null) {
          throw new IllegalStateException("Missing script " + name);
        }
        String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        return new Script(text, sha1(text));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    private static String sha1(String text) {
      try {
        byte[] digest =
            java.security.MessageDigest.getInstance("SHA-1")
                .digest(text.getBytes(StandardCharsets.UTF_8));
        StringBuilder hex = new StringBuilder(40);
        for (byte b : digest) {
          hex.append(Character.forDigit((b >> 4) & 0xf, 16))
              .append(Character.forDigit(b & 0xf, 16));
        }
        return hex.toString();
      } catch (java.security.NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
    }
  }
}
