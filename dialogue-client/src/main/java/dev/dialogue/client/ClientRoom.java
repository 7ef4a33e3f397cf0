package dev.dialogue.client;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * A room this client has joined (the original's {@code RoomContext}). Obtained from {@link
 * DialogueClient#join}. Handlers run on the client's callback executor, in delivery order.
 *
 * <p>The client keeps the room until the application leaves it: after every reconnect it re-joins
 * (asking for the events it missed by offset), however often the connection is cut, and restores
 * what the application subscribed to here. Only {@link #leave()}, a re-join the server refuses, or
 * the room's deletion remove it; the last two call {@link #onRemoved} (and the client's {@code
 * onError} for a refused re-join). Events are delivered to the application at most once per offset.
 *
 * <p>Events that arrive before any handler would take them (a handler for their name or {@link
 * #onAny}) are kept, up to {@value #MAX_KEPT} per room, and handed to the first handler registered
 * for them, before later events: a handler registered right after {@code join(...).get()} sees
 * every event after the join.
 */
public final class ClientRoom {
  /** Events kept for handlers not registered yet, per room. */
  static final int MAX_KEPT = 1_000;

  private final KeptRooms rooms;
  private final String id;
  private volatile String name;
  private volatile String epoch;
  private volatile long lastOffset = -1;
  private final Map<String, List<Consumer<EventMessage>>> handlers = new ConcurrentHashMap<>();
  private final List<Consumer<EventMessage>> anyHandlers = new CopyOnWriteArrayList<>();
  private final List<BiConsumer<List<String>, List<String>>> presenceHandlers =
      new CopyOnWriteArrayList<>();
  private final Set<String> subscribed = ConcurrentHashMap.newKeySet();
  private final Set<String> unsubscribed = ConcurrentHashMap.newKeySet();
  private final List<Consumer<DialogueClientException>> removedHandlers =
      new CopyOnWriteArrayList<>();
  private final EarlyEvents early = new EarlyEvents();
  private volatile boolean active = true;
  private final Map<String, AtomicInteger> handlerCounts = new ConcurrentHashMap<>();

  ClientRoom(KeptRooms rooms, String id, String name) {
    this.rooms = rooms;
    this.id = id;
    this.name = name;
  }

  /** The room id. */
  public String id() {
    return id;
  }

  /** The room's display name, as of the last join. */
  public String name() {
    return name;
  }

  /** The newest room offset this client has seen, or -1. */
  public long lastOffset() {
    return lastOffset;
  }

  /** The room's epoch as of the last join, or null. */
  public String epoch() {
    return epoch;
  }

  /**
   * Publishes an event; see {@link PendingTrigger}. Waits in the offline queue while disconnected.
   */
  public PendingTrigger trigger(String eventName, Object data) {
    return trigger(eventName, data, null);
  }

  /** Publishes an event with a free-form {@code meta} object. */
  public PendingTrigger trigger(String eventName, Object data, Map<String, ?> meta) {
    requireNonNull(eventName, "eventName == null");
    JsonNode metaNode = meta == null ? null : ClientJson.tree(meta);
    return rooms.trigger(id, eventName, ClientJson.tree(data), metaNode);
  }

  /**
   * Calls {@code handler} with each event named {@code eventName}, its payload converted to {@code
   * type}; subscribes on the server. Closing the registration removes the handler and, when it was
   * the last one for that name, unsubscribes.
   */
  public <T> Registration on(String eventName, Class<T> type, BiConsumer<T, EventMessage> handler) {
    requireNonNull(eventName, "eventName == null");
    requireNonNull(type, "type == null");
    requireNonNull(handler, "handler == null");
    Consumer<EventMessage> wrapped = message -> handler.accept(message.data(type), message);
    List<Consumer<EventMessage>> list =
        handlers.computeIfAbsent(eventName, k -> new CopyOnWriteArrayList<>());
    AtomicBoolean closed = new AtomicBoolean();
    // Added in turn with deliveries, so kept events reach it before later ones.
    rooms.onLoop(
        () -> {
          if (!closed.get()) {
            list.add(wrapped);
            early.claim(eventName, wrapped);
          }
        });
    AtomicInteger count = handlerCounts.computeIfAbsent(eventName, k -> new AtomicInteger());
    if (count.incrementAndGet() == 1 && subscribed.add(eventName)) {
      unsubscribed.remove(eventName);
      rooms.sendSubscription(id, eventName, true);
    }
    return () -> {
      if (closed.compareAndSet(false, true)) {
        list.remove(wrapped);
        if (count.decrementAndGet() == 0 && subscribed.remove(eventName)) {
          unsubscribed.add(eventName);
          rooms.sendSubscription(id, eventName, false);
        }
      }
    };
  }

  /** Like {@link #on(String, Class, BiConsumer)} with the payload only. */
  public <T> Registration on(String eventName, Class<T> type, Consumer<T> handler) {
    requireNonNull(handler, "handler == null");
    return on(eventName, type, (data, message) -> handler.accept(data));
  }

  /** Every event this connection receives in the room (what it is subscribed to). */
  public Registration onAny(Consumer<EventMessage> handler) {
    requireNonNull(handler, "handler == null");
    AtomicBoolean closed = new AtomicBoolean();
    rooms.onLoop(
        () -> {
          if (closed.get()) {
            return;
          }
          anyHandlers.add(handler);
          early.claim(null, handler);
        });
    return () -> {
      closed.set(true);
      anyHandlers.remove(handler);
    };
  }

  /**
   * Called, on the callback executor, when the client stops keeping this room without the
   * application leaving it: a re-join after a reconnect was refused (the server's code, e.g. {@code
   * ROOM_NOT_FOUND}, {@code JOIN_DENIED}, {@code ROOM_FULL}), or the room was deleted ({@code
   * ROOM_NOT_FOUND}). Join again to come back.
   */
  public Registration onRemoved(Consumer<DialogueClientException> handler) {
    removedHandlers.add(requireNonNull(handler, "handler == null"));
    return () -> removedHandlers.remove(handler);
  }

  /**
   * Whether the client keeps this room: true from the join until {@link #leave()}, a refused
   * re-join or the room's deletion; also while reconnecting (it is re-joined on the next
   * connection).
   */
  public boolean joined() {
    return active;
  }

  /** Presence changes: users who arrived and users who left. */
  public Registration onPresence(BiConsumer<List<String>, List<String>> handler) {
    presenceHandlers.add(requireNonNull(handler, "handler == null"));
    return () -> presenceHandlers.remove(handler);
  }

  /** Subscribes to an event name on the server; restored after every reconnect. */
  public CompletableFuture<Void> subscribe(String eventName) {
    requireNonNull(eventName, "eventName == null");
    subscribed.add(eventName);
    unsubscribed.remove(eventName);
    return rooms.sendSubscription(id, eventName, true);
  }

  /** Subscribes to every event in the room ({@code "*"}). */
  public CompletableFuture<Void> subscribeAll() {
    return subscribe("*");
  }

  /** Unsubscribes from an event name; a {@code "*"} subscription stays. */
  public CompletableFuture<Void> unsubscribe(String eventName) {
    requireNonNull(eventName, "eventName == null");
    subscribed.remove(eventName);
    unsubscribed.add(eventName);
    return rooms.sendSubscription(id, eventName, false);
  }

  /** A page of history for one event name, newest first ({@code end} exclusive). */
  public CompletableFuture<HistoryPage> getHistory(String eventName, int start, int end) {
    requireNonNull(eventName, "eventName == null");
    if (start < 0 || end < start) {
      throw new IllegalArgumentException("need 0 <= start <= end but were " + start + ", " + end);
    }
    ObjectNode request = ClientJson.MAPPER.createObjectNode();
    request.put("roomId", id).put("eventName", eventName).put("start", start).put("end", end);
    return rooms
        .request("dialogue:getHistory", request)
        .thenApply(body -> ClientJson.convert(body, HistoryPage.class));
  }

  /**
   * Sends the command {@code command} of this room (its handler on the server gets the room) and
   * completes with the result read as {@code resultType}. Fails as {@link DialogueClient#request}
   * does; a connection that is no longer in the room (between a lost connection and its re-join)
   * gets {@code NOT_IN_ROOM}.
   */
  public <T> CompletableFuture<T> request(String command, Object payload, Class<T> resultType) {
    requireNonNull(command, "command == null");
    requireNonNull(resultType, "resultType == null");
    return rooms
        .request(CommandRequests.EVENT, CommandRequests.body(command, id, payload))
        .thenApply(answer -> CommandRequests.result(answer, resultType));
  }

  /** Leaves the room; handlers stop. */
  public CompletableFuture<Void> leave() {
    active = false;
    return rooms.leave(this);
  }

  // ---- called by KeptRooms and Inbound, on the ordered executor (forgotten(): any thread) ----

  /**
   * Applies a join result: the room's offset at the moment of joining. Within the same epoch the
   * position only moves forward (missed events were delivered first); a new epoch starts over.
   */
  void applyJoin(String roomName, long offset, String roomEpoch) {
    this.name = roomName;
    boolean sameEpoch = roomEpoch != null && roomEpoch.equals(epoch);
    lastOffset = sameEpoch ? Math.max(lastOffset, offset) : offset;
    this.epoch = roomEpoch;
  }

  /** The subscriptions to restore after a re-join: asked for, and explicitly dropped. */
  Set<String> subscribedNames() {
    return Set.copyOf(subscribed);
  }

  Set<String> unsubscribedNames() {
    return Set.copyOf(unsubscribed);
  }

  /** Delivers unless the offset was seen already; keeps it when no handler would take it. */
  void deliver(EventMessage message) {
    Long offset = message.offset();
    if (offset != null) {
      if (offset <= lastOffset) {
        return;
      }
      lastOffset = offset;
    }
    List<Consumer<EventMessage>> named = handlers.getOrDefault(message.event(), List.of());
    if (named.isEmpty() && anyHandlers.isEmpty() && early.keep(message)) {
      return;
    }
    for (Consumer<EventMessage> handler : named) {
      Listeners.run("room handler", () -> handler.accept(message));
    }
    for (Consumer<EventMessage> handler : anyHandlers) {
      Listeners.run("room onAny", () -> handler.accept(message));
    }
  }

  /** The client no longer keeps the room: refused on re-join, or deleted. */
  void removed(DialogueClientException reason) {
    active = false;
    for (Consumer<DialogueClientException> handler : removedHandlers) {
      Listeners.run("room onRemoved", () -> handler.accept(reason));
    }
  }

  /** Left by the application through the client ({@code disconnect()}). */
  void forgotten() {
    active = false;
  }

  void presence(List<String> joins, List<String> leaves) {
    for (BiConsumer<List<String>, List<String>> handler : presenceHandlers) {
      Listeners.run("room onPresence", () -> handler.accept(joins, leaves));
    }
  }

  @Override
  public String toString() {
    return "ClientRoom{" + id + "}";
  }
}
