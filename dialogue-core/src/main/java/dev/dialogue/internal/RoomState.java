package dev.dialogue.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.util.RawValue;
import dev.dialogue.ClientConnection;
import dev.dialogue.DialogueException;
import dev.dialogue.ErrorCode;
import dev.dialogue.EventDefinition;
import dev.dialogue.EventHandler;
import dev.dialogue.EventMessage;
import dev.dialogue.Room;
import dev.dialogue.RoomConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A room's state behind its face ({@link RealRoom}): the members and their subscriptions, presence,
 * the stream of events ({@link Broker.Stream}: offsets, memory history, events waiting for their
 * commit) and the handlers. Its lock orders every change of membership and every delivery, so all
 * participants see one order and offsets follow delivery order. The lock is never held while user
 * code runs; under it the room only enqueues packets, which never blocks.
 *
 * <p>The engine (publishing, joining, the memory budget) works on this; only the application sees
 * the face.
 */
public final class RoomState implements Broker.Node {
  enum Outcome {
    ADMITTED,
    /** A member held since its connection resumed came back: see {@link #hold}. */
    RESUMED,
    ALREADY_IN,
    FULL,
    GONE
  }

  /**
   * The result of an admission, with the room's position at that moment.
   *
   * @param membership the member's place, for {@link Outcome#ADMITTED} and {@link Outcome#RESUMED}
   *     only
   */
  public record Admission(Outcome outcome, long offset, String epoch, Membership membership) {}

  /**
   * Who disposes of the room once it is empty ({@link #disposeWhenEmpty}): called under the room's
   * lock each time the room becomes empty (and when the rule is set on an empty room); it only
   * schedules. {@code vacancy} names that emptiness: {@link #deleteIfVacant} deletes only if the
   * room stayed empty since.
   */
  interface Vacancy {
    /** Returns what cancels the scheduled disposal when someone joins first. */
    Deadlines.Handle emptied(RoomState room, long vacancy);
  }

  private final Room face;
  private final RoomConfig config;

  /** Shared by the members that keep the defaults (see {@link Membership}). */
  private final Set<String> defaultSubscriptions;

  private final long sequence;
  private final boolean createdByClient;
  private volatile boolean configured;
  private volatile long lastActivity;
  private final Hooks hooks;
  private final PresenceStore presence;
  private final ReentrantLock lock = new ReentrantLock();
  private final Map<String, Membership> members = new LinkedHashMap<>();
  private final Broker.Stream stream;

  /** Runs this room's cleanup hand-overs one at a time, in the order events left memory. */
  final SerialExecutor cleanups;

  /**
   * The room's serial executor, like an actor's mailbox: the application's code for this room (its
   * event handlers, {@code onTriggered} and {@code afterEach} for its events, its command handlers,
   * {@code onJoined} and {@code onLeft}) runs here one task at a time, in the room's order, on the
   * hook executor; different rooms' tasks run in parallel.
   */
  final SerialExecutor serial;

  private final Map<String, List<EventHandler<JsonNode>>> handlers = new ConcurrentHashMap<>();

  private boolean deleted;
  private volatile int size;

  /** The disposal rule, or null; see {@link #disposeWhenEmpty}. Guarded by the lock. */
  private Vacancy disposal;

  /** Counts the times the room became empty; guarded by the lock. */
  private long vacancy;

  /** Cancels the disposal scheduled for the current emptiness, or null. Guarded by the lock. */
  private Deadlines.Handle pendingDisposal;

  /**
   * @param face what the application and the hooks see of this room
   */
  RoomState(
      Room face,
      RoomConfig config,
      long sequence,
      boolean createdByClient,
      Broker broker,
      PresenceStore presence,
      Hooks hooks,
      Settings.RuntimeSettings runtime) {
    this.face = face;
    this.config = config;
    this.cleanups = new SerialExecutor(runtime.executor(), runtime.logger());
    this.serial = new SerialExecutor(runtime.executor(), runtime.logger());
    this.defaultSubscriptions = Set.copyOf(config.defaultSubscriptions());
    this.sequence = sequence;
    this.createdByClient = createdByClient;
    this.hooks = hooks;
    this.presence = presence;
    this.stream = broker.open(config.id(), lock, this);
    this.lastActivity = System.nanoTime();
  }

