package dev.dialogue;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dialogue.internal.Json;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The immutable description of a room: identity, the events it accepts, capacity, default
 * subscriptions, history sync on join, presence and visibility.
 *
 * <pre>{@code
 * RoomConfig chat = RoomConfig.builder("chat", "Chat")
 *     .events(MESSAGE, TYPING)
 *     .defaultSubscriptions("message")
 *     .syncHistoryOnJoin(50)
 *     .presence(true)
 *     .build();
 * }</pre>
 */
public final class RoomConfig {
  /** {@link #syncHistoryOnJoin()} value meaning "all history". */
  public static final int SYNC_ALL = Integer.MAX_VALUE;

  private final String id;
  private final String name;
  private final String description;
  private final Map<String, EventDefinition<?>> events;
  private final boolean anyEvent;
  private final int maxSize;
  private final List<String> defaultSubscriptions;
  private final int syncHistoryOnJoin;
  private final boolean presence;
  private final String createdById;
  private final Map<String, CommandDefinition<?, ?>> commands;
  private final Map<String, AsyncCommandHandler<?, ?>> commandHandlers;
  private final RoomVisibility visibility;
  private final RoomVisibilityPolicy visibleTo;
  private final Map<String, List<Interception<?>>> interceptions;
  private final ObjectNode metadata;
  private final Duration disposeWhenEmpty;
  private final RateLimit rateLimit;

  private RoomConfig(Builder b) {
    this.id = b.id;
    this.name = b.name;
    this.description = b.description;
    this.events = Map.copyOf(b.events);
    this.eventOrder = List.copyOf(b.events.keySet());
    this.anyEvent = b.anyEvent;
    this.maxSize = b.maxSize;
    this.defaultSubscriptions = List.copyOf(b.defaultSubscriptions);
    this.syncHistoryOnJoin = b.syncHistoryOnJoin;
    this.presence = b.presence;
    this.createdById = b.createdById;
    this.commands = Collections.unmodifiableMap(new LinkedHashMap<>(b.commands));
    this.commandHandlers = Map.copyOf(b.commandHandlers);
    this.visibility = b.visibility;
    this.visibleTo = b.visibleTo;
    Map<String, List<Interception<?>>> byEvent = new LinkedHashMap<>();
    b.interceptions.forEach((event, list) -> byEvent.put(event, List.copyOf(list)));
    this.interceptions = Map.copyOf(byEvent);
    this.metadata = b.metadata;
    this.disposeWhenEmpty = b.disposeWhenEmpty;
    this.rateLimit = b.rateLimit;
  }

  /**
   * A {@link TriggerInterceptor} with the definition its payload is typed by.
   *
   * @param <T> the payload type
   */
  public record Interception<T>(EventDefinition<T> event, TriggerInterceptor<T> interceptor) {}

  /** The longest {@link Builder#metadata} accepted, in bytes of JSON. */
  public static final int MAX_METADATA_BYTES = 4096;

  private final List<String> eventOrder;

  public static Builder builder(String id, String name) {
    return new Builder(id, name);
  }

  /** A builder pre-filled with this configuration, for variations. */
  public Builder toBuilder() {
    Builder b = new Builder(id, name);
    b.description = description;
    b.events.putAll(events);
    b.anyEvent = anyEvent;
    b.maxSize = maxSize;
    b.defaultSubscriptions.addAll(defaultSubscriptions);
    b.syncHistoryOnJoin = syncHistoryOnJoin;
    b.presence = presence;
    b.createdById = createdById;
    b.commands.putAll(commands);
    b.commandHandlers.putAll(commandHandlers);
    b.visibility = visibility;
    b.visibleTo = visibleTo;
    interceptions.forEach((event, list) -> b.interceptions.put(event, new ArrayList<>(list)));
    b.metadata = metadata;
    b.disposeWhenEmpty = disposeWhenEmpty;
    b.rateLimit = rateLimit;
    return b;
  }

  public String id() {
    return id;
  }

  public String name() {
    return name;
  }

  /** The description, or {@code null}. */
  public String description() {
    return description;
  }

