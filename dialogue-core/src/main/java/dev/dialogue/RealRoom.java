package dev.dialogue;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.RawValue;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * A room. Its lock orders every change of membership and every delivery, so all participants see
 * one order and offsets follow delivery order. The lock is never held while user code runs; under
 * it the room only enqueues packets, which never blocks.
 */
final class RealRoom implements Room {
  enum Outcome {
    ADMITTED,
    ALREADY_IN,
    FULL,
    GONE
  }

  /** The result of an admission, with the room's position at that moment. */
  record Admission(Outcome outcome, long offset, String epoch) {}

  /**
   * What one delivery did.
   *
   * @param durable completes when the store has the event; null without a store or history
   */
  record Delivery(
      EventMessage message,
      int recipients,
      List<EventMessage> evicted,
      CompletableFuture<Void> durable) {}

  private final Hub hub;
  private final RoomConfig config;

  /** Shared by the members that keep the defaults (see {@link Membership}). */
  private final Set<String> defaultSubscriptions;

  private final long sequence;
  private final boolean createdByClient;
  private volatile boolean configured;
  private final String epoch;
  private final HistoryStore store;
  private volatile long lastActivity;
  private final ReentrantLock lock = new ReentrantLock();
  private final Map<String, Membership> members = new LinkedHashMap<>();
  private final Map<String, Integer> present = new LinkedHashMap<>();
  private final HistoryBuffer history = new HistoryBuffer();

  /** Runs this room's cleanup hand-overs one at a time, in the order events left memory. */
  final SerialExecutor cleanups;

  private final Map<String, List<EventHandler<JsonNode>>> handlers = new ConcurrentHashMap<>();
  private long offset;
  private boolean deleted;
  private volatile int size;

  /**
   * @param position where the store says the room stands (same epoch, next offset), or null for a
   *     room that starts a new epoch at offset 0
   */
  RealRoom(
      Hub hub,
      RoomConfig config,
      long sequence,
      boolean createdByClient,
      HistoryStore store,
      HistoryStore.Position position) {
    this.hub = hub;
    this.config = config;
    this.cleanups = new SerialExecutor(hub.settings().executor(), hub.settings().logger());
    this.defaultSubscriptions = Set.copyOf(config.defaultSubscriptions());
    this.sequence = sequence;
    this.createdByClient = createdByClient;
    this.store = store;
    this.epoch = position == null ? Ids.random() : position.epoch();
    this.offset = position == null ? 0 : position.offset();
    this.lastActivity = System.nanoTime();
  }

  /** When the room last delivered an event or admitted a connection ({@link System#nanoTime()}). */
  long lastActivity() {
    return lastActivity;
  }

  /** Whether a client created the room (and so counts against the client-room limit). */
  boolean createdByClient() {
    return createdByClient;
  }

  /** Whether the room came from the builder's configuration: clients can never delete those. */
  boolean configured() {
    return configured;
  }

  void markConfigured() {
    this.configured = true;
  }

  long sequence() {
    return sequence;
  }

  @Override
  public String id() {
    return config.id();
  }

  @Override
  public String name() {
    return config.name();
  }

  @Override
  public String description() {
    return config.description();
  }

  @Override
  public RoomConfig config() {
    return config;
  }

  @Override
  public String createdById() {
    return config.createdById();
  }

  @Override
  public EventMessage trigger(String eventName, Object data, String from, Map<String, ?> meta) {
    requireNonNull(eventName, "eventName == null");
    requireNonNull(from, "from == null");
    ObjectNode metaNode = meta == null ? null : (ObjectNode) Json.tree(meta);
    return hub.publisher().publish(this, eventName, Json.tree(data), from, metaNode, null);
  }

  @Override
  public <T> Registration on(EventDefinition<T> event, EventHandler<T> handler) {
    requireNonNull(event, "event == null");
    requireNonNull(handler, "handler == null");
    Class<T> type = event.type();
    return on(event.name(), (data, message) -> handler.onEvent(Json.convert(data, type), message));
  }

