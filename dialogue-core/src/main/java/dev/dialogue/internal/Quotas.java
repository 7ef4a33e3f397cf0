package dev.dialogue.internal;

import dev.dialogue.DialogueException;
import dev.dialogue.ErrorCode;
import dev.dialogue.EventDefinition;
import dev.dialogue.RateLimit;
import dev.dialogue.RateLimits;
import dev.dialogue.RoomConfig;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The abuse controls (docs/limits.md): the rate limits of clients' triggers and commands by
 * connection, user, room and event, of handshakes by address and user, and the counts of each
 * user's connections and rooms. Each check either passes or refuses: a request with {@link
 * RateLimited} or a {@link DialogueException}, a handshake with a {@link Refusal}. Thread-safe; a
 * scope that is off costs nothing.
 */
public final class Quotas {
  /** Why a CONNECT is refused: the {@code connect_error}'s message, code and wait (or 0). */
  public record Refusal(String message, ErrorCode code, long retryAfterMs) {}

  private static final char SEP = '\u0000';

  private final RateLimits rates;
  private final Clock clock;
  private final RateLimiter triggersPerConnection;
  private final RateLimiter triggersPerUser;
  private final RateLimiter commandsPerConnection;
  private final RateLimiter commandsPerUser;
  private final RateLimiter connectsPerAddress;
  private final RateLimiter connectsPerUser;

  /** The limiters of rooms and events, one per distinct limit, made on first use. */
  private final ConcurrentMap<RateLimit, RateLimiter> perLimit = new ConcurrentHashMap<>();

  private final int maxConnectionsPerUser;

  /** Each user's connections, counted from the handshake that admits one to its end. */
  private final ConcurrentMap<String, Integer> connections = new ConcurrentHashMap<>();

  private final int maxRoomsPerUser;

  /** Each user's rooms, with how many of the user's connections are in each. */
  private final ConcurrentMap<String, Map<String, Integer>> rooms = new ConcurrentHashMap<>();

  Quotas(Settings.LimitSettings limits, Clock clock) {
    this.rates = limits.rateLimits();
    this.clock = clock;
    this.triggersPerConnection = limiter(rates.triggersPerConnection());
    this.triggersPerUser = limiter(rates.triggersPerUser());
    this.commandsPerConnection = limiter(rates.commandsPerConnection());
    this.commandsPerUser = limiter(rates.commandsPerUser());
    this.connectsPerAddress = limiter(rates.connectsPerAddress());
    this.connectsPerUser = limiter(rates.connectsPerUser());
    this.maxConnectionsPerUser = limits.maxConnectionsPerUser();
    this.maxRoomsPerUser = limits.maxRoomsPerUser();
  }

  private RateLimiter limiter(RateLimit limit) {
    return limit == null ? null : new RateLimiter(limit, rates.maxKeys(), clock);
  }

  // ---- requests ----

  /** Counts a {@code dialogue:trigger} of {@code c}, valid or not. */
  void trigger(RealConnection c) {
    // The message is made only for a refusal: this runs for every trigger.
    long wait = wait(triggersPerConnection, c.id());
    if (wait > 0) {
      throw refusal(triggersPerConnection, wait, "triggers from this connection");
    }
    wait = wait(triggersPerUser, c.userId());
    if (wait > 0) {
      throw refusal(triggersPerUser, wait, "triggers from user '" + c.userId() + "'");
    }
  }

  /** Counts a {@code dialogue:request} of {@code c}, valid or not. */
  void command(RealConnection c) {
    long wait = wait(commandsPerConnection, c.id());
    if (wait > 0) {
      throw refusal(commandsPerConnection, wait, "commands from this connection");
    }
    wait = wait(commandsPerUser, c.userId());
    if (wait > 0) {
      throw refusal(commandsPerUser, wait, "commands from user '" + c.userId() + "'");
    }
  }

  /**
   * Counts a member's trigger of {@code eventName} into the room of {@code config}: the room's
   * limit (its own, or the server's for every room) and the event's, per connection and room.
   *
   * @param definition the event's definition in that room, or null
   */
  void triggerInRoom(
      RealConnection c, RoomConfig config, String eventName, EventDefinition<?> definition) {
    RateLimit room = config.rateLimit() != null ? config.rateLimit() : rates.triggersPerRoom();
    if (room != null) {
      RateLimiter limiter = shared(room);
      long wait = wait(limiter, config.id());
      if (wait > 0) {
        throw refusal(limiter, wait, "triggers in room '" + config.id() + "'");
      }
    }
    RateLimit event = definition == null ? null : definition.rateLimit();
    if (event != null) {
      RateLimiter limiter = shared(event);
      long wait = wait(limiter, c.id() + SEP + config.id() + SEP + eventName);
      if (wait > 0) {
        throw refusal(
            limiter,
            wait,
            "'" + eventName + "' events from this connection in room '" + config.id() + "'");
      }
    }
  }