  /** The events defined for this room, in declaration order. */
  public List<EventDefinition<?>> events() {
    List<EventDefinition<?>> list = new ArrayList<>(eventOrder.size());
    for (String n : eventOrder) {
      list.add(events.get(n));
    }
    return list;
  }

  /** The room's own definition of {@code eventName}, or {@code null}. */
  public EventDefinition<?> event(String eventName) {
    return events.get(eventName);
  }

  /** Whether the room accepts any event name ({@code "*"}). */
  public boolean anyEvent() {
    return anyEvent;
  }

  /** Whether the room accepts {@code eventName}: listed by name, or the room accepts any event. */
  public boolean allows(String eventName) {
    return anyEvent || events.containsKey(eventName);
  }

  /** The capacity in connections; 0 means unlimited. */
  public int maxSize() {
    return maxSize;
  }

  public List<String> defaultSubscriptions() {
    return defaultSubscriptions;
  }

  /** How many of the newest events are sent on join: 0 none, {@link #SYNC_ALL} all. */
  public int syncHistoryOnJoin() {
    return syncHistoryOnJoin;
  }

  public boolean presence() {
    return presence;
  }

  /** The user id of the client that created the room, or {@code null} for server rooms. */
  public String createdById() {
    return createdById;
  }

  /** The commands this room handles from its configuration, in declaration order. */
  public List<CommandDefinition<?, ?>> commands() {
    return List.copyOf(commands.values());
  }

  /** The room's own definition of the command {@code name}, or {@code null}. */
  public CommandDefinition<?, ?> command(String name) {
    return commands.get(name);
  }

  /**
   * The handler of the command {@code name} (a synchronous one adapted), or {@code null}; the
   * server calls it, paired with {@link #command(String)}.
   */
  public AsyncCommandHandler<?, ?> commandHandler(String name) {
    return commandHandlers.get(name);
  }

  /** Who may know the room exists; {@link RoomVisibility#PUBLIC} unless set. */
  public RoomVisibility visibility() {
    return visibility;
  }

  /**
   * Who besides its members may see a private room, or {@code null}: a private room without a
   * policy is visible to its members only.
   */
  public RoomVisibilityPolicy visibleTo() {
    return visibleTo;
  }

  /** The trigger interceptors of {@code eventName} in this room, in the order added. */
  public List<Interception<?>> interceptions(String eventName) {
    return interceptions.getOrDefault(eventName, List.of());
  }

  /** The room's metadata shown to the clients that can see it, or null (a copy). */
  public ObjectNode metadata() {
    return metadata == null ? null : metadata.deepCopy();
  }

  /**
   * How long the room may stay empty before the server deletes it, or {@code null} when it is kept
   * until deleted (see {@link Builder#disposeWhenEmpty}).
   */
  public Duration disposeWhenEmpty() {
    return disposeWhenEmpty;
  }

  /**
   * How often clients may trigger events in this room, all senders together, or null: the server's
   * {@link RateLimits#triggersPerRoom()} applies.
   */
  public RateLimit rateLimit() {
    return rateLimit;
  }

  @Override
  public String toString() {
    return "RoomConfig{" + id + "}";
  }

  /** Builds a {@link RoomConfig}; each setter checks its argument at once. */
  public static final class Builder {
    private final String id;
    private final String name;
    private String description;
    private final Map<String, EventDefinition<?>> events = new LinkedHashMap<>();
    private boolean anyEvent;
    private int maxSize;
    private final List<String> defaultSubscriptions = new ArrayList<>();
    private int syncHistoryOnJoin;
    private boolean presence;
    private String createdById;
    private final Map<String, CommandDefinition<?, ?>> commands = new LinkedHashMap<>();
    private final Map<String, AsyncCommandHandler<?, ?>> commandHandlers = new LinkedHashMap<>();
    private RoomVisibility visibility = RoomVisibility.PUBLIC;
    private RoomVisibilityPolicy visibleTo;
    private final Map<String, List<Interception<?>>> interceptions = new LinkedHashMap<>();
    private ObjectNode metadata;
    private Duration disposeWhenEmpty;
    private RateLimit rateLimit;

