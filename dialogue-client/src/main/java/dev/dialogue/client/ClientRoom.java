package dev.dialogue.client;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * A room this client keeps (the original's {@code RoomContext}): joined by the application ({@link
 * DialogueClient#join}) or by server code for this connection ({@link DialogueClient#onJoined}).
 * Handlers run on the client's callback executor, in delivery order.
 *
 * <p>The client keeps the room until the application leaves it: after every reconnect it re-joins
 * (asking for the events it missed by offset), however often the connection is cut, and restores
 * what the application subscribed to here. Only {@link #leave()}, a re-join the server refuses, the
 * room's deletion and server code taking the connection out of it remove it; all but the first call
 * {@link #onRemoved}. Events are delivered to the application at most once per offset.
 *
 * <p>No event after the join answer is missed when handlers are registered in the setup of {@link
 * DialogueClient#join(String, java.util.function.Consumer)} (or in {@link DialogueClient#onJoined}
 * for rooms the server joins): they exist before the first event, and their names are subscribed
 * with the join itself. Events that arrive before any handler would take them (a handler for their
 * name or {@link #onAny}) are kept, up to {@value #MAX_KEPT} per room, and handed to the first
 * handler registered for them, before later events: a handler registered right after {@code
 * join(...).get()} also sees every event after the join that its name was subscribed to. Past
 * {@value #MAX_KEPT} the oldest are dropped, which the client logs and reports once through {@link
 * DialogueClient#onError} with the code {@code EVENTS_DROPPED} (the room's position still moves
 * past them).
 */
public final class ClientRoom {
  /** Events kept for handlers not registered yet, per room. */
  public static final int MAX_KEPT = 1_000;

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
  private final List<Consumer<Rejoin>> rejoinedHandlers = new CopyOnWriteArrayList<>();
  private final EarlyEvents early = new EarlyEvents();
  private volatile boolean active;
  // Until the join answer: subscriptions go with the join request instead of their own.
  private volatile boolean joining;
  private final Map<String, AtomicInteger> handlerCounts = new ConcurrentHashMap<>();
  // A re-join the server asked to retry, waiting on the scheduler; cancelled when the room goes.
  private volatile ScheduledFuture<?> retry;

  /**
   * @param joining true for a room whose join is on its way (not kept until it is answered)
   */
  ClientRoom(KeptRooms rooms, String id, String name, boolean joining) {
    this.rooms = rooms;
    this.id = id;
    this.name = name;
    this.joining = joining;
    this.active = !joining;
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
    return rooms.trigger(id, eventName, ClientJson.tree(data), metaNode, null);
  }

  /**
   * Publishes an event under the caller's {@code clientMessageId} (1 to 256 characters): to send
   * again, as the same message, one whose fate was unknown (a retry button after {@code
   * DEADLINE_EXCEEDED}, or after the application restarted). The server publishes an id once: a
   * repeat is confirmed as a duplicate of the first ({@link Published#duplicate()}).
   *
   * @throws IllegalArgumentException if the id is empty or longer than 256 characters
   */
  public PendingTrigger trigger(
      String eventName, Object data, Map<String, ?> meta, String clientMessageId) {
    requireNonNull(eventName, "eventName == null");
    requireNonNull(clientMessageId, "clientMessageId == null");
    if (clientMessageId.isEmpty() || clientMessageId.length() > 256) {
      throw new IllegalArgumentException(
          "clientMessageId must be 1 to 256 characters, got " + clientMessageId.length());
    }
    JsonNode metaNode = meta == null ? null : ClientJson.tree(meta);
    return rooms.trigger(id, eventName, ClientJson.tree(data), metaNode, clientMessageId);
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
      rooms.sendSubscription(this, eventName, true);
    }
    return () -> {
      if (closed.compareAndSet(false, true)) {
        list.remove(wrapped);
        if (count.decrementAndGet() == 0 && subscribed.remove(eventName)) {
          unsubscribed.add(eventName);
          rooms.sendSubscription(this, eventName, false);
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
   * ROOM_NOT_FOUND}, {@code JOIN_DENIED}, {@code ROOM_FULL}), the room was deleted ({@code
   * ROOM_NOT_FOUND}), or server code took this connection out of it ({@code NOT_IN_ROOM}; the
   * client's {@link DialogueClient#onLeft} is told too). Join again to come back.
   */
  public Registration onRemoved(Consumer<DialogueClientException> handler) {
    removedHandlers.add(requireNonNull(handler, "handler == null"));
    return () -> removedHandlers.remove(handler);
  }

  /**
   * Called, on the callback executor, after each re-join that follows a reconnect, once the events
   * it recovered were delivered: {@link Rejoin#recovered()} false means events published while the
   * client was away may be lost, so what the application shows of the room should be reloaded.
   */
  public Registration onRejoined(Consumer<Rejoin> handler) {
    rejoinedHandlers.add(requireNonNull(handler, "handler == null"));
    return () -> rejoinedHandlers.remove(handler);
  }

  /**
   * Whether the client keeps this room: true from the join answer until {@link #leave()}, a refused
   * re-join, the room's deletion or a leave by server code; also while reconnecting (it is
   * re-joined on the next connection). False in the setup of {@link DialogueClient#join(String,
   * java.util.function.Consumer)}, before the answer.
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
    return rooms.sendSubscription(this, eventName, true);
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
    return rooms.sendSubscription(this, eventName, false);
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
   * The users present in the room now (rooms with presence on): each user id with its number of
   * connections in the room, in the server's order. Fails with the server's code, e.g. {@code
   * NOT_IN_ROOM}; {@link #onPresence} follows the changes from then on.
   */
  public CompletableFuture<Map<String, Integer>> presence() {
    ObjectNode request = ClientJson.MAPPER.createObjectNode().put("roomId", id);
    return rooms
        .request("dialogue:getPresence", request)
        .thenApply(
            body -> {
              Map<String, Integer> users = new LinkedHashMap<>();
              for (JsonNode user : body.path("users")) {
                users.put(user.path("userId").asText(), user.path("connections").asInt());
              }
              return users;
            });
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
    cancelRetry();
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
    if (named.isEmpty() && anyHandlers.isEmpty() && early.keeps(message.event())) {
      EventMessage dropped = early.keep(message);
      if (dropped != null) {
        rooms.eventsDropped(this, dropped);
      }
      return;
    }
    for (Consumer<EventMessage> handler : named) {
      Listeners.run("room handler", () -> handler.accept(message));
    }
    for (Consumer<EventMessage> handler : anyHandlers) {
      Listeners.run("room onAny", () -> handler.accept(message));
    }
  }

  /** A re-join after a reconnect was applied. */
  void rejoined(Rejoin rejoin) {
    for (Consumer<Rejoin> handler : rejoinedHandlers) {
      Listeners.run("room onRejoined", () -> handler.accept(rejoin));
    }
  }

  /** The client no longer keeps the room: refused on re-join, deleted, or left by the server. */
  void removed(DialogueClientException reason) {
    active = false;
    cancelRetry();
    for (Consumer<DialogueClientException> handler : removedHandlers) {
      Listeners.run("room onRemoved", () -> handler.accept(reason));
    }
  }

  /** Left by the application through the client ({@code disconnect()}), or a failed join. */
  void forgotten() {
    active = false;
    joining = false;
    cancelRetry();
  }

  /** The join was answered: the client keeps the room from now on. */
  void admitted() {
    joining = false;
    active = true;
  }

  /** Whether the room's join is still on its way. */
  boolean joining() {
    return joining;
  }

  void retryTask(ScheduledFuture<?> task) {
    retry = task;
  }

  private void cancelRetry() {
    ScheduledFuture<?> task = retry;
    if (task != null) {
      task.cancel(false);
      retry = null;
    }
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
