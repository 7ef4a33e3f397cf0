package dev.dialogue;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dialogue.internal.CommandRoute;
import dev.dialogue.internal.HookThreads;
import dev.dialogue.internal.Hub;
import dev.dialogue.internal.Observers;
import dev.dialogue.internal.Settings;
import dev.dialogue.internal.socketio.Internals;
import dev.dialogue.internal.socketio.SocketIoTransport;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Dialogue server: rooms, typed events and hooks behind a Socket.IO v4 endpoint, embedded in the
 * application's process.
 *
 * <pre>{@code
 * try (Dialogue dialogue = Dialogue.builder()
 *     .port(3000)
 *     .room(RoomConfig.builder("chat", "Chat").events(MESSAGE).defaultSubscriptions("message").build())
 *     .build()) {
 *   dialogue.start();
 *   dialogue.trigger("chat", "message", new Message("hello"));
 * }
 * }</pre>
 *
 * <p>{@link #start()} blocks until the port is bound; {@link #stop()} and {@link #close()} are
 * idempotent. All methods are thread-safe.
 */
public final class Dialogue implements AutoCloseable {
  /** {@link Builder#maxFlushDelay}'s default. */
  static final Duration DEFAULT_MAX_FLUSH_DELAY = Duration.ofMillis(20);

  static final long DEFAULT_MAX_HTTP_REQUEST_BYTES = 1L << 20;

  /** {@link Builder#maxFlushDelayUnderLoad}'s default. */
  static final Duration DEFAULT_MAX_FLUSH_DELAY_UNDER_LOAD = Duration.ofMillis(250);

  /**
   * The upper bound of {@link Builder#maxFlushDelay} and {@link Builder#maxFlushDelayUnderLoad}.
   */
  static final Duration MAX_FLUSH_DELAY_LIMIT = Duration.ofSeconds(1);

  private final Settings settings;
  private final Hub hub;
  private final SocketIoTransport transport;
  private final Object lifecycle = new Object();

  static {
    Internals.install(
        new Internals.Access() {
          @Override
          public Hub hub(Dialogue server) {
            return server.hub;
          }

          @Override
          public Settings settings(Dialogue server) {
            return server.settings;
          }

          @Override
          public SocketIoTransport transport(Dialogue server) {
            return server.transport;
          }
        });
  }

  private volatile int port = -1;
  private boolean started;
  private boolean stopped;

  private Dialogue(Settings settings) {
    this.settings = settings;
    this.hub = new Hub(settings);
    this.transport = new SocketIoTransport(settings.transport(), settings.runtime(), hub);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Binds the port and starts accepting connections; blocks until bound. */
  public Dialogue start() {
    synchronized (lifecycle) {
      if (stopped) {
        throw new IllegalStateException("this Dialogue was stopped; build a new one");
      }
      if (!started) {
        port = transport.start();
        started = true;
        settings.runtime().observer().onStart(this, settings.runtime().executor());
      }
      return this;
    }
  }

  /**
   * Closes the port and every connection, runs the disconnected hooks, and hands all in-memory
   * history to the cleanup hook. Blocks until done; idempotent.
   *
   * <p>Clients see a closed transport, not a Socket.IO disconnect, so they reconnect with back-off:
   * right for restarts and rolling deploys. To tell a client not to come back, call {@link
   * ClientConnection#disconnect()} first.
   */
  public void stop() {
    synchronized (lifecycle) {
      if (stopped) {
        return;
      }
      stopped = true;
      if (started) {
        transport.stop();
        hub.endAll("server shutting down", 5_000);
      }
      hub.shutdown();
      if (settings.runtime().ownsExecutor()) {
        ((ExecutorService) settings.runtime().executor()).shutdown();
      }
    }
  }

  @Override
  public void close() {
    stop();
  }

  /** Transport sessions the gate still tracks (for tests in this package). */
  int trackedSessions() {
    return transport.trackedSessions();
  }

  /** "epoll" or "nio": the Netty transport in use, once started (for tests in this package). */
  String transportKind() {
    return transport.kind();
  }

  /** The bound port; after {@link #start()}, also when it was configured as 0. */
  public int port() {
    if (port < 0) {
      throw new IllegalStateException("not started");
    }
    return port;
  }

  /**
   * Publishes an event from the server as {@code "system"}.
   *
   * @throws DialogueException with {@code ROOM_NOT_FOUND}, {@code EVENT_NOT_ALLOWED}, {@code
   *     VALIDATION_FAILED} or {@code EVENT_REJECTED}
   */
  public EventMessage trigger(String roomId, String eventName, Object data) {
    return trigger(roomId, eventName, data, "system", null);
  }

  public EventMessage trigger(String roomId, String eventName, Object data, String from) {
    return trigger(roomId, eventName, data, from, null);
  }

  public EventMessage trigger(
      String roomId, String eventName, Object data, String from, Map<String, ?> meta) {
    return hub.requireRoom(roomId).trigger(eventName, data, from, meta);
  }

  public <T> EventMessage trigger(String roomId, EventDefinition<T> event, T data) {
    return trigger(roomId, event.name(), data, "system", null);
  }

  /** Calls {@code handler} after each delivered event of that name in the room. */
  public <T> Registration on(String roomId, EventDefinition<T> event, EventHandler<T> handler) {
    return hub.requireRoom(roomId).on(event, handler);
  }

  public Registration on(String roomId, String eventName, EventHandler<JsonNode> handler) {
    return hub.requireRoom(roomId).on(eventName, handler);
  }

  public Optional<Room> room(String roomId) {
    return Optional.ofNullable(hub.room(roomId));
  }

  /** Every room, in creation order. */
  public List<Room> rooms() {
    return List.copyOf(hub.rooms());
  }

  /**
   * Creates a room at runtime and tells every connected client ({@code dialogue:roomCreated}).
   *
   * @throws DialogueException with {@code ROOM_EXISTS}
   */
  public Room createRoom(RoomConfig config) {
    return hub.createRoom(config, null, null);
  }

  /** Deletes a room, removing every participant; returns false if there was no such room. */
  public boolean deleteRoom(String roomId) {
    return hub.deleteRoom(roomId, null, null);
  }

  /**
   * The connections of one user (tabs, devices). With a {@link Builder#broker shared broker}, the
   * user's connections on the other nodes follow this node's own: what can be done to them (join,
   * leave, subscriptions, send, disconnect) is carried to their node; what only their node knows
   * (meta, claims, subscriptions, attributes) is not available (docs/scaling.md).
   */
  public List<ClientConnection> clients(String userId) {
    return List.copyOf(hub.clientsOnEveryNode(userId));
  }

  public List<ClientConnection> allClients() {
    return List.copyOf(hub.allClients());
  }

  /** The rooms any connection of the user is in (on any node, with a shared broker). */
  public Set<String> clientRooms(String userId) {
    return hub.clientRooms(userId);
  }

  /**
   * The server's traffic now: connections, rooms, events published and delivered since the start,
   * and the delivery latency of the last seconds. Cheap (a few reads and a merge of small arrays);
   * any thread. For rates, take two snapshots and divide the difference by the time between them.
   */
  public DialogueStats stats() {
    return hub.stats();
  }

  /** Whether any connection of the user is in the room (on any node, with a shared broker). */
  public boolean isInRoom(String userId, String roomId) {
    return hub.isInRoom(userId, roomId);
  }

  /**
   * Configures a {@link Dialogue}. Every setter checks its argument at once; {@link #build()}
   * checks the rules that span several settings.
   */
  public static final class Builder {
    private String host = "0.0.0.0";
    private int port = 3000;
    private String path = "/socket.io";
    private String namespace = "/";
    private final Map<String, RoomConfig> rooms = new LinkedHashMap<>();
    private final Map<String, EventDefinition<?>> globalEvents = new LinkedHashMap<>();
    private final Map<String, CommandRoute<?, ?>> commands = new LinkedHashMap<>();
    private Authenticator authenticator;
    private JoinPolicy joinPolicy;
    private RoomCreationPolicy roomCreationPolicy;
    private final List<EventInterceptor> interceptors = new ArrayList<>();
    private final List<DialogueListener> listeners = new ArrayList<>();
    private final List<DialogueObserver> observers = new ArrayList<>();
    private HistoryCleanup historyCleanup;
    private HistoryLoader historyLoader;
    private final Set<String> allowedOrigins = new LinkedHashSet<>();
    private int maxPayloadBytes = 1 << 20;
    private int maxMetaBytes = 16 * 1024;
    private Duration pingInterval = Duration.ofSeconds(25);
    private Duration pingTimeout = Duration.ofSeconds(20);
    private Duration upgradeTimeout = Duration.ofSeconds(10);
    private Logger logger = LoggerFactory.getLogger("dev.dialogue");
    private Executor executor;
    private Clock clock = Clock.systemUTC();
    private int historyRequestLimit = 20;
    private Duration historyRequestWindow = Duration.ofSeconds(60);
    private int maxHistoryPage = 500;
    private List<EventDefinition<?>> clientRoomEvents;
    private int maxRoomsPerConnection = 100;
    private int maxClientRooms = 10_000;
    private RateLimits rateLimits = RateLimits.defaults();
    private int maxConnectionsPerUser = Integer.MAX_VALUE;
    private int maxRoomsPerUser = Integer.MAX_VALUE;
    private int maxPendingRequests = 1_000;
    private int maxOutboundPackets = 10_000;
    private long maxOutboundBytes = 4L << 20;
    private String browserClientPath = "/dialogue.js";
    private boolean nativeTransport = true;
    private Duration maxFlushDelay = DEFAULT_MAX_FLUSH_DELAY;
    private Duration maxFlushDelayUnderLoad = DEFAULT_MAX_FLUSH_DELAY_UNDER_LOAD;
    private HistoryStore historyStore;
    private BrokerProvider broker;
    private int maxEventsInMemory = 1_000_000;
    private int maxRecoveryEvents = 1_000;
    private Duration idempotencyWindow = Duration.ofMinutes(5);
    private int maxIdempotencyKeys = 100_000;
    private Duration disconnectGrace = Duration.ZERO;
    private Duration clientRoomDisposal;
    private final Map<String, Settings.HttpRoute> httpRoutes = new LinkedHashMap<>();

    private Builder() {}

    /**
     * Serves HTTP requests under {@code pathPrefix} on the server's own port with {@code handler},
     * request bodies up to 1 MiB; see {@link #http(String, long, HttpHandler)}.
     */
    public Builder http(String pathPrefix, HttpHandler handler) {
      return http(pathPrefix, DEFAULT_MAX_HTTP_REQUEST_BYTES, handler);
    }

    /**
     * Serves HTTP requests on the server's own port with {@code handler}: an application's pages,
     * API and files next to Socket.IO (see {@link HttpHandler}). A prefix ending with {@code /}
     * ({@code /api/files/}) takes every path under it and the path without the slash; one without
     * ({@code /api/signin}) takes that path and paths under it; {@code /} takes every path no other
     * route takes. The longest matching prefix wins. The Socket.IO {@link #path} and the {@link
     * #browserClientPath} are the server's own and cannot be routes.
     *
     * <p>A request body above {@code maxRequestBytes} is refused with {@code 413} before the
     * handler runs (announced by {@code Content-Length}: at once, without reading it; else as soon
     * as the limit is passed), and the connection is closed.
     */
    public Builder http(String pathPrefix, long maxRequestBytes, HttpHandler handler) {
      requireNonNull(pathPrefix, "pathPrefix == null");
      requireNonNull(handler, "handler == null");
      if (!pathPrefix.matches("/[A-Za-z0-9._~!$&'()*+,;=:@/-]*") || pathPrefix.contains("//")) {
        throw new IllegalArgumentException(
            "pathPrefix must look like / or /api/ or /api/signin but was " + pathPrefix);
      }
      if (maxRequestBytes < 0) {
        throw new IllegalArgumentException(
            "maxRequestBytes must be >= 0 but was " + maxRequestBytes);
      }
      if (httpRoutes.containsKey(pathPrefix)) {
        throw new IllegalArgumentException("an HTTP route for " + pathPrefix + " exists already");
      }
      httpRoutes.put(pathPrefix, new Settings.HttpRoute(pathPrefix, maxRequestBytes, handler));
      return this;
    }

    /**
     * Keeps history durably in {@code store} (for example {@code
     * dev.dialogue.jdbc.JdbcHistoryStore}) with write-through: a client's trigger of an event with
     * history is acknowledged only once the store has it. Rooms continue their epoch and offsets
     * after a restart, recovery and {@code getHistory} reach past memory into the store, and the
     * store is closed by {@link Dialogue#stop()}.
     */
    public Builder historyStore(HistoryStore store) {
      this.historyStore = requireNonNull(store, "store == null");
      return this;
    }

    /**
     * Numbers, keeps and fans out rooms' events through a shared broker, so that several servers
     * (nodes) serve the same rooms: for example {@code
     * .broker(dev.dialogue.redis.RedisBroker.create("redis://127.0.0.1:6379"))} from {@code
     * dialogue-redis}. Without one, this process numbers its rooms' events itself (in memory, with
     * the {@link #historyStore} behind it). See {@code docs/scaling.md}.
     */
    public Builder broker(BrokerProvider broker) {
      requireNonNull(broker, "broker == null");
      if (!(broker instanceof dev.dialogue.internal.Broker.Factory)) {
        throw new IllegalArgumentException(
            broker.getClass().getName()
                + " is not a broker of a scale-out module (such as dialogue-redis' RedisBroker)");
      }
      this.broker = broker;
      return this;
    }

    /**
     * The budget for all rooms' in-memory history together (default 1,000,000 events). Above it,
     * the buffers of the rooms idle the longest leave memory first, through the cleanup hook.
     */
    public Builder maxEventsInMemory(int events) {
      if (events <= 0) {
        throw new IllegalArgumentException("maxEventsInMemory must be positive but was " + events);
      }
      this.maxEventsInMemory = events;
      return this;
    }

    /** The most missed events one join may recover with {@code since} (default 1,000). */
    public Builder maxRecoveryEvents(int events) {
      if (events < 0) {
        throw new IllegalArgumentException("maxRecoveryEvents must be >= 0 but was " + events);
      }
      this.maxRecoveryEvents = events;
      return this;
    }

    /**
     * How long a trigger's {@code clientMessageId} is remembered, per user, to answer a repeat with
     * the first result instead of publishing again (default 5 minutes, at most {@code maxKeys} ids,
     * default 100,000).
     */
    public Builder idempotencyWindow(Duration window, int maxKeys) {
      requireNonNull(window, "window == null");
      if (window.isNegative() || window.isZero()) {
        throw new IllegalArgumentException("idempotency window must be positive but was " + window);
      }
      if (maxKeys <= 0) {
        throw new IllegalArgumentException("maxKeys must be positive but was " + maxKeys);
      }
      this.idempotencyWindow = window;
      this.maxIdempotencyKeys = maxKeys;
      return this;
    }

    /** The port to listen on (default 3000); 0 picks a free one, see {@link Dialogue#port()}. */
    public Builder port(int port) {
      if (port < 0 || port > 65_535) {
        throw new IllegalArgumentException("port must be in 0..65535 but was " + port);
      }
      this.port = port;
      return this;
    }

    /** The address to bind (default {@code 0.0.0.0}, all interfaces). */
    public Builder host(String host) {
      this.host = requireNonNull(host, "host == null");
      return this;
    }

    /** The Socket.IO path (default {@code /socket.io}). */
    public Builder path(String path) {
      requireNonNull(path, "path == null");
      if (!path.startsWith("/") || path.length() < 2 || path.endsWith("/")) {
        throw new IllegalArgumentException("path must look like /socket.io but was " + path);
      }
      this.path = path;
      return this;
    }

    /** The Socket.IO namespace all Dialogue traffic uses (default {@code /}). */
    public Builder namespace(String namespace) {
      requireNonNull(namespace, "namespace == null");
      if (!namespace.startsWith("/") || namespace.contains(",")) {
        throw new IllegalArgumentException(
            "namespace must start with / and contain no comma but was " + namespace);
      }
      this.namespace = namespace;
      return this;
    }

    /** Adds rooms that exist from the start; clients cannot delete them. */
    public Builder room(RoomConfig... configs) {
      for (RoomConfig c : configs) {
        requireNonNull(c, "room == null");
        if (rooms.putIfAbsent(c.id(), c) != null) {
          throw new IllegalArgumentException("room '" + c.id() + "' was already added");
        }
      }
      return this;
    }

    /**
     * Defines events for rooms that accept any event ({@code "*"}) and do not define the name
     * themselves: such triggers are validated against these definitions.
     */
    public Builder event(EventDefinition<?>... definitions) {
      for (EventDefinition<?> d : definitions) {
        requireNonNull(d, "event == null");
        if (globalEvents.putIfAbsent(d.name(), d) != null) {
          throw new IllegalArgumentException("event '" + d.name() + "' was already defined");
        }
      }
      return this;
    }

    /**
     * Handles the global command {@code command}: any authenticated connection may send it ({@code
     * dialogue:request} without a {@code roomId}). See {@link CommandHandler} for the thread and
     * the errors; a command of a room is registered on its {@link RoomConfig.Builder#command}.
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
            "command '" + command.name() + "' was already registered");
      }
      commands.put(command.name(), new CommandRoute<>(command, handler));
      return this;
    }

    /**
     * Authenticates every connection. Without one the server runs in development mode: {@code
     * auth.userId} is trusted and a connection without it gets an anonymous id.
     */
    public Builder authenticator(Authenticator authenticator) {
      this.authenticator = requireNonNull(authenticator, "authenticator == null");
      return this;
    }

    public Builder joinPolicy(JoinPolicy joinPolicy) {
      this.joinPolicy = requireNonNull(joinPolicy, "joinPolicy == null");
      return this;
    }

    /** Decides whether clients may create rooms (default: every authenticated client may). */
    public Builder roomCreationPolicy(RoomCreationPolicy policy) {
      this.roomCreationPolicy = requireNonNull(policy, "roomCreationPolicy == null");
      return this;
    }

    /** Adds an interceptor; several run in the order added. */
    public Builder interceptor(EventInterceptor interceptor) {
      interceptors.add(requireNonNull(interceptor, "interceptor == null"));
      return this;
    }

    public Builder listener(DialogueListener listener) {
      listeners.add(requireNonNull(listener, "listener == null"));
      return this;
    }

    /**
     * Adds an observer of what the server does, for metrics (such as {@code dialogue-micrometer}'s
     * {@code DialogueMetrics}); several are called in the order added. Its methods are called on
     * the threads where things happen, event loops included: see {@link DialogueObserver}. Without
     * one, observing costs nothing.
     */
    public Builder observer(DialogueObserver observer) {
      observers.add(requireNonNull(observer, "observer == null"));
      return this;
    }

    public Builder historyCleanup(HistoryCleanup cleanup) {
      this.historyCleanup = requireNonNull(cleanup, "historyCleanup == null");
      return this;
    }

    public Builder historyLoader(HistoryLoader loader) {
      this.historyLoader = requireNonNull(loader, "historyLoader == null");
      return this;
    }

    /**
     * Browser origins allowed to connect (e.g. {@code https://app.example.com}). Handshakes with
     * another {@code Origin} header are refused with HTTP 401. Empty (the default) allows any
     * origin; clients that send no {@code Origin} (non-browser) are always allowed.
     */
    public Builder allowedOrigins(String... origins) {
      for (String o : origins) {
        requireNonNull(o, "origin == null");
        if (!o.equals("*") && !o.matches("https?://[^/]+")) {
          throw new IllegalArgumentException(
              "origin must look like https://host[:port] but was " + o);
        }
        allowedOrigins.add(o);
      }
      return this;
    }

    /** The largest inbound frame in bytes (default 1 MiB). */
    public Builder maxPayloadBytes(int bytes) {
      if (bytes < 1024) {
        throw new IllegalArgumentException(
            "maxPayloadBytes must be at least 1024 but was " + bytes);
      }
      this.maxPayloadBytes = bytes;
      return this;
    }

    /** The largest {@code meta} object of a trigger, encoded, in bytes (default 16 KiB). */
    public Builder maxMetaBytes(int bytes) {
      if (bytes < 0) {
        throw new IllegalArgumentException("maxMetaBytes must be >= 0 but was " + bytes);
      }
      this.maxMetaBytes = bytes;
      return this;
    }

    /** Engine.IO heartbeat (defaults 25 s and 20 s, as Socket.IO). */
    public Builder heartbeat(Duration interval, Duration timeout) {
      requireNonNull(interval, "interval == null");
      requireNonNull(timeout, "timeout == null");
      if (interval.toMillis() < 100 || timeout.toMillis() < 100) {
        throw new IllegalArgumentException(
            "heartbeat interval and timeout must be at least 100 ms but were "
                + interval
                + " and "
                + timeout);
      }
      this.pingInterval = interval;
      this.pingTimeout = timeout;
      return this;
    }

    /**
     * How long a client on HTTP long-polling may take to move to a WebSocket it opened for its
     * session, from the WebSocket's request to the Engine.IO upgrade packet (default 10 s, as
     * Engine.IO). Past it the server closes that WebSocket and the session goes on over polling; a
     * WebSocket the client closes before upgrading does the same.
     */
    public Builder upgradeTimeout(Duration timeout) {
      requireNonNull(timeout, "timeout == null");
      if (timeout.toMillis() < 100 || timeout.compareTo(Duration.ofMinutes(1)) > 0) {
        throw new IllegalArgumentException(
            "upgradeTimeout must be between 100 ms and 1 min but was " + timeout);
      }
      this.upgradeTimeout = timeout;
      return this;
    }

    public Builder logger(Logger logger) {
      this.logger = requireNonNull(logger, "logger == null");
      return this;
    }

    /**
     * Where hooks, listeners and request handling run. The default is a pool of up to 64 daemon
     * threads owned (and shut down) by the server. Never a network thread.
     */
    public Builder executor(Executor executor) {
      this.executor = requireNonNull(executor, "executor == null");
      return this;
    }

    /**
     * How long a connection whose transport dropped (closed, or its heartbeat timed out) keeps its
     * rooms, its seats in full rooms and its presence while its client may come back with the
     * resumption token of its last {@code dialogue:connected} (default {@link Duration#ZERO}: the
     * connection ends at once, as it always did). A client's own disconnect and {@link
     * ClientConnection#disconnect()} end it at once in any case. See {@link
     * DialogueListener#onDropped} and docs/lifecycle.md.
     *
     * @throws IllegalArgumentException if {@code grace} is null, negative or over an hour
     */
    public Builder disconnectGrace(Duration grace) {
      if (grace == null || grace.isNegative() || grace.compareTo(Duration.ofHours(1)) > 0) {
        throw new IllegalArgumentException(
            "disconnectGrace must be between 0 and 1 hour but was " + grace);
      }
      this.disconnectGrace = grace;
      return this;
    }

    /**
     * Deletes a room created by a client ({@code dialogue:createRoom}) once it has been empty for
     * {@code grace}, unless its configuration sets {@link RoomConfig.Builder#disposeWhenEmpty}
     * (default: such rooms stay until deleted). Configured rooms and rooms made by {@link
     * Dialogue#createRoom} follow their own configuration only.
     *
     * @throws IllegalArgumentException if {@code grace} is null or negative
     */
    public Builder disposeEmptyClientRooms(Duration grace) {
      if (grace == null || grace.isNegative()) {
        throw new IllegalArgumentException(
            "disposeEmptyClientRooms must be a duration >= 0 but was " + grace);
      }
      this.clientRoomDisposal = grace;
      return this;
    }

    /**
     * The clock for timestamps, rate limits, the disconnect grace and the disposal of empty rooms
     * (default the system UTC clock). Deadlines are due when this clock reaches them: a test that
     * moves its clock sees them fire within about 50 ms.
     */
    public Builder clock(Clock clock) {
      this.clock = requireNonNull(clock, "clock == null");
      return this;
    }

    /**
     * {@code getHistory} requests allowed per connection per fixed window (default 20 per 60 s).
     */
    public Builder historyRateLimit(int maxRequests, Duration window) {
      requireNonNull(window, "window == null");
      if (maxRequests <= 0) {
        throw new IllegalArgumentException("maxRequests must be positive but was " + maxRequests);
      }
      if (window.isNegative() || window.isZero()) {
        throw new IllegalArgumentException("window must be positive but was " + window);
      }
      this.historyRequestLimit = maxRequests;
      this.historyRequestWindow = window;
      return this;
    }

    /** The largest {@code end - start} a {@code getHistory} request may ask for (default 500). */
    public Builder maxHistoryPage(int events) {
      if (events <= 0) {
        throw new IllegalArgumentException("maxHistoryPage must be positive but was " + events);
      }
      this.maxHistoryPage = events;
      return this;
    }

    /**
     * The events rooms created by clients accept. By default they accept any event ({@code "*"}),
     * validated against {@link #event} definitions where a name has one.
     */
    public Builder clientRoomEvents(EventDefinition<?>... events) {
      List<EventDefinition<?>> list = new ArrayList<>();
      for (EventDefinition<?> e : events) {
        list.add(requireNonNull(e, "event == null"));
      }
      this.clientRoomEvents = list;
      return this;
    }

    /** How many rooms one connection may be in at once (default 100). */
    public Builder maxRoomsPerConnection(int max) {
      if (max <= 0) {
        throw new IllegalArgumentException("maxRoomsPerConnection must be positive but was " + max);
      }
      this.maxRoomsPerConnection = max;
      return this;
    }

    /**
     * The rate limits of clients' triggers, commands and handshakes (default {@link
     * RateLimits#defaults()}: 10,000 triggers and 10,000 commands a second per connection, nothing
     * else); see {@link RateLimits} and docs/limits.md.
     */
    public Builder rateLimits(RateLimits limits) {
      this.rateLimits = requireNonNull(limits, "limits == null");
      return this;
    }

    /**
     * How many connections one user may have at once (default unlimited), a dropped one waiting for
     * its client within the {@link #disconnectGrace} included. Another CONNECT of the user is
     * refused with a {@code connect_error} whose {@code data.code} is {@code TOO_MANY_CONNECTIONS};
     * exact under concurrent handshakes.
     */
    public Builder maxConnectionsPerUser(int max) {
      if (max <= 0) {
        throw new IllegalArgumentException("maxConnectionsPerUser must be positive but was " + max);
      }
      this.maxConnectionsPerUser = max;
      return this;
    }

    /**
     * How many distinct rooms one user may be in at once, over all its connections (default
     * unlimited). A join into one more is refused with {@code TOO_MANY_ROOMS} (server-side {@code
     * ClientConnection.join} throws the same); a room the user is in on another connection is no
     * new room. Exact under concurrent joins.
     */
    public Builder maxRoomsPerUser(int max) {
      if (max <= 0) {
        throw new IllegalArgumentException("maxRoomsPerUser must be positive but was " + max);
      }
      this.maxRoomsPerUser = max;
      return this;
    }

    /** How many client-created rooms may exist at once (default 10,000). */
    public Builder maxClientRooms(int max) {
      if (max < 0) {
        throw new IllegalArgumentException("maxClientRooms must be >= 0 but was " + max);
      }
      this.maxClientRooms = max;
      return this;
    }

    /**
     * Packets that may wait to be written to one connection (default 10,000). A client that stops
     * reading is disconnected at the limit rather than growing the server's heap; it reconnects and
     * recovers what it missed by offset.
     */
    public Builder maxOutboundPackets(int max) {
      if (max <= 0) {
        throw new IllegalArgumentException("maxOutboundPackets must be positive but was " + max);
      }
      this.maxOutboundPackets = max;
      return this;
    }

    /**
     * Bytes that may wait to be written to one connection (default 4 MiB, at least 64 KiB). A
     * client that stops reading is disconnected once the server holds more than this for it, so
     * that a few large events cannot grow the server's memory the way the packet count alone lets
     * them ({@link #maxOutboundPackets}); it reconnects and recovers what it missed by offset. On
     * WebSocket the bytes are Netty's own count of the connection's outbound buffer; on HTTP long
     * polling, the payloads queued for the next poll.
     */
    public Builder maxOutboundBytes(long max) {
      if (max < 64 * 1024) {
        throw new IllegalArgumentException(
            "maxOutboundBytes must be at least 65536 (64 KiB) but was " + max);
      }
      this.maxOutboundBytes = max;
      return this;
    }

    /**
     * Requests one connection may have waiting before new ones are refused (default 1,000),
     * triggers whose acknowledgement waits for the history store included.
     */
    public Builder maxPendingRequests(int max) {
      if (max <= 0) {
        throw new IllegalArgumentException("maxPendingRequests must be positive but was " + max);
      }
      this.maxPendingRequests = max;
      return this;
    }

    /**
     * Where the server serves its browser client, a dependency-free JavaScript file that defines
     * {@code window.Dialogue} (default {@code /dialogue.js}, on the server's own port, as {@code
     * application/javascript} with an {@code ETag}). {@code null} turns it off; the path then
     * answers like any unknown path. The path must not lie under the Socket.IO {@link #path}.
     */
    public Builder browserClientPath(String path) {
      if (path != null
          && (!path.matches("/[A-Za-z0-9._~!$&'()*+,;=:@/-]+")
              || path.contains("//")
              || path.endsWith("/"))) {
        throw new IllegalArgumentException(
            "browserClientPath must look like /dialogue.js (or be null to turn it off) but was "
                + path);
      }
      this.browserClientPath = path;
      return this;
    }

    /**
     * Whether to use Netty's native epoll transport where it is available (Linux on x86_64 or
     * aarch64; default true), else Java NIO. Native epoll costs less CPU per socket write, which is
     * what a broadcast to many connections spends: see docs/performance.md. {@code false} always
     * uses NIO.
     */
    public Builder nativeTransport(boolean use) {
      this.nativeTransport = use;
      return this;
    }

    /**
     * How long a connection's events may be held back while its event loop is busy flushing
     * sockets, so that they leave together (default 20 ms, at most 1 s). Events are written at
     * once; sockets are flushed in rounds, a system call each. A connection not flushed lately is
     * flushed in the next round. One flushed less than five times the loop's last round ago (the
     * loop is spending its time flushing, say the same thousand sockets for every event) waits
     * until that is up, but never longer than this delay, and then gets all its waiting events in
     * one socket write. So a quiet server, or one whose connections get events seldom, adds no
     * delay, and a busy one spends at most about a fifth of its time flushing: under load that cuts
     * the CPU a delivery costs, and with it the latency of running out of CPU
     * (docs/performance.md). While the loop is under load the cap is {@link
     * #maxFlushDelayUnderLoad} instead. {@link Duration#ZERO} for both flushes every connection in
     * the next round. Acknowledgements and other answers are never held back.
     */
    public Builder maxFlushDelay(Duration delay) {
      this.maxFlushDelay = flushDelay("maxFlushDelay", delay);
      return this;
    }

    /**
     * How long a connection's events may be held back, as with {@link #maxFlushDelay}, while its
     * event loop is under load (default 250 ms, at most 1 s; never shorter than {@code
     * maxFlushDelay}). A loop is under load when flushing every event in a socket write of its own
     * would take more than 80% of its time, judged every second, until that falls below half: as in
     * a room of 10,000 subscribers at ten or more events a second, where each event is 10,000
     * system calls, and whatever the loop spends on them, the clients' side spends again. A loop
     * under load spaces each connection's flushes by up to five times its last flush round, and no
     * longer than it takes its connections to get about four events, at most this long: rooms of
     * 10,000 then get several events per socket write, while connections that get hundreds of
     * events a second keep {@code maxFlushDelay}. Measured in docs/performance.md. {@link
     * Duration#ZERO} (or {@code maxFlushDelay}'s value) keeps {@code maxFlushDelay} under load too.
     */
    public Builder maxFlushDelayUnderLoad(Duration delay) {
      this.maxFlushDelayUnderLoad = flushDelay("maxFlushDelayUnderLoad", delay);
      return this;
    }

    private static Duration flushDelay(String option, Duration delay) {
      if (delay == null || delay.isNegative() || delay.compareTo(MAX_FLUSH_DELAY_LIMIT) > 0) {
        throw new IllegalArgumentException(option + " must be between 0 and 1 s but was " + delay);
      }
      return delay;
    }

    public Dialogue build() {
      if (browserClientPath != null
          && (browserClientPath.equals(path) || browserClientPath.startsWith(path + "/"))) {
        throw new IllegalStateException(
            "browserClientPath "
                + browserClientPath
                + " lies under the Socket.IO path "
                + path
                + "; choose another");
      }
      for (String prefix : httpRoutes.keySet()) {
        String bare = prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix;
        if (bare.equals(path) || bare.startsWith(path + "/") || prefix.equals(browserClientPath)) {
          throw new IllegalStateException(
              "the HTTP route "
                  + prefix
                  + " would take the server's own "
                  + (prefix.equals(browserClientPath)
                      ? "browserClientPath"
                      : "Socket.IO path " + path)
                  + "; choose another");
        }
      }
      for (RoomConfig room : rooms.values()) {
        Hub.checkDefaultSubscriptions(room);
      }
      boolean ownsExecutor = executor == null;
      Executor exec = ownsExecutor ? HookThreads.newDefaultExecutor() : executor;
      Settings settings =
          new Settings(
              new Settings.RuntimeSettings(
                  logger, exec, ownsExecutor, clock, Observers.of(observers, logger)),
              new Settings.TransportSettings(
                  host,
                  port,
                  path,
                  namespace,
                  Set.copyOf(allowedOrigins),
                  pingInterval,
                  pingTimeout,
                  upgradeTimeout,
                  browserClientPath,
                  nativeTransport,
                  maxFlushDelay,
                  maxFlushDelayUnderLoad,
                  maxPayloadBytes,
                  maxPendingRequests,
                  maxOutboundPackets,
                  maxOutboundBytes,
                  List.copyOf(httpRoutes.values())),
              new Settings.LimitSettings(
                  maxMetaBytes,
                  historyRequestLimit,
                  historyRequestWindow,
                  maxHistoryPage,
                  maxRoomsPerConnection,
                  maxClientRooms,
                  rateLimits,
                  maxConnectionsPerUser,
                  maxRoomsPerUser),
              new Settings.HookSettings(
                  authenticator,
                  joinPolicy,
                  roomCreationPolicy,
                  List.copyOf(interceptors),
                  List.copyOf(listeners),
                  historyCleanup,
                  historyLoader,
                  Map.copyOf(commands)),
              new Settings.RoomSettings(
                  List.copyOf(rooms.values()),
                  Map.copyOf(globalEvents),
                  clientRoomEvents == null ? List.of() : List.copyOf(clientRoomEvents),
                  clientRoomEvents == null),
              new Settings.HistorySettings(
                  historyStore,
                  maxEventsInMemory,
                  maxRecoveryEvents,
                  idempotencyWindow,
                  maxIdempotencyKeys,
                  broker),
              new Settings.LifecycleSettings(disconnectGrace, clientRoomDisposal));
      return new Dialogue(settings);
    }
  }
}
