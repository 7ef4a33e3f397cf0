package dev.dialogue.client;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A Java client for a Dialogue server.
 *
 * <pre>{@code
 * DialogueClient client = DialogueClient.builder("http://localhost:3000")
 *     .auth(() -> Map.of("token", tokens.current()))
 *     .build();
 * client.connect().join();
 * ClientRoom chat =
 *     client
 *         .join("chat", room -> room.on("message", Message.class, (m, e) -> show(e.from(), m.text())))
 *         .join();
 * chat.trigger("message", new Message("hi")).result().join();
 * }</pre>
 *
 * <p>Rooms server code joins this connection to ({@code ClientConnection.join} in a hook) become
 * {@link ClientRoom}s too, announced through {@link #onJoined}; a leave by server code closes them
 * ({@link #onLeft}).
 *
 * <p>Every request returns a {@link CompletableFuture} answered through a correlated
 * acknowledgement, failing with a {@link DialogueClientException} that carries the server's error
 * code. Every callback and future completion runs on the callback executor (by default one daemon
 * thread of this client), one at a time, never on socket.io-client's shared event thread.
 *
 * <p>After a lost connection the client reconnects with exponential back-off and jitter, asks the
 * auth supplier again, re-joins its rooms asking for the events it missed (by offset), restores its
 * subscriptions, and then sends the triggers that waited in the offline queue, in order. It keeps
 * its rooms until the application leaves them and its triggers until their fate is known (see
 * {@link PendingTrigger}); every future completes, also on {@link #close()} and {@link
 * #disconnect()}.
 */
public final class DialogueClient implements AutoCloseable {
  // The public face. The jobs are in their own classes: Connector (the socket's life: connect,
  // reconnect, auth, identified, lost, closed), Connection (its state, and the gate every request
  // passes), KeptRooms (joins, re-joins, subscriptions), Inbound (the server's events), Outbox
  // (triggers), AckRequests (correlated requests), Listeners (the application's callbacks).
  private final ExecutorService ownedCallbackExecutor;
  private final ScheduledThreadPoolExecutor scheduler;
  private final Listeners listeners = new Listeners();
  private final Outbox outbox;
  private final Connection connection;
  private final KeptRooms rooms;
  private final Connector connector;

  private DialogueClient(ClientSettings config) {
    this.ownedCallbackExecutor =
        config.callbackExecutor() == null
            ? Executors.newSingleThreadExecutor(daemon("dialogue-client-callbacks"))
            : null;
    OrderedExecutor loop =
        new OrderedExecutor(
            config.callbackExecutor() != null ? config.callbackExecutor() : ownedCallbackExecutor);
    this.scheduler = new ScheduledThreadPoolExecutor(1, daemon("dialogue-client-timer"));
    scheduler.setRemoveOnCancelPolicy(true); // a confirmed trigger leaves no task behind
    AckRequests requests = new AckRequests(scheduler, loop, config.requestTimeout());
    this.outbox =
        new Outbox(
            config.offlineQueue(),
            scheduler,
            loop,
            config.triggerDeadline(),
            config.maxTriggersInFlight(),
            config.reconnectDelay(),
            config.reconnectDelayMax());
    this.connection = new Connection(requests, loop, listeners);
    this.rooms = new KeptRooms(config, connection, outbox, listeners, loop, scheduler);
    this.connector =
        new Connector(config, loop, scheduler, connection, requests, outbox, rooms, listeners);
  }

  /** A builder for a client of the server at {@code url} (http:// or https://). */
  public static Builder builder(String url) {
    return new Builder(url);
  }

  /**
   * Connects; completes when the server has identified the connection ({@code dialogue:connected}),
   * fails with code {@code CONNECT_REFUSED} (the authenticator's reason), {@code TIMEOUT}, {@code
   * DISCONNECTED} ({@link #disconnect()} meanwhile) or {@code CLOSED}.
   */
  public CompletableFuture<Void> connect() {
    return connector.connect();
  }

  /**
   * Disconnects and leaves every room (locally; the server ends the connection's memberships).
   * Requests and triggers not answered yet fail with {@code DISCONNECTED} (fate {@code NOT_SENT}
   * for triggers that had not left the client, {@code UNKNOWN} otherwise). Idempotent.
   */
  public void disconnect() {
    connector.disconnect();
  }

  /**
   * Disconnects and releases the client's threads. Every request and trigger not answered yet fails
   * with {@code CLOSED}; later calls fail with {@code CLOSED} too. Idempotent.
   */
  @Override
  public void close() {
    if (connector.close() && ownedCallbackExecutor != null) {
      ownedCallbackExecutor.shutdown(); // after the failures close() queued have run
    }
  }

  /** The current connection state; see {@link #onStateChange}. */
  public ConnectionState state() {
    return connection.state();
  }

  /** The user id the server assigned, or null before the first connection. */
  public String userId() {
    return connection.userId;
  }

  /** This connection's id on the server, or null. */
  public String clientId() {
    return connection.clientId;
  }

  /**
   * Joins a room (or returns the room the client already keeps); fails with the server's error code
   * or {@code NOT_CONNECTED} (fate {@code NOT_SENT}), {@code DISCONNECTED}, {@code TIMEOUT}, {@code
   * CLOSED}. From then on the client keeps the room until {@link ClientRoom#leave()}: see {@link
   * ClientRoom}.
   */
  public CompletableFuture<ClientRoom> join(String roomId) {
    requireNonNull(roomId, "roomId == null");
    return rooms.join(roomId, null);
  }

  /**
   * Joins a room like {@link #join(String)}, first handing it to {@code setup}, on the calling
   * thread, before the join is sent (or, for a room the client keeps already, before it is
   * returned). Handlers registered there exist before the first event, and the event names they
   * subscribe to are subscribed with the join itself, so no event after the join answer passes them
   * by, whatever the room's default subscriptions:
   *
   * <pre>{@code
   * client.join("game", room -> {
   *   room.on("move", Move.class, this::apply);
   *   room.on("over", Result.class, this::finish);
   * });
   * }</pre>
   *
   * <p>In {@code setup} the room is not joined yet ({@link ClientRoom#joined()} is false): register
   * handlers and subscriptions there, trigger after the answer. What {@code setup} throws fails
   * this call, and no join is sent.
   */
  public CompletableFuture<ClientRoom> join(String roomId, Consumer<ClientRoom> setup) {
    requireNonNull(roomId, "roomId == null");
    requireNonNull(setup, "setup == null");
    return rooms.join(roomId, setup);
  }

  /** A room the client keeps (its join answered), from the local cache. */
  public Optional<ClientRoom> room(String roomId) {
    return Optional.ofNullable(rooms.get(roomId));
  }

  /** Every room on the server, in creation order. */
  public CompletableFuture<List<RoomInfo>> listRooms() {
    return connection
        .request("dialogue:listRooms", null)
        .thenApply(
            result -> {
              List<RoomInfo> list = new ArrayList<>();
              for (JsonNode node : result.path("rooms")) {
                list.add(ClientJson.convert(node, RoomInfo.class));
              }
              return List.copyOf(list);
            });
  }

  /** Creates a room; {@code description} and {@code maxSize} may be null. */
  public CompletableFuture<RoomInfo> createRoom(
      String id, String name, String description, Integer maxSize) {
    requireNonNull(id, "id == null");
    requireNonNull(name, "name == null");
    ObjectNode request = ClientJson.MAPPER.createObjectNode().put("id", id).put("name", name);
    if (description != null) {
      request.put("description", description);
    }
    if (maxSize != null) {
      request.put("maxSize", maxSize);
    }
    return connection
        .request("dialogue:createRoom", request)
        .thenApply(r -> ClientJson.convert(r, RoomInfo.class));
  }

  /** Deletes a room this user created; other rooms fail with {@code PERMISSION_DENIED}. */
  public CompletableFuture<Void> deleteRoom(String roomId) {
    requireNonNull(roomId, "roomId == null");
    return rooms.delete(roomId);
  }

  /**
   * Sends the global command {@code command} with {@code payload} (any value Jackson encodes, or
   * null for none) and completes with the handler's result read as {@code resultType} (null when
   * the handler returned none). Fails with a {@link DialogueClientException}:
   *
   * <ul>
   *   <li>fate {@code REFUSED}: the server's code ({@code COMMAND_NOT_FOUND}, {@code
   *       VALIDATION_FAILED}, {@code INTERNAL_ERROR}, ...) or the application's (a {@code
   *       CommandException} on the server), with its message and {@link
   *       DialogueClientException#data()};
   *   <li>{@code TIMEOUT} (fate {@code UNKNOWN}): no answer within the request timeout; the handler
   *       may still have run;
   *   <li>{@code DISCONNECTED} (fate {@code UNKNOWN}): the connection was lost after the request
   *       was sent; {@code NOT_CONNECTED} or {@code CLOSED} (fate {@code NOT_SENT}): never sent.
   * </ul>
   *
   * <p>A command is not sent again after a reconnect, unlike a trigger: the server has no way to
   * tell a repeat from a new request, so the client does not guess. The application decides whether
   * a command whose fate is {@code UNKNOWN} is safe to send again.
   *
   * @throws IllegalArgumentException if {@code command} is empty or {@code payload} cannot be
   *     encoded as JSON; a result that cannot be read as {@code resultType} fails the future with
   *     it
   */
  public <T> CompletableFuture<T> request(String command, Object payload, Class<T> resultType) {
    requireNonNull(command, "command == null");
    requireNonNull(resultType, "resultType == null");
    return connection
        .request(CommandRequests.EVENT, CommandRequests.body(command, null, payload))
        .thenApply(answer -> CommandRequests.result(answer, resultType));
  }

  /** Called after every (re)connection, once rooms and subscriptions are being restored. */
  public Registration onConnect(Runnable listener) {
    return listeners.add(listeners.connect, requireNonNull(listener, "listener == null"));
  }

  /** Called with the reason each time the connection is lost or closed. */
  public Registration onDisconnect(Consumer<String> listener) {
    return listeners.add(listeners.disconnect, requireNonNull(listener, "listener == null"));
  }

  /** Called when any room is created on the server. */
  public Registration onRoomCreated(Consumer<RoomInfo> listener) {
    return listeners.add(listeners.roomCreated, requireNonNull(listener, "listener == null"));
  }

  /**
   * Connection refusals, {@code dialogue:error} events not tied to a request, re-joins the server
   * refused after a reconnect (the room is no longer kept; see {@link ClientRoom#onRemoved}), and
   * events the client could not deliver: {@code EVENTS_DROPPED} (more than {@link
   * ClientRoom#MAX_KEPT} arrived in a room before any handler took them) and {@code EVENTS_MISSED}
   * (after a reconnect, server code joined the connection to a kept room before the client's
   * re-join, so the events published meanwhile could not be recovered).
   */
  public Registration onError(Consumer<DialogueClientException> listener) {
    return listeners.add(listeners.error, requireNonNull(listener, "listener == null"));
  }

  /** Called with the id of a room deleted on the server; a joined room is dropped first. */
  public Registration onRoomDeleted(Consumer<String> listener) {
    return listeners.add(listeners.roomDeleted, requireNonNull(listener, "listener == null"));
  }

  /** History sent on join (rooms with {@code syncHistoryOnJoin}), newest first. */
  public Registration onHistory(BiConsumer<String, List<EventMessage>> listener) {
    return listeners.add(listeners.history, requireNonNull(listener, "listener == null"));
  }

  /** Every state change, with its reason. */
  public Registration onStateChange(BiConsumer<ConnectionState, String> listener) {
    return listeners.add(listeners.state, requireNonNull(listener, "listener == null"));
  }

  /**
   * A room server code joined this connection to ({@code ClientConnection.join}, e.g. in {@code
   * onConnected}): the client keeps it from now on, like a room it joined itself, and re-joins it
   * after a reconnect. Called on the callback executor before any of the room's events is
   * delivered, so handlers registered here see them all. Not called for the application's own
   * joins, nor when the server joins a room the client keeps already (after a reconnect).
   */
  public Registration onJoined(Consumer<ClientRoom> listener) {
    return listeners.add(listeners.joined, requireNonNull(listener, "listener == null"));
  }

  /**
   * A kept room server code took this connection out of ({@code ClientConnection.leave}): the
   * client no longer keeps it (its {@link ClientRoom#onRemoved} is called first, with {@code
   * NOT_IN_ROOM}). Not called for {@link ClientRoom#leave()}, a deleted room ({@link
   * #onRoomDeleted}) or a refused re-join ({@link #onError}). On the callback executor.
   */
  public Registration onLeft(Consumer<ClientRoom> listener) {
    return listeners.add(listeners.left, requireNonNull(listener, "listener == null"));
  }

  /**
   * Events the server sends to this connection alone ({@code ClientConnection.send}), their payload
   * converted to {@code type}.
   */
  public <T> Registration on(String eventName, Class<T> type, Consumer<T> handler) {
    requireNonNull(handler, "handler == null");
    return on(eventName, type, (data, message) -> handler.accept(data));
  }

  /**
   * Like {@link #on(String, Class, Consumer)}, with an envelope as {@link ClientRoom#on(String,
   * Class, BiConsumer)} has: for these events it carries the name ({@link EventMessage#event()})
   * and the payload only ({@code roomId}, {@code from}, {@code id}, {@code offset} are null, {@code
   * timestamp} is 0), since the server sends them without one.
   */
  public <T> Registration on(String eventName, Class<T> type, BiConsumer<T, EventMessage> handler) {
    requireNonNull(eventName, "eventName == null");
    requireNonNull(type, "type == null");
    requireNonNull(handler, "handler == null");
    return listeners.addCustom(eventName, type, handler);
  }

  /** Triggers whose fate is not known yet: waiting offline, in flight, or being retried. */
  public int pendingTriggers() {
    return outbox.size();
  }

  /** Tasks the client's scheduler holds (request timeouts, trigger deadlines, retries); tests. */
  int scheduledTasks() {
    return scheduler.getQueue().size();
  }

  private static ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }

  /** Configures a {@link DialogueClient}. Every setter checks its argument at once. */
  public static final class Builder {
    // Copied into a ClientSettings at build(): a client never reads its builder again.
    private final String url;
    private String path = "/socket.io";
    private Supplier<Map<String, String>> auth = Map::of;
    private Executor callbackExecutor;
    private Duration requestTimeout = Duration.ofSeconds(10);
    private Duration connectTimeout = Duration.ofSeconds(20);
    private boolean reconnect = true;
    private Duration reconnectDelay = Duration.ofMillis(500);
    private Duration reconnectDelayMax = Duration.ofSeconds(5);
    private double jitter = 0.5;
    private String[] transports = {"websocket"};
    private OfflineQueue offlineQueue;
    private Duration triggerDeadline = Duration.ofMinutes(4);
    private int maxTriggersInFlight = 256;

    private Builder(String url) {
      requireNonNull(url, "url == null");
      URI uri = URI.create(url);
      if (uri.getScheme() == null
          || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))) {
        throw new IllegalArgumentException("url must be http:// or https:// but was " + url);
      }
      this.url = url;
    }

    /** The Socket.IO path (default {@code /socket.io}). */
    public Builder path(String path) {
      requireNonNull(path, "path == null");
      if (!path.startsWith("/")) {
        throw new IllegalArgumentException("path must start with / but was " + path);
      }
      this.path = path;
      return this;
    }

    /** A fixed {@code auth} object. Socket.IO's Java transport sends string values only. */
    public Builder auth(Map<String, String> auth) {
      Map<String, String> copy = Map.copyOf(requireNonNull(auth, "auth == null"));
      this.auth = () -> copy;
      return this;
    }

    /**
     * Asked for the {@code auth} object before every connection attempt, so tokens can be
     * refreshed.
     */
    public Builder auth(Supplier<Map<String, String>> supplier) {
      this.auth = requireNonNull(supplier, "supplier == null");
      return this;
    }

    /** Where callbacks and future completions run, one at a time (default: one daemon thread). */
    public Builder callbackExecutor(Executor executor) {
      this.callbackExecutor = requireNonNull(executor, "executor == null");
      return this;
    }

    /**
     * How long a request waits for its answer (default 10 s); then it fails with {@code TIMEOUT},
     * except triggers and re-joins, which are sent again.
     */
    public Builder requestTimeout(Duration timeout) {
      this.requestTimeout = positive(timeout, "requestTimeout");
      return this;
    }

    /** How long {@link DialogueClient#connect()} and each attempt wait (default 20 s). */
    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = positive(timeout, "connectTimeout");
      return this;
    }

    /** Automatic reconnect (default on). */
    public Builder reconnect(boolean enabled) {
      this.reconnect = enabled;
      return this;
    }

    /**
     * Back-off: the first delay, doubling up to {@code max}, each randomized by {@code jitter}
     * (0..1).
     */
    public Builder reconnectBackoff(Duration initial, Duration max, double jitter) {
      positive(initial, "initial");
      positive(max, "max");
      if (max.compareTo(initial) < 0) {
        throw new IllegalArgumentException("max " + max + " is below initial " + initial);
      }
      if (jitter < 0 || jitter > 1) {
        throw new IllegalArgumentException("jitter must be within 0..1 but was " + jitter);
      }
      this.reconnectDelay = initial;
      this.reconnectDelayMax = max;
      this.jitter = jitter;
      return this;
    }

    /** Transports in order of preference: {@code websocket} (default) and/or {@code polling}. */
    public Builder transports(String... names) {
      if (names.length == 0) {
        throw new IllegalArgumentException("at least one transport is needed");
      }
      for (String n : names) {
        if (!n.equals("websocket") && !n.equals("polling")) {
          throw new IllegalArgumentException("transport must be websocket or polling but was " + n);
        }
      }
      this.transports = names.clone();
      return this;
    }

    /**
     * Where triggers wait while disconnected (default: a new in-memory queue of 1,000 triggers for
     * each client built).
     */
    public Builder offlineQueue(OfflineQueue queue) {
      this.offlineQueue = requireNonNull(queue, "queue == null");
      return this;
    }

    /**
     * How long the client keeps sending a trigger until the server confirms or refuses it (default
     * 4 minutes); past it the trigger fails with {@code DEADLINE_EXCEEDED}. Keep it below the
     * server's idempotency window (default 5 minutes): within the window a repeat of the same
     * {@code clientMessageId} is answered with the first result, after it a repeat would be
     * published again.
     */
    public Builder triggerDeadline(Duration deadline) {
      this.triggerDeadline = positive(deadline, "triggerDeadline");
      return this;
    }

    /**
     * At most this many triggers are sent and not yet answered at a time (default 256, below the
     * server's default limit of 1,000 requests waiting per connection); the others wait, in order,
     * in the offline queue, and count against its capacity.
     */
    public Builder maxTriggersInFlight(int max) {
      if (max <= 0) {
        throw new IllegalArgumentException("maxTriggersInFlight must be positive but was " + max);
      }
      this.maxTriggersInFlight = max;
      return this;
    }

    /**
     * Builds the client; it connects on {@link DialogueClient#connect()}. The settings are copied:
     * changing this builder afterwards does not change the client.
     */
    public DialogueClient build() {
      return new DialogueClient(
          new ClientSettings(
              url,
              path,
              auth,
              callbackExecutor,
              requestTimeout,
              connectTimeout,
              reconnect,
              reconnectDelay,
              reconnectDelayMax,
              jitter,
              List.of(transports),
              offlineQueue != null ? offlineQueue : new InMemoryOfflineQueue(1_000),
              triggerDeadline,
              maxTriggersInFlight));
    }

    private static Duration positive(Duration d, String name) {
      requireNonNull(d, name + " == null");
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(name + " must be positive but was " + d);
      }
      return d;
    }
  }
}
