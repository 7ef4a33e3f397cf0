package dev.dialogue;

import java.util.Objects;

/**
 * The server's rate limits on what clients do, by scope: pass to {@link
 * Dialogue.Builder#rateLimits}. A request over a limit is not handled; the client gets {@code
 * RATE_LIMITED} with {@code retryAfterMs}, the time until it may try again (docs/limits.md). A
 * CONNECT over a handshake limit is refused with a {@code connect_error} that says the same.
 * Counted on the server's clock ({@link Dialogue.Builder#clock}), exactly under concurrency: of
 * many requests at once, precisely as many as the limit allows pass.
 *
 * <p>Each limit may be {@code null}: no limit in that scope. {@link #defaults()} limits only each
 * connection, far above what an application's client sends (and above what the benchmarks send):
 * 10,000 triggers and 10,000 commands a second; everything else is off until set. Limits of one
 * event and of one room are set on their definitions ({@link EventDefinition.Builder#rateLimit},
 * {@link RoomConfig.Builder#rateLimit}).
 *
 * <pre>{@code
 * Dialogue.builder()
 *     .rateLimits(RateLimits.builder()
 *         .triggersPerConnection(RateLimit.perSecond(50))
 *         .triggersPerUser(RateLimit.perSecond(100))
 *         .connectsPerAddress(RateLimit.perMinute(60).burst(20))
 *         .build())
 * }</pre>
 *
 * <p>Memory is bounded: a key's state is one number, forgotten once its bucket would be full again,
 * and each scope remembers at most {@link Builder#maxKeys} keys (the least recently used go first;
 * a key forgotten that way starts over with a full bucket).
 */
public final class RateLimits {
  private static final RateLimits DEFAULTS = builder().build();

  private final RateLimit triggersPerConnection;
  private final RateLimit triggersPerUser;
  private final RateLimit commandsPerConnection;
  private final RateLimit commandsPerUser;
  private final RateLimit triggersPerRoom;
  private final RateLimit connectsPerAddress;
  private final RateLimit connectsPerUser;
  private final int maxKeys;

  private RateLimits(Builder b) {
    this.triggersPerConnection = b.triggersPerConnection;
    this.triggersPerUser = b.triggersPerUser;
    this.commandsPerConnection = b.commandsPerConnection;
    this.commandsPerUser = b.commandsPerUser;
    this.triggersPerRoom = b.triggersPerRoom;
    this.connectsPerAddress = b.connectsPerAddress;
    this.connectsPerUser = b.connectsPerUser;
    this.maxKeys = b.maxKeys;
  }

  /** The defaults: 10,000 triggers and 10,000 commands a second per connection, nothing else. */
  public static RateLimits defaults() {
    return DEFAULTS;
  }

  /** No rate limit at all. */
  public static RateLimits none() {
    return builder().triggersPerConnection(null).commandsPerConnection(null).build();
  }

  /** A builder that starts from {@link #defaults()}. */
  public static Builder builder() {
    return new Builder();
  }

  /** {@code dialogue:trigger} requests of one connection, or null. */
  public RateLimit triggersPerConnection() {
    return triggersPerConnection;
  }

  /** {@code dialogue:trigger} requests of all of one user's connections together, or null. */
  public RateLimit triggersPerUser() {
    return triggersPerUser;
  }

  /** {@code dialogue:request} (command) requests of one connection, or null. */
  public RateLimit commandsPerConnection() {
    return commandsPerConnection;
  }

  /** {@code dialogue:request} requests of all of one user's connections together, or null. */
  public RateLimit commandsPerUser() {
    return commandsPerUser;
  }

  /**
   * Triggers from clients into one room, all senders together, for rooms whose configuration sets
   * none ({@link RoomConfig.Builder#rateLimit}), or null.
   */
  public RateLimit triggersPerRoom() {
    return triggersPerRoom;
  }

  /** Socket.IO CONNECT attempts from one remote address, or null. */
  public RateLimit connectsPerAddress() {
    return connectsPerAddress;
  }

  /** CONNECT attempts of one user, counted once the authenticator named the user, or null. */
  public RateLimit connectsPerUser() {
    return connectsPerUser;
  }