  private RateLimiter shared(RateLimit limit) {
    return perLimit.computeIfAbsent(limit, l -> new RateLimiter(l, rates.maxKeys(), clock));
  }

  /** Takes a token of {@code key} (none when the scope is off: 0); see {@link RateLimiter#take}. */
  private static long wait(RateLimiter limiter, String key) {
    return limiter == null ? 0 : limiter.take(key);
  }

  /** The refusal of {@code what} by {@code limiter}, which asked to wait {@code nanos}. */
  private static RateLimited refusal(RateLimiter limiter, long nanos, String what) {
    long ms = Math.max(1, RateLimiter.millisUp(nanos));
    return new RateLimited(
        "Too many " + what + " (limit " + words(limiter.limit()) + "); retry in " + ms + " ms", ms);
  }

  private static String words(RateLimit limit) {
    String per = Durations.words(limit.period());
    String rate = limit.permits() + " per " + (per.equals("1 s") ? "s" : per);
    return limit.burst() == limit.permits() ? rate : rate + ", bursts of " + limit.burst();
  }

  // ---- handshakes ----

  /** The refusal of a CONNECT from {@code address} (before authentication), or null. */
  public Refusal connectFrom(String address) {
    return address == null ? null : rate(connectsPerAddress, address, "from this address");
  }

  /** The refusal of an authenticated CONNECT of {@code userId} (resumptions too), or null. */
  public Refusal connectAs(String userId) {
    return rate(connectsPerUser, userId, "of user '" + userId + "'");
  }

  /**
   * The refusal of a new connection of {@code userId} (not a resumption), or null: an admitted one
   * takes one of the user's places, which {@link #connectionEnded} gives back.
   */
  public Refusal newConnection(String userId) {
    if (maxConnectionsPerUser == Integer.MAX_VALUE) {
      return null;
    }
    boolean[] taken = {false};
    connections.compute(
        userId,
        (user, n) -> {
          int now = n == null ? 0 : n;
          if (now >= maxConnectionsPerUser) {
            return n;
          }
          taken[0] = true;
          return now + 1;
        });
    return taken[0]
        ? null
        : new Refusal(
            "User '"
                + userId
                + "' already has "
                + maxConnectionsPerUser
                + " connections, the most allowed",
            ErrorCode.TOO_MANY_CONNECTIONS,
            0);
  }

  /** A connection admitted by {@link #connectAs} ended: its user's place is free again. */
  void connectionEnded(String userId) {
    if (maxConnectionsPerUser != Integer.MAX_VALUE) {
      connections.computeIfPresent(userId, (user, n) -> n <= 1 ? null : n - 1);
    }
  }

  private static Refusal rate(RateLimiter limiter, String key, String whose) {
    if (limiter == null) {
      return null;
    }
    long wait = limiter.take(key);
    if (wait <= 0) {
      return null;
    }
    long ms = Math.max(1, RateLimiter.millisUp(wait));
    return new Refusal(
        "Too many connection attempts "
            + whose
            + " (limit "
            + words(limiter.limit())
            + "); retry in "
            + ms
            + " ms",
        ErrorCode.RATE_LIMITED,
        ms);
  }

  // ---- rooms per user ----

  /**
   * Takes {@code roomId} among {@code userId}'s rooms, before the user's connection is admitted to
   * it; a room the user is in already (on another connection) takes no new place. Every call is
   * matched by one {@link #roomLeft} once that connection is not in the room (or was not admitted).
   *
   * @throws DialogueException {@code TOO_MANY_ROOMS} when the user is in the most rooms allowed
   */
  void joining(String userId, String roomId) {
    if (maxRoomsPerUser == Integer.MAX_VALUE) {
      return;
    }
    boolean[] taken = {false};
    rooms.compute(
        userId,
        (user, in) -> {
          Integer here = in == null ? null : in.get(roomId);
          if (here == null && in != null && in.size() >= maxRoomsPerUser) {
            return in;
          }
          Map<String, Integer> next = in == null ? new HashMap<>() : in;
          next.put(roomId, here == null ? 1 : here + 1);
          taken[0] = true;
          return next;
        });
    if (!taken[0]) {
      throw new DialogueException(
          ErrorCode.TOO_MANY_ROOMS,
          "User '" + userId + "' is in " + maxRoomsPerUser + " rooms, the most allowed");
    }
  }

  /** One of {@code userId}'s connections is no longer in {@code roomId}: see {@link #joining}. */
  void roomLeft(String userId, String roomId) {
    if (maxRoomsPerUser == Integer.MAX_VALUE) {
      return;
    }
    rooms.computeIfPresent(
        userId,
        (user, in) -> {
          in.computeIfPresent(roomId, (room, n) -> n <= 1 ? null : n - 1);
          return in.isEmpty() ? null : in;
        });
  }

  /** Whether rooms are counted per user, so that joins and leaves must tell. */
  boolean countsRooms() {
    return maxRoomsPerUser != Integer.MAX_VALUE;
  }
}