    private Builder(String id, String name) {
      requireNonNull(id, "id == null");
      requireNonNull(name, "name == null");
      if (id.isBlank()) {
        throw new IllegalArgumentException("room id is blank");
      }
      this.id = id;
      this.name = name;
    }

    public Builder description(String description) {
      this.description = requireNonNull(description, "description == null");
      return this;
    }

    /** Adds events the room accepts; a name may be defined only once per room. */
    public Builder events(EventDefinition<?>... definitions) {
      for (EventDefinition<?> d : definitions) {
        requireNonNull(d, "event definition == null");
        if (events.containsKey(d.name())) {
          throw new IllegalArgumentException(
              "event '" + d.name() + "' is already defined in room '" + id + "'");
        }
        events.put(d.name(), d);
      }
      return this;
    }

    /** Accepts any event name ({@code "*"}), besides the defined ones which are still validated. */
    public Builder anyEvent() {
      this.anyEvent = true;
      return this;
    }

    /** Limits the room to {@code maxSize} connections. */
    public Builder maxSize(int maxSize) {
      if (maxSize <= 0) {
        throw new IllegalArgumentException("maxSize must be positive but was " + maxSize);
      }
      this.maxSize = maxSize;
      return this;
    }

    /** Event names (or {@code "*"}) every connection is subscribed to when it joins. */
    public Builder defaultSubscriptions(String... eventNames) {
      for (String n : eventNames) {
        requireNonNull(n, "event name == null");
        defaultSubscriptions.add(n);
      }
      return this;
    }

    /** Sends all history ({@code true}) or none ({@code false}) on join. */
    public Builder syncHistoryOnJoin(boolean all) {
      this.syncHistoryOnJoin = all ? SYNC_ALL : 0;
      return this;
    }

    /** Sends the newest {@code count} events (all event names together) on join. */
    public Builder syncHistoryOnJoin(int count) {
      if (count < 0) {
        throw new IllegalArgumentException("syncHistoryOnJoin must be >= 0 but was " + count);
      }
      this.syncHistoryOnJoin = count;
      return this;
    }

    /** Tracks which users are in the room and tells participants when that changes. */
    public Builder presence(boolean enabled) {
      this.presence = enabled;
      return this;
    }

    /** The user id of the room's creator; set by the server for client-created rooms. */
    public Builder createdById(String userId) {
      this.createdById = requireNonNull(userId, "userId == null");
      return this;
    }

    /**
     * Handles {@code command} sent to this room by its members ({@code dialogue:request} with the
     * room's id); see {@link CommandHandler}. Non-members are answered {@code NOT_IN_ROOM}. A name
     * may be handled only once per room.
     */
    public <Req, Res> Builder command(
        CommandDefinition<Req, Res> command, CommandHandler<Req, Res> handler) {
      requireNonNull(handler, "handler == null");
      return commandAsync(
          command,
          (context, request) ->
              CompletableFuture.completedFuture(handler.handle(context, request)));
    }

    /** Like {@link #command} with a handler whose result may complete later. */
    public <Req, Res> Builder commandAsync(
        CommandDefinition<Req, Res> command, AsyncCommandHandler<Req, Res> handler) {
      requireNonNull(command, "command == null");
      requireNonNull(handler, "handler == null");
      if (commands.containsKey(command.name())) {
        throw new IllegalArgumentException(
            "command '" + command.name() + "' is already handled in room '" + id + "'");
      }
      commands.put(command.name(), command);
      commandHandlers.put(command.name(), handler);
      return this;
    }

    /**
     * Whether the room is listed and announced to everyone ({@link RoomVisibility#PUBLIC}, the
     * default) or exists only for its members and whom {@link #visibleTo} admits ({@link
     * RoomVisibility#PRIVATE}).
     */
    public Builder visibility(RoomVisibility visibility) {
      this.visibility = requireNonNull(visibility, "visibility == null");
      return this;
    }