  /** The most keys (connections, users, rooms, addresses) each scope remembers. */
  public int maxKeys() {
    return maxKeys;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RateLimits r
        && Objects.equals(r.triggersPerConnection, triggersPerConnection)
        && Objects.equals(r.triggersPerUser, triggersPerUser)
        && Objects.equals(r.commandsPerConnection, commandsPerConnection)
        && Objects.equals(r.commandsPerUser, commandsPerUser)
        && Objects.equals(r.triggersPerRoom, triggersPerRoom)
        && Objects.equals(r.connectsPerAddress, connectsPerAddress)
        && Objects.equals(r.connectsPerUser, connectsPerUser)
        && r.maxKeys == maxKeys;
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        triggersPerConnection,
        triggersPerUser,
        commandsPerConnection,
        commandsPerUser,
        triggersPerRoom,
        connectsPerAddress,
        connectsPerUser,
        maxKeys);
  }

  @Override
  public String toString() {
    return "RateLimits{triggersPerConnection="
        + triggersPerConnection
        + ", triggersPerUser="
        + triggersPerUser
        + ", commandsPerConnection="
        + commandsPerConnection
        + ", commandsPerUser="
        + commandsPerUser
        + ", triggersPerRoom="
        + triggersPerRoom
        + ", connectsPerAddress="
        + connectsPerAddress
        + ", connectsPerUser="
        + connectsPerUser
        + ", maxKeys="
        + maxKeys
        + "}";
  }

  /**
   * Builds {@link RateLimits}, starting from the defaults. Every setter takes a {@link RateLimit}
   * or {@code null}, which turns that scope's limit off.
   */
  public static final class Builder {
    private RateLimit triggersPerConnection = RateLimit.perSecond(10_000);
    private RateLimit triggersPerUser;
    private RateLimit commandsPerConnection = RateLimit.perSecond(10_000);
    private RateLimit commandsPerUser;
    private RateLimit triggersPerRoom;
    private RateLimit connectsPerAddress;
    private RateLimit connectsPerUser;
    private int maxKeys = 100_000;

    private Builder() {}

    /** Triggers one connection may send (default 10,000 a second). */
    public Builder triggersPerConnection(RateLimit limit) {
      this.triggersPerConnection = limit;
      return this;
    }

    /** Triggers all of one user's connections may send together (default none). */
    public Builder triggersPerUser(RateLimit limit) {
      this.triggersPerUser = limit;
      return this;
    }

    /** Commands ({@code dialogue:request}) one connection may send (default 10,000 a second). */
    public Builder commandsPerConnection(RateLimit limit) {
      this.commandsPerConnection = limit;
      return this;
    }

    /** Commands all of one user's connections may send together (default none). */
    public Builder commandsPerUser(RateLimit limit) {
      this.commandsPerUser = limit;
      return this;
    }

    /**
     * Triggers from clients into each room, all senders together, unless the room's configuration
     * sets its own (default none). Triggers by server code are never limited.
     */
    public Builder triggersPerRoom(RateLimit limit) {
      this.triggersPerRoom = limit;
      return this;
    }

    /**
     * CONNECT attempts from one remote address, counted before the authenticator runs (default
     * none). Behind a proxy every client has the proxy's address: leave this off there, or keep it
     * well above the proxy's share.
     */
    public Builder connectsPerAddress(RateLimit limit) {
      this.connectsPerAddress = limit;
      return this;
    }

    /**
     * CONNECT attempts of one user (the authenticator's user id), resumptions included (default
     * none).
     */
    public Builder connectsPerUser(RateLimit limit) {
      this.connectsPerUser = limit;
      return this;
    }

    /** The most keys each scope remembers at once (default 100,000). */
    public Builder maxKeys(int maxKeys) {
      if (maxKeys <= 0) {
        throw new IllegalArgumentException("maxKeys must be positive but was " + maxKeys);
      }
      this.maxKeys = maxKeys;
      return this;
    }

    public RateLimits build() {
      return new RateLimits(this);
    }
  }
}