  /** What the application and the hooks see of this room. */
  public Room face() {
    return face;
  }

  public String id() {
    return config.id();
  }

  public RoomConfig config() {
    return config;
  }

  public String epoch() {
    return stream.epoch();
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

  int size() {
    return size;
  }

  /** The definition triggers of {@code eventName} are validated against, or null. */
  EventDefinition<?> definition(String eventName, Map<String, EventDefinition<?>> global) {
    EventDefinition<?> own = config.event(eventName);
    return own != null ? own : config.anyEvent() ? global.get(eventName) : null;
  }

  /**
   * Runs {@code task} on the room's {@link #serial} executor (here, when the server is stopping and
   * the executor takes no more); the result completes once it ran.
   */
  CompletableFuture<Void> runSerially(Runnable task) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    Runnable once =
        () -> {
          try {
            task.run();
          } finally {
            done.complete(null);
          }
        };
    try {
      serial.execute(once);
    } catch (RejectedExecutionException stopping) {
      once.run();
    }
    return done;
  }

  // ---- handlers ----

  dev.dialogue.Registration addHandler(String eventName, EventHandler<JsonNode> handler) {
    List<EventHandler<JsonNode>> list =
        handlers.computeIfAbsent(eventName, k -> new CopyOnWriteArrayList<>());
    list.add(handler);
    return () -> list.remove(handler);
  }

  /** Interceptors added at runtime ({@link Room#intercept}), by event name. */
  private final Map<String, List<RoomConfig.Interception<?>>> interceptions =
      new ConcurrentHashMap<>();

  dev.dialogue.Registration addInterception(RoomConfig.Interception<?> interception) {
    List<RoomConfig.Interception<?>> list =
        interceptions.computeIfAbsent(
            interception.event().name(), k -> new CopyOnWriteArrayList<>());
    list.add(interception);
    return () -> list.remove(interception);
  }

  /** The configuration's interceptors of {@code eventName}, then those added at runtime. */
  List<RoomConfig.Interception<?>> interceptions(String eventName) {
    List<RoomConfig.Interception<?>> configured = config.interceptions(eventName);
    List<RoomConfig.Interception<?>> added = interceptions.get(eventName);
    if (added == null || added.isEmpty()) {
      return configured;
    }
    List<RoomConfig.Interception<?>> all = new ArrayList<>(configured);
    all.addAll(added);
    return all;
  }

  /** The application's values on the room. */
  final AttributeMap attributes = new AttributeMap();

  List<EventHandler<JsonNode>> handlers(String eventName) {
    return handlers.getOrDefault(eventName, List.of());
  }

  // ---- members ----

  List<ClientConnection> participants() {
    return locked(
        () -> members.values().stream().<ClientConnection>map(m -> m.connection).toList());
  }

  boolean contains(ClientConnection connection) {
    return locked(() -> members.containsKey(connection.id()));
  }

