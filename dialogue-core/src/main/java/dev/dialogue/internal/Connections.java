package dev.dialogue.internal;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;

/**
 * The connection registry: the server's announced connections by id and by user. Thread-safe:
 * connections register and leave on their own serial executors while server code reads.
 */
final class Connections {
  private final Map<String, RealConnection> byId = new ConcurrentHashMap<>();

  /** User id to that user's connections, an immutable set replaced on every change. */
  private final Map<String, Set<RealConnection>> byUser = new ConcurrentHashMap<>();

  void add(RealConnection connection) {
    byId.put(connection.id(), connection);
    byUser.compute(
        connection.userId(),
        (user, set) -> set == null ? Set.of(connection) : CopyOnWrite.plus(set, connection));
  }

  void remove(RealConnection connection) {
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

  /** {@code userId}'s connections, a copy. */
  Collection<RealConnection> ofUser(String userId) {
    Set<RealConnection> set = byUser.get(userId);
    return set == null ? List.of() : List.copyOf(set);
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