    /**
     * Makes the room {@linkplain RoomVisibility#PRIVATE private} and visible, besides its members,
     * to the connections {@code policy} admits.
     */
    public Builder visibleTo(RoomVisibilityPolicy policy) {
      this.visibleTo = requireNonNull(policy, "policy == null");
      this.visibility = RoomVisibility.PRIVATE;
      return this;
    }

    /**
     * Decides on each trigger of {@code event} in this room before delivery, typed and with the
     * sender's connection; several run in the order added. See {@link TriggerInterceptor}.
     */
    public <T> Builder intercept(EventDefinition<T> event, TriggerInterceptor<T> interceptor) {
      requireNonNull(event, "event == null");
      requireNonNull(interceptor, "interceptor == null");
      interceptions
          .computeIfAbsent(event.name(), k -> new ArrayList<>())
          .add(new Interception<>(event, interceptor));
      return this;
    }

    /**
     * Application data about the room that clients may see: sent with the room in {@code
     * listRooms}, {@code dialogue:roomCreated} and the join answer, to the connections that can see
     * the room (e.g. a channel's topic, a game's mode). Any value the library's JSON mapping
     * encodes as an object, at most {@value #MAX_METADATA_BYTES} bytes of JSON.
     *
     * @throws IllegalArgumentException if it is not an object or is larger than that
     */
    public Builder metadata(Object metadata) {
      requireNonNull(metadata, "metadata == null");
      JsonNode tree = Json.tree(metadata);
      if (!tree.isObject()) {
        throw new IllegalArgumentException(
            "metadata of room '" + id + "' must be a JSON object, not " + tree.getNodeType());
      }
      int bytes = Json.write(tree).getBytes(StandardCharsets.UTF_8).length;
      if (bytes > MAX_METADATA_BYTES) {
        throw new IllegalArgumentException(
            "metadata of room '"
                + id
                + "' is "
                + bytes
                + " bytes of JSON; the limit is "
                + MAX_METADATA_BYTES);
      }
      this.metadata = (ObjectNode) tree;
      return this;
    }

    /**
     * Deletes the room once it has been empty for {@code grace}: from its creation if nobody joins,
     * or from the moment its last member left; a join meanwhile cancels it. The deletion is an
     * ordinary one ({@link Dialogue#deleteRoom}): {@code dialogue:roomDeleted} to whoever may see
     * the room, its history to the cleanup hook, {@link DialogueListener#onRoomDeleted}. A member
     * whose connection dropped keeps the room occupied during the disconnect grace. Measured on the
     * server's clock ({@link Dialogue.Builder#clock}); see docs/lifecycle.md.
     *
     * <p>For rooms created at runtime; a configured room with this option is disposed of too, and
     * then stays deleted. {@link Duration#ZERO} deletes it as soon as it is empty.
     *
     * @throws IllegalArgumentException if {@code grace} is null or negative
     */
    public Builder disposeWhenEmpty(Duration grace) {
      if (grace == null || grace.isNegative()) {
        throw new IllegalArgumentException(
            "disposeWhenEmpty must be a duration >= 0 but was " + grace);
      }
      this.disposeWhenEmpty = grace;
      return this;
    }

    /**
     * How often clients may trigger events in this room, all senders together (default the server's
     * {@link RateLimits#triggersPerRoom()}, none unless set). A trigger over it is refused with
     * {@code RATE_LIMITED} and {@code retryAfterMs}; triggers by server code are not limited.
     */
    public Builder rateLimit(RateLimit limit) {
      this.rateLimit = requireNonNull(limit, "limit == null");
      return this;
    }

    /**
     * @throws IllegalStateException if the room is public but has a visibility policy (set {@code
     *     visibility(PUBLIC)} after {@code visibleTo})
     */
    public RoomConfig build() {
      if (visibility == RoomVisibility.PUBLIC && visibleTo != null) {
        throw new IllegalStateException(
            "room '"
                + id
                + "' is public, so its visibility policy would never be asked; remove visibleTo"
                + " or make it private");
      }
      return new RoomConfig(this);
    }
  }
}
