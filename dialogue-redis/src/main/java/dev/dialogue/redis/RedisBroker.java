package dev.dialogue.redis;

import static java.util.Objects.requireNonNull;

import dev.dialogue.BrokerProvider;
import dev.dialogue.internal.Broker;
import java.time.Duration;

/**
 * Several Dialogue servers (nodes) sharing their rooms through one Redis server: give it to {@link
 * dev.dialogue.Dialogue.Builder#broker(BrokerProvider)} on every node.
 *
 * <pre>{@code
 * Dialogue server = Dialogue.builder()
 *     .room(RoomConfig.builder("chat").events(message).build())
 *     .broker(RedisBroker.create("redis://127.0.0.1:6379"))
 *     .build();
 * }</pre>
 *
 * <p>Redis numbers each room's events (one Lua script per publish: idempotency, offset, stream,
 * history, channel), so every node's members see one order whoever published. A node listens to a
 * room's channel only while the room has members on it. A client's position (epoch, offset) is
 * recovered on any node from the room's stream in Redis. The guarantees, and what happens when a
 * node or Redis goes away, are in {@code docs/scaling.md}.
 *
 * <p>Its settings are immutable: each {@code with...} method returns a copy; give each server its
 * own (or the same one to servers built one after another: {@link #reachable} asks the last).
 */
public final class RedisBroker implements BrokerProvider, Broker.Factory {
  private final String uri;
  private final String keyPrefix;
  private final int streamLength;
  private final Duration timeout;
  private final Duration checkInterval;
  private final Duration presenceTimeout;

  private RedisBroker(
      String uri,
      String keyPrefix,
      int streamLength,
      Duration timeout,
      Duration checkInterval,
      Duration presenceTimeout) {
    this.uri = uri;
    this.keyPrefix = keyPrefix;
    this.streamLength = streamLength;
    this.timeout = timeout;
    this.checkInterval = checkInterval;
    this.presenceTimeout = presenceTimeout;
  }

  /**
   * A broker on the Redis server at {@code uri} ({@code redis://host:port}, with a password as
   * {@code redis://:password@host:port}; see Lettuce's {@code RedisURI}).
   */
  public static RedisBroker create(String uri) {
    requireNonNull(uri, "uri == null");
    return new RedisBroker(
        uri,
        "dialogue",
        10_000,
        Duration.ofSeconds(2),
        Duration.ofSeconds(5),
        Duration.ofSeconds(10));
  }

  /** The prefix of every key and channel (default {@code dialogue}), for sharing one Redis. */
  public RedisBroker withKeyPrefix(String prefix) {
    requireNonNull(prefix, "prefix == null");
    if (prefix.isBlank() || prefix.contains("{") || prefix.contains("}")) {
      throw new IllegalArgumentException(
          "keyPrefix must be non-blank without '{' or '}' but was '" + prefix + "'");
    }
    return new RedisBroker(uri, prefix, streamLength, timeout, checkInterval, presenceTimeout);
  }

  /**
   * About how many of a room's newest events its stream in Redis keeps for recovery (default
   * 10,000; Redis trims with {@code MAXLEN ~}, so a few more may stay). A client that missed more
   * recovers from the history store, if there is one, or is told it did not recover.
   */
  public RedisBroker withStreamLength(int events) {
    if (events <= 0) {
      throw new IllegalArgumentException("streamLength must be positive but was " + events);
    }
    return new RedisBroker(uri, keyPrefix, events, timeout, checkInterval, presenceTimeout);
  }

  /**
   * How long a call to Redis may take (default 2 s). A publish that gets no answer in time fails
   * with {@code UNAVAILABLE}, and so does one made while Redis is unreachable.
   */
  public RedisBroker withTimeout(Duration timeout) {
    requireNonNull(timeout, "timeout == null");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive but was " + timeout);
    }
    return new RedisBroker(uri, keyPrefix, streamLength, timeout, checkInterval, presenceTimeout);
  }

  /**
   * How often a node checks its rooms (default 5 s): it stops listening to rooms without members on
   * it and catches up a room whose last event it missed.
   */
  public RedisBroker withCheckInterval(Duration interval) {
    requireNonNull(interval, "interval == null");
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("checkInterval must be positive but was " + interval);
    }
    return new RedisBroker(uri, keyPrefix, streamLength, timeout, interval, presenceTimeout);
  }

  /**
   * How long a connection stays present without its node's heartbeat (default 10 s; the node
   * refreshes its connections every third of it). When a node dies, its members leave every room
   * within about this time, each announced once.
   */
  public RedisBroker withPresenceTimeout(Duration timeout) {
    requireNonNull(timeout, "timeout == null");
    if (timeout.toMillis() < 3) {
      throw new IllegalArgumentException(
          "presenceTimeout must be at least 3 ms but was " + timeout);
    }
    return new RedisBroker(uri, keyPrefix, streamLength, this.timeout, checkInterval, timeout);
  }

  Duration presenceTimeout() {
    return presenceTimeout;
  }

  String uri() {
    return uri;
  }

  String keyPrefix() {
    return keyPrefix;
  }

  int streamLength() {
    return streamLength;
  }

  Duration timeout() {
    return timeout;
  }

  Duration checkInterval() {
    return checkInterval;
  }

  /** The node this broker made last (one per server), for {@link #reachable()}. */
  private volatile RedisNode node;

  @Override
  public Broker open(Broker.Server server) {
    RedisNode opened = new RedisNode(this, server);
    node = opened;
    return opened;
  }

  /**
   * Whether the server's Redis answers a {@code PING} within the {@linkplain #withTimeout timeout}
   * (false before the server is built): a readiness check, such as {@code
   * Operations.Builder.readinessCheck("redis", broker::reachable)} of {@code dialogue-micrometer}.
   */
  public boolean reachable() {
    RedisNode current = node;
    return current != null && current.ping();
  }
}