  @Override
  public Registration on(String eventName, EventHandler<JsonNode> handler) {
    requireNonNull(eventName, "eventName == null");
    requireNonNull(handler, "handler == null");
    List<EventHandler<JsonNode>> list =
        handlers.computeIfAbsent(eventName, k -> new CopyOnWriteArrayList<>());
    list.add(handler);
    return () -> list.remove(handler);
  }

  List<EventHandler<JsonNode>> handlers(String eventName) {
    return handlers.getOrDefault(eventName, List.of());
  }

  @Override
  public int size() {
    return size;
  }

  @Override
  public boolean isFull() {
    return config.maxSize() > 0 && size >= config.maxSize();
  }

  @Override
  public List<ClientConnection> participants() {
    lock.lock();
    try {
      List<ClientConnection> list = new ArrayList<>(members.size());
      for (Membership m : members.values()) {
        list.add(m.connection);
      }
      return list;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public List<EventMessage> history(String eventName, int start, int end) {
    requireNonNull(eventName, "eventName == null");
    if (start < 0 || end < start) {
      throw new IllegalArgumentException("need 0 <= start <= end but were " + start + ", " + end);
    }
    List<EventMessage> memory;
    int inMemory;
    lock.lock();
    try {
      memory = history.page(eventName, start, end);
      inMemory = history.count(eventName);
    } finally {
      lock.unlock();
    }
    if (memory.size() >= end - start) {
      return memory;
    }
    List<EventMessage> result = new ArrayList<>(memory);
    result.addAll(hub.histories().beyondMemory(id(), eventName, inMemory, start, end));
    return result;
  }

  /** The newest {@code limit} events of all names, for history sync on join. */
  List<EventMessage> newestHistory(int limit) {
    lock.lock();
    try {
      return history.newest(limit);
    } finally {
      lock.unlock();
    }
  }

  @Override
  public Set<String> presence() {
    lock.lock();
    try {
      return Set.copyOf(present.keySet());
    } finally {
      lock.unlock();
    }
  }

  List<Wire.PresenceUser> presenceState() {
    lock.lock();
    try {
      List<Wire.PresenceUser> users = new ArrayList<>(present.size());
      present.forEach((user, n) -> users.add(new Wire.PresenceUser(user, n)));
      return users;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public long offset() {
    lock.lock();
    try {
      return offset;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public String epoch() {
    return epoch;
  }

  boolean contains(RealConnection connection) {
    lock.lock();
    try {
      return members.containsKey(connection.id());
    } finally {
      lock.unlock();
    }
  }

  /**
   * Adds a connection. {@code onAdmitted} runs under the lock right after, so that whatever it
   * sends (the join reply) reaches the client before any event delivered after the join.
   */
  Admission admit(RealConnection connection, Consumer<Admission> onAdmitted) {
    lock.lock();
    try {
      if (deleted) {
        return new Admission(Outcome.GONE, offset, epoch);
      }
      if (members.containsKey(connection.id())) {
        return new Admission(Outcome.ALREADY_IN, offset, epoch);
      }
      if (config.maxSize() > 0 && members.size() >= config.maxSize()) {
        return new Admission(Outcome.FULL, offset, epoch);
      }
      lastActivity = System.nanoTime();
      Membership membership = new Membership(connection, this, defaultSubscriptions);
      members.put(connection.id(), membership);
      size = members.size();
      connection.attach(membership);
      Admission admission = new Admission(Outcome.ADMITTED, offset, epoch);
      onAdmitted.accept(admission);
      if (config.presence() && present.merge(connection.userId(), 1, Integer::sum) == 1) {
        broadcastPresence(List.of(connection.userId()), List.of());
      }
      return admission;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Removes a connection; {@code onRemoved} runs under the lock. Returns whether it was in the
   * room.
   */
  boolean remove(RealConnection connection, Runnable onRemoved) {
    lock.lock();
    try {
      Membership membership = members.remove(connection.id());
      if (membership == null) {
        return false;
      }
      size = members.size();
      connection.detach(membership);
      onRemoved.run();
      if (config.presence()) {
        int left = present.merge(connection.userId(), -1, Integer::sum);
        if (left <= 0) {
          present.remove(connection.userId());
          broadcastPresence(List.of(), List.of(connection.userId()));
        }
      }
      return true;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Stores (when {@code historyLimit > 0}, assigning the next offset) and delivers to every
   * subscribed participant, encoding the envelope once.
   */
  Delivery deliver(EventMessage message, int historyLimit) {
    lock.lock();
    try {
      if (deleted) {
        throw new DialogueException(ErrorCode.ROOM_NOT_FOUND, "Room '" + id() + "' does not exist");
      }
      lastActivity = System.nanoTime();
      EventMessage stored = historyLimit > 0 ? message.withOffset(++offset) : message;
      // Only an event kept in history can be part of a later answer (recovery, history pages, the
      // store's copy): encoded first, its JSON is reused by those.
      Broadcast broadcast =
          new Broadcast(
              Wire.EVENT,
              new RawValue(historyLimit > 0 ? EncodedEvents.encode(stored) : Json.write(stored)),
              members.size());
      // Appended under the lock, so the store receives each room's events in offset order.
      CompletableFuture<Void> durable =
          historyLimit > 0 && store != null ? store.append(epoch, stored) : null;
      int recipients = 0;
      for (Membership m : members.values()) {
        if (m.receives(stored.event()) && m.connection.emit(broadcast)) {
          recipients++;
        }
      }
      broadcast.send();
      List<EventMessage> evicted =
          historyLimit > 0 ? history.push(stored, historyLimit) : List.of();
      // Handed over under the lock, so that a room's evictions reach the hook in order.
      hub.hooks().cleanupAsync(this, stored.event(), evicted);
      return new Delivery(stored, recipients, evicted, durable);
    } finally {
      lock.unlock();
    }
  }

  /** Marks the room deleted and empties it; returns the former members and the drained history. */
  Map<String, List<EventMessage>> delete(List<Membership> formerMembers) {
    lock.lock();
    try {
      deleted = true;
      formerMembers.addAll(members.values());
      for (Membership m : members.values()) {
        m.connection.detach(m);
      }
      members.clear();
      present.clear();
      size = 0;
      return history.drain();
    } finally {
      lock.unlock();
    }
  }

  /** The events in memory with an offset above {@code afterOffset}, oldest first. */
  List<EventMessage> historyAfter(long afterOffset) {
    lock.lock();
    try {
      return history.after(afterOffset);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Drops the oldest {@code count} events from memory (the memory budget); returns them by name.
   */
  Map<String, List<EventMessage>> trimOldest(int count) {
    lock.lock();
    try {
      return history.trimOldest(count);
    } finally {
      lock.unlock();
    }
  }

  /** Everything still in memory, for a graceful stop. */
  Map<String, List<EventMessage>> drainHistory() {
    lock.lock();
    try {
      return history.drain();
    } finally {
      lock.unlock();
    }
  }

  private void broadcastPresence(List<String> joins, List<String> leaves) {
    Broadcast broadcast =
        new Broadcast(
            Wire.PRESENCE, Json.raw(new Wire.Presence(id(), joins, leaves)), members.size());
    for (Membership m : members.values()) {
      m.connection.emit(broadcast);
    }
    broadcast.send();
  }

  Wire.RoomInfo info() {
    return new Wire.RoomInfo(
        id(),
        name(),
        description(),
        size,
        config.maxSize() > 0 ? config.maxSize() : null,
        createdById());
  }

  /** The definition triggers of {@code eventName} are validated against, or null. */
  EventDefinition<?> definition(String eventName, Map<String, EventDefinition<?>> global) {
    EventDefinition<?> own = config.event(eventName);
    return own != null ? own : config.anyEvent() ? global.get(eventName) : null;
  }

  @Override
  public String toString() {
    return "Room{" + id() + "}";
  }
}
