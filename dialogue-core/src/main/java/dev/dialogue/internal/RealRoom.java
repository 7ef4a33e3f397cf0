package dev.dialogue.internal;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.RawValue;
import dev.dialogue.AsyncCommandHandler;
import dev.dialogue.ClientConnection;
import dev.dialogue.CommandDefinition;
import dev.dialogue.DialogueException;
import dev.dialogue.ErrorCode;
import dev.dialogue.EventDefinition;
import dev.dialogue.EventHandler;
import dev.dialogue.EventMessage;
import dev.dialogue.HistoryStore;
import dev.dialogue.Registration;
import dev.dialogue.Room;
import dev.dialogue.RoomConfig;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * A room. Its lock orders every change of membership and every delivery, so all participants see
 * one order and offsets follow delivery order. The lock is never held while user code runs; under
 * it the room only enqueues packets, which never blocks.
 */
public final class RealRoom implements Room {
  enum Outcome {
    ADMITTED,
    ALREADY_IN,
    FULL,
    GONE
  }

  /** The result of an admission, with the room's position at that moment. */
  public record Admission(Outcome outcome, long offset, String epoch) {}

  /**
   * One delivery.
   *
   * @param shown completes once the event has been delivered (at once without a store; after the
   *     commit with one), or exceptionally when the store failed or the room went away first
   */
  public record Delivery(EventMessage message, CompletableFuture<Shown> shown) {}

  /** What showing an event did: how many received it, and what left memory history for it. */
  record Shown(int recipients, List<EventMessage> evicted) {}

  /** An event waiting for its commit (or for earlier ones) before anyone sees it. */
  private record Waiting(
      EventMessage message,
      RawValue payload,
      int historyLimit,
      CompletableFuture<Void> durable,
      CompletableFuture<Shown> shown) {}

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

  /**
   * Runs what follows the delivery of events that waited for the store (handlers, afterEach), one
   * at a time in offset order.
   */
  final SerialExecutor afterShown;

  private final Map<String, List<EventHandler<JsonNode>>> handlers = new ConcurrentHashMap<>();

  /** Commands added at runtime; the configuration's are looked up through it too. */
  final RoomCommands commands = new RoomCommands();

  /** The last offset assigned. */
  private long offset;

  /** The last offset shown to anyone: below {@link #offset} while commits are awaited. */
  private long shownOffset;

  /** Events assigned an offset and appended, in offset order, not shown yet. Guarded by lock. */
  private final ArrayDeque<Waiting> awaiting = new ArrayDeque<>();

