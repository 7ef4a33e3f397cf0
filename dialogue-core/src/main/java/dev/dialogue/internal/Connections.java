package dev.dialogue.internal;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import org.slf4j.Logger;

/**
 * The connection registry: the server's announced connections by id and by user. Thread-safe:
 * connections register and leave on their own serial executors while server code reads.
 */
final class Connections {
  private final Map<String, RealConnection> byId = new ConcurrentHashMap<>();

  /** User id to that user's connections, an immutable set replaced on every change. */
  private final Map<String, Set<RealConnection>> byUser = new ConcurrentHashMap<>();

  /** Resumption token to its connection: one token per connection, while it may be resumed. */
  private final Map<String, RealConnection> byToken = new ConcurrentHashMap<>();

  void add(RealConnection connection) {
    byId.put(connection.id(), connection);
    byUser.compute(
        connection.userId(),
        (user, set) -> set == null ? Set.of(connection) : CopyOnWrite.plus(set, connection));
  }

  void remove(RealConnection connection) {
    forgetToken(connection);
    byId.remove(connection.id());
    synchronized (byId) {
      byId.notifyAll();
    }
    byUser.computeIfPresent(
        connection.userId(),
        (user, set) -> {
          Set<RealConnection> rest = CopyOnWrite.minus(set, connection);
          return rest.isEmpty() ? null : rest;
        });
  }

  /**
   * A new resumption token for {@code connection} (128 random bits), replacing the one it had: each
   * {@code dialogue:connected} carries the only token that is valid from then on.
   */
  String issueToken(RealConnection connection) {
    forgetToken(connection);
    String token = Ids.random();
    connection.resumeToken = token;
    byToken.put(token, connection);
    return token;
  }

  private void forgetToken(RealConnection connection) {
    String old = connection.resumeToken;
    if (old != null) {
      byToken.remove(old, connection);
      connection.resumeToken = null;
    }
  }

  /**
   * The connection {@code token} resumes, claimed for a new session, or null. A token is honoured
   * once, and only for the user it was issued to; another user's attempt leaves it to its owner.
   */
  RealConnection claim(String token, String userId) {
    RealConnection c = token == null ? null : byToken.get(token);
    if (c == null || !c.userId().equals(userId) || !byToken.remove(token, c)) {
      return null;
    }
    if (token.equals(c.resumeToken)) {
      c.resumeToken = null;
    }
    return c.claimForResume() ? c : null;
  }

  /** {@code userId}'s connections, a copy. */
  Collection<RealConnection> ofUser(String userId) {
    Set<RealConnection> set = byUser.get(userId);
    return set == null ? List.of() : List.copyOf(set);
  }

  /** The connection with that id, or null. */
  RealConnection byId(String connectionId) {
    return byId.get(connectionId);
  }

  /** Every connection, a copy. */
  Collection<RealConnection> all() {
    return List.copyOf(byId.values());
  }

  /** Every connection, live: for one pass that tolerates changes meanwhile. */
  Collection<RealConnection> live() {
    return byId.values();
  }

  int size() {
    return byId.size();
  }

  /**
   * Sends to the authenticated connections in {@code audience} but {@code except}, encoding once.
   */
  void broadcast(
      Predicate<RealConnection> audience, String eventName, Object payload, RealConnection except) {
    OutboundEvent broadcast = new OutboundEvent(eventName, Json.raw(payload), size());
    for (RealConnection c : live()) {
      if (c != except && c.isAnnounced() && audience.test(c)) {
        c.emit(broadcast);
      }
    }
    broadcast.send();
  }

  /** The rooms any of {@code userId}'s connections is in. */
  Set<String> roomsOf(String userId) {
    Set<String> ids = new LinkedHashSet<>();
    for (RealConnection c : ofUser(userId)) {
      ids.addAll(c.rooms());
    }
    return Set.copyOf(ids);
  }

  /** Whether any of {@code userId}'s connections is in {@code roomId}. */
  boolean isInRoom(String userId, String roomId) {
    for (RealConnection c : ofUser(userId)) {
      if (c.membership(roomId) != null) {
        return true;
      }
    }
    return false;
  }

  /** Waits until no connection is left, up to {@code timeoutMillis}; logs those still there. */
  void awaitEmpty(long timeoutMillis, Logger log) {
    long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
    synchronized (byId) {
      while (!byId.isEmpty() && System.nanoTime() < deadline) {
        try {
          byId.wait(10);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
    if (!byId.isEmpty()) {
      log.warn("{} connections still ending after {} ms", byId.size(), timeoutMillis);
    }
  }
}