  /**
   * Adds a connection. {@code onAdmitted} runs under the lock right after, so that whatever it
   * sends (the join reply) reaches the client before any event delivered after the join.
   */
  public Admission admit(
      Recipient connection, JoinSubscriptions subscriptions, Consumer<Admission> onAdmitted) {
    lock.lock();
    try {
      long offset = stream.offset();
      if (deleted) {
        return new Admission(Outcome.GONE, offset, epoch(), null);
      }
      Membership existing = members.get(connection.id());
      if (existing != null) {
        if (!existing.held()) {
          return new Admission(Outcome.ALREADY_IN, offset, epoch(), null);
        }
        // The answer (and the recovered events) go out before the member receives live again.
        Admission resumed = new Admission(Outcome.RESUMED, offset, epoch(), existing);
        onAdmitted.accept(resumed);
        existing.release(subscriptions.applyTo(existing.subscriptions()));
        return resumed;
      }
      if (config.maxSize() > 0 && members.size() >= config.maxSize()) {
        return new Admission(Outcome.FULL, offset, epoch(), null);
      }
      if (pendingDisposal != null) {
        pendingDisposal.cancel();
        pendingDisposal = null;
      }
      vacancy++;
      lastActivity = System.nanoTime();
      Membership membership =
          new Membership(connection, this, subscriptions.applyTo(defaultSubscriptions));
      members.put(connection.id(), membership);
      size = members.size();
      Admission admission = new Admission(Outcome.ADMITTED, offset, epoch(), membership);
      onAdmitted.accept(admission);
      if (config.presence() && presence.add(id(), connection.userId(), connection.id())) {
        broadcastPresence(List.of(connection.userId()), List.of());
      }
      return admission;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Removes a connection; {@code onRemoved} runs under the lock with its former place. Returns
   * whether it was in the room.
   */
  boolean remove(ClientConnection connection, Consumer<Membership> onRemoved) {
    lock.lock();
    try {
      Membership membership = members.remove(connection.id());
      if (membership == null) {
        return false;
      }
      size = members.size();
      onRemoved.accept(membership);
      if (config.presence() && presence.remove(id(), connection.userId(), connection.id())) {
        broadcastPresence(List.of(), List.of(connection.userId()));
      }
      if (members.isEmpty()) {
        vacated();
      }
      return true;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Holds {@code membership} if it is still this room's: its connection resumed after a drop, so it
   * keeps its seat and presence but receives no event until its client re-joins with {@code since}
   * (the admission's {@link Outcome#RESUMED}), which recovers what it missed in the same step.
   */
  void hold(Membership membership) {
    lock.lock();
    try {
      if (members.get(membership.connection.id()) == membership) {
        membership.hold();
      }
    } finally {
      lock.unlock();
    }
  }

  // ---- disposal when empty ----

  /**
   * From now on the room is disposed of by {@code disposal} each time it becomes empty; if it is
   * empty now, its grace starts now.
   */
  void disposeWhenEmpty(Vacancy disposal) {
    lock.lock();
    try {
      this.disposal = disposal;
      if (members.isEmpty() && !deleted) {
        vacated();
      }
    } finally {
      lock.unlock();
    }
  }

  /** Under the lock: the room became empty. */
  private void vacated() {
    if (disposal != null && !deleted) {
      vacancy++;
      pendingDisposal = disposal.emptied(this, vacancy);
    }
  }

  /**
   * Deletes the room as {@link #delete} if it has stayed empty since the emptiness {@code vacancy};
   * returns the drained history, or null when someone joined meanwhile.
   */
  Map<String, List<EventMessage>> deleteIfVacant(long vacancy) {
    lock.lock();
    try {
      if (deleted || vacancy != this.vacancy || !members.isEmpty()) {
        return null;
      }
      return delete(new ArrayList<>());
    } finally {
      lock.unlock();
    }
  }

  /** Marks the room deleted and empties it; returns the former members and the drained history. */
  Map<String, List<EventMessage>> delete(List<Membership> formerMembers) {
    lock.lock();
    try {
      deleted = true;
      if (pendingDisposal != null) {
        pendingDisposal.cancel();
        pendingDisposal = null;
      }
      Map<String, List<EventMessage>> drained =
          stream.delete(
              new DialogueException(ErrorCode.ROOM_NOT_FOUND, "Room '" + id() + "' was deleted"));
      formerMembers.addAll(members.values());
      members.clear();
      presence.clear(id());
      size = 0;
      return drained;
    } finally {
      lock.unlock();
    }
  }

  // ---- presence ----

  Set<String> presentUsers() {
    return locked(() -> Set.copyOf(presence.users(id()).keySet()));
  }

  List<Wire.PresenceUser> presenceState() {
    Map<String, Integer> users = locked(() -> presence.users(id()));
    List<Wire.PresenceUser> list = new ArrayList<>(users.size());
    users.forEach((user, n) -> list.add(new Wire.PresenceUser(user, n)));
    return list;
  }

  private void broadcastPresence(List<String> joins, List<String> leaves) {
    OutboundEvent broadcast =
        new OutboundEvent(
            Wire.PRESENCE, Json.raw(new Wire.Presence(id(), joins, leaves)), members.size());
    for (Membership m : members.values()) {
      m.connection.emit(broadcast);
    }
    broadcast.send();
  }

  // ---- events ----

  /** The last offset shown to anyone. */
  long offset() {
    return locked(() -> stream.offset());
  }

  /**
   * Publishes to the room's stream: the next offset (when {@code historyLimit > 0}), durable
   * history, then delivery to every subscribed member, encoding the envelope once (see {@link
   * Broker.Stream#publish}).
   */
  public Broker.Delivery deliver(EventMessage message, int historyLimit) {
    return deliver(message, historyLimit, null);
  }

  /**
   * Like {@link #deliver(EventMessage, int)}, and then {@code after} on the room's {@link #serial}
   * executor once the event is shown: handed over under the lock, so the room's events reach it in
   * offset order. Never for an event that is not shown (storing failed, the room went away).
   */
  Broker.Delivery deliver(
      EventMessage message, int historyLimit, BiConsumer<EventMessage, Broker.Shown> after) {
    lock.lock();
    try {
      if (deleted) {
        throw new DialogueException(ErrorCode.ROOM_NOT_FOUND, "Room '" + id() + "' does not exist");
      }
      lastActivity = System.nanoTime();
      Broker.Delivery delivery = stream.publish(message, historyLimit);
      if (after != null) {
        EventMessage shownEvent = delivery.message();
        CompletableFuture<Broker.Shown> shown = delivery.shown();
        if (!shown.isDone()) {
          // Completed under the lock too (in offset order), which hands the task over.
          shown.thenAcceptAsync(s -> after.accept(shownEvent, s), serial);
        } else if (!shown.isCompletedExceptionally()) {
          Broker.Shown s = shown.join();
          serial.execute(() -> after.accept(shownEvent, s));
        }
      }
      return delivery;
    } finally {
      lock.unlock();
    }
  }

  /** Under the lock, from the stream: to the members subscribed to the event. */
  @Override
  public int deliver(EventMessage event, RawValue payload) {
    OutboundEvent broadcast = new OutboundEvent(Wire.EVENT, payload, members.size());
    int recipients = 0;
    for (Membership m : members.values()) {
      if (m.receives(event.event()) && !m.held() && m.connection.emit(broadcast)) {
        recipients++;
      }
    }
    broadcast.send();
    return recipients;
  }

  /** Under the lock, from the stream: in order to the cleanup hook. */
  @Override
  public void evicted(String eventName, List<EventMessage> events) {
    hooks.cleanupAsync(face, cleanups, eventName, events);
  }

  // ---- memory history ----

  /** A page of one name from memory, and how many of that name memory holds. */
  record MemoryPage(List<EventMessage> events, int inMemory) {}

  MemoryPage memoryPage(String eventName, int start, int end) {
    return locked(
        () -> new MemoryPage(stream.page(eventName, start, end), stream.count(eventName)));
  }

  /** The newest {@code limit} events of all names, for history sync on join (under the lock). */
  List<EventMessage> newestHistory(int limit) {
    return locked(() -> stream.newest(limit));
  }

  /** The events in memory with an offset above {@code afterOffset}, oldest first. */
  List<EventMessage> historyAfter(long afterOffset) {
    return locked(() -> stream.after(afterOffset));
  }

  /**
   * Drops the oldest {@code count} events from memory (the memory budget); returns them by name.
   */
  Map<String, List<EventMessage>> trimOldest(int count) {
    return locked(() -> stream.trimOldest(count));
  }

  /** Everything still in memory, for a graceful stop. */
  Map<String, List<EventMessage>> drainHistory() {
    return locked(() -> stream.drain());
  }

  Wire.RoomInfo info() {
    return new Wire.RoomInfo(
        id(),
        config.name(),
        config.description(),
        size,
        config.maxSize() > 0 ? config.maxSize() : null,
        config.createdById(),
        config.metadata());
  }

  /** {@code read} under the room's lock. */
  private <T> T locked(Supplier<T> read) {
    lock.lock();
    try {
      return read.get();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public String toString() {
    return "RoomState{" + id() + "}";
  }
}