  private final AtomicBoolean releaseScheduled = new AtomicBoolean();

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
    this.cleanups =
        new SerialExecutor(hub.settings().runtime().executor(), hub.settings().runtime().logger());
    this.afterShown =
        new SerialExecutor(hub.settings().runtime().executor(), hub.settings().runtime().logger());
    this.defaultSubscriptions = Set.copyOf(config.defaultSubscriptions());
    this.sequence = sequence;
    this.createdByClient = createdByClient;
    this.store = store;
    this.epoch = position == null ? Ids.random() : position.epoch();
    this.offset = position == null ? 0 : position.offset();
    this.shownOffset = offset;
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
  public <Req, Res> Registration onCommandAsync(
      CommandDefinition<Req, Res> command, AsyncCommandHandler<Req, Res> handler) {
    requireNonNull(command, "command == null");
    requireNonNull(handler, "handler == null");
    return commands.add(config, new CommandRoute<>(command, handler));
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
      return shownOffset;
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
  public Admission admit(
      RealConnection connection,
      Joins.Subscriptions subscriptions,
      Consumer<Admission> onAdmitted) {
    lock.lock();
    try {
      if (deleted) {
        return new Admission(Outcome.GONE, shownOffset, epoch);
      }
      if (members.containsKey(connection.id())) {
        return new Admission(Outcome.ALREADY_IN, shownOffset, epoch);
      }
      if (config.maxSize() > 0 && members.size() >= config.maxSize()) {
        return new Admission(Outcome.FULL, shownOffset, epoch);
      }
      lastActivity = System.nanoTime();
      Membership membership =
          new Membership(connection, this, subscriptions.applyTo(defaultSubscriptions));
      members.put(connection.id(), membership);
      size = members.size();
      connection.attach(membership);
      Admission admission = new Admission(Outcome.ADMITTED, shownOffset, epoch);
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
   * Assigns the next offset (when {@code historyLimit > 0}), appends to the store and delivers to
   * every subscribed participant, encoding the envelope once.
   *
   * <p>With a store, an event is shown to no one (participants, memory history, recovery, the join
   * offset) before the store has committed it: it waits in {@link #awaiting} and is released in
   * offset order once its commit and every earlier one completed. An offset a crash did not let the
   * store keep was never shown, so a restarted room can give it to another event. Events without
   * history queue behind waiting ones, so the room keeps one order.
   */
  public Delivery deliver(EventMessage message, int historyLimit) {
    lock.lock();
    try {
      if (deleted) {
        throw new DialogueException(ErrorCode.ROOM_NOT_FOUND, "Room '" + id() + "' does not exist");
      }
      lastActivity = System.nanoTime();
      EventMessage stored = historyLimit > 0 ? withOffset(message, ++offset) : message;
      // Only an event kept in history can be part of a later answer (recovery, history pages, the
      // store's copy): encoded first, its JSON is reused by those.
      RawValue payload =
          new RawValue(historyLimit > 0 ? EncodedEvents.encode(stored) : Json.write(stored));
      // Appended under the lock, so the store receives each room's events in offset order.
      CompletableFuture<Void> durable =
          historyLimit > 0 && store != null ? store.append(epoch, stored) : null;
      if (durable == null && awaiting.isEmpty()) {
        return new Delivery(
            stored, CompletableFuture.completedFuture(show(stored, payload, historyLimit)));
      }
      Waiting waiting =
          new Waiting(stored, payload, historyLimit, durable, new CompletableFuture<>());
      awaiting.add(waiting);
      if (durable != null) {
        durable.whenComplete((ok, failed) -> scheduleRelease());
      }
      return new Delivery(stored, waiting.shown());
    } finally {
      lock.unlock();
    }
  }

  /**
   * A commit completed (on the store's thread): the fan-out runs on a hook thread, so that the
   * store's writer goes back to committing. One task at a time per room; it shows every event that
   * is ready by then, so a group commit of many events costs one task.
   */
  private void scheduleRelease() {
    if (releaseScheduled.compareAndSet(false, true)) {
      try {
        hub.settings().runtime().executor().execute(this::release);
      } catch (RejectedExecutionException stopping) {
        release(); // the server is stopping: show them here
      }
    }
  }

  /** Shows the committed events at the head of {@link #awaiting}, in offset order. */
  private void release() {
    releaseScheduled.set(false); // a commit completing from now on schedules another pass
    lock.lock();
    try {
      while (!awaiting.isEmpty()) {
        Waiting head = awaiting.peek();
        if (head.durable() != null && !head.durable().isDone()) {
          return;
        }
        awaiting.poll();
        Throwable failed = failure(head.durable());
        if (failed != null) {
          // Never shown: its offset stays unused (recovery across it answers recovered: false).
          head.shown().completeExceptionally(failed);
        } else {
          head.shown().complete(show(head.message(), head.payload(), head.historyLimit()));
        }
      }
    } finally {
      lock.unlock();
    }
  }

  private static Throwable failure(CompletableFuture<Void> durable) {
    if (durable == null || !durable.isCompletedExceptionally()) {
      return null;
    }
    try {
      durable.join();
      return null;
    } catch (CompletionException | CancellationException e) {
      return e.getCause() == null ? e : e.getCause();
    }
  }

  /** Under the lock: delivers to the participants and enters history. */
  private Shown show(EventMessage event, RawValue payload, int historyLimit) {
    OutboundEvent broadcast = new OutboundEvent(Wire.EVENT, payload, members.size());
    int recipients = 0;
    for (Membership m : members.values()) {
      if (m.receives(event.event()) && m.connection.emit(broadcast)) {
        recipients++;
      }
    }
    broadcast.send();
    if (event.offset() == null) {
      return new Shown(recipients, List.of());
    }
    shownOffset = event.offset();
    List<EventMessage> evicted = history.push(event, historyLimit);
    // Handed over under the lock, so that a room's evictions reach the hook in order.
    hub.hooks().cleanupAsync(this, event.event(), evicted);
    return new Shown(recipients, evicted);
  }

  /** Marks the room deleted and empties it; returns the former members and the drained history. */
  Map<String, List<EventMessage>> delete(List<Membership> formerMembers) {
    lock.lock();
    try {
      deleted = true;
      DialogueException gone =
          new DialogueException(ErrorCode.ROOM_NOT_FOUND, "Room '" + id() + "' was deleted");
      for (Waiting waiting : awaiting) {
        waiting.shown().completeExceptionally(gone);
      }
      awaiting.clear();
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
    OutboundEvent broadcast =
        new OutboundEvent(
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

  private static EventMessage withOffset(EventMessage m, long offset) {
    return new EventMessage(
        m.event(),
        m.roomId(),
        m.data(),
        m.from(),
        m.timestamp(),
        m.meta(),
        m.id(),
        offset,
        m.clientMessageId());
  }
}
