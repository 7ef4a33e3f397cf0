package dev.dialogue.client;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dialogue.client.DialogueClientException.Fate;
import io.socket.client.IO;
import io.socket.client.Manager;
import io.socket.client.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.json.JSONObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Java client for a Dialogue server.
 *
 * <pre>{@code
 * DialogueClient client = DialogueClient.builder("http://localhost:3000")
 *     .auth(() -> Map.of("token", tokens.current()))
 *     .build();
 * client.connect().join();
 * ClientRoom chat = client.join("chat").join();
 * chat.on("message", Message.class, (message, envelope) -> show(envelope.from(), message.text()));
 * chat.trigger("message", new Message("hi")).result().join();
 * }</pre>
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
  private static final Logger log = LoggerFactory.getLogger(DialogueClient.class);

  /** Re-join refusals the server may lift by itself: asked again after a back-off. */
  private static final Set<String> RETRYABLE = Set.of("INTERNAL_ERROR", "RATE_LIMITED");

  private final Builder config;
  private final OrderedExecutor loop;
  private final ExecutorService ownedCallbackExecutor;
  private final ScheduledThreadPoolExecutor scheduler;
  private final AckRequests requests;
  private final Outbox outbox;
  private final Map<String, String> authMap = new ConcurrentHashMap<>();
  private final Map<String, ClientRoom> rooms = new ConcurrentHashMap<>();
  private final Listeners listeners = new Listeners();
  private volatile ConnectionState state = ConnectionState.DISCONNECTED;
  private volatile String userId;
  private volatile String clientId;
  private volatile Socket socket;
  private volatile boolean closed;
  // Socket.IO connections opened so far, counted on socket.io-client's event thread.
  private volatile long wireConnections;
  // The connection identified by dialogue:connected, as counted above; the ordered executor's.
  private volatile long generation = -1;
  private CompletableFuture<Void> connecting; // guarded by this

  private DialogueClient(Builder config) {
    this.config = config;
    this.ownedCallbackExecutor =
        config.callbackExecutor == null
            ? Executors.newSingleThreadExecutor(daemon("dialogue-client-callbacks"))
            : null;
    this.loop =
        new OrderedExecutor(
            config.callbackExecutor != null ? config.callbackExecutor : ownedCallbackExecutor);
    this.scheduler = new ScheduledThreadPoolExecutor(1, daemon("dialogue-client-timer"));
    scheduler.setRemoveOnCancelPolicy(true); // a confirmed trigger leaves no task behind
    this.requests = new AckRequests(scheduler, loop, config.requestTimeout);
    this.outbox =
        new Outbox(
            config.offlineQueue,
            scheduler,
            loop,
            config.triggerDeadline,
            config.maxTriggersInFlight,
            config.reconnectDelay,
            config.reconnectDelayMax);
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
  public synchronized CompletableFuture<Void> connect() {
    if (closed) {
      return failed("CLOSED", "connect: the client is closed", Fate.NOT_SENT);
    }
    if (state == ConnectionState.CONNECTED) {
      return CompletableFuture.completedFuture(null);
    }
    if (connecting != null && !connecting.isDone()) {
      return connecting;
    }
    CompletableFuture<Void> future = new CompletableFuture<>();
    connecting = future;
    ScheduledFuture<?> timeout =
        scheduler.schedule(
            () ->
                loop.execute(
                    () ->
                        future.completeExceptionally(
                            new DialogueClientException(
                                "TIMEOUT",
                                "not connected within " + config.connectTimeout,
                                Fate.UNKNOWN))),
            config.connectTimeout.toMillis(),
            TimeUnit.MILLISECONDS);
    future.whenComplete((r, e) -> timeout.cancel(false));
    refreshAuth();
    if (socket == null) {
      socket = newSocket();
    }
    loop.execute(outbox::waiting);
    setState(ConnectionState.CONNECTING, "connect requested");
    socket.connect();
    return future;
  }

  /**
   * Disconnects and leaves every room (locally; the server ends the connection's memberships).
   * Requests and triggers not answered yet fail with {@code DISCONNECTED} (fate {@code NOT_SENT}
   * for triggers that had not left the client, {@code UNKNOWN} otherwise). Idempotent.
   */
  public synchronized void disconnect() {
    Socket s = socket;
    for (ClientRoom room : rooms.values()) {
      room.forgotten();
    }
    rooms.clear();
    if (s != null) {
      s.disconnect();
    }
    setState(ConnectionState.DISCONNECTED, "disconnect requested");
    loop.execute(
        () -> {
          requests.failAll("DISCONNECTED", "disconnect requested");
          outbox.offline(false, "DISCONNECTED", "disconnect requested");
          failConnecting(
              new DialogueClientException("DISCONNECTED", "disconnect requested", Fate.UNKNOWN));
        });
  }

  /**
   * Disconnects and releases the client's threads. Every request and trigger not answered yet fails
   * with {@code CLOSED}; later calls fail with {@code CLOSED} too. Idempotent.
   */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    Socket s = socket;
    if (s != null) {
      s.close();
      s.io().off();
    }
    rooms.values().forEach(ClientRoom::forgotten);
    rooms.clear();
    setState(ConnectionState.DISCONNECTED, "closed");
    loop.execute(
        () -> {
          requests.failAll("CLOSED", "the client was closed");
          outbox.close();
          failConnecting(
              new DialogueClientException("CLOSED", "the client was closed", Fate.UNKNOWN));
          scheduler.shutdownNow();
        });
    if (ownedCallbackExecutor != null) {
      ownedCallbackExecutor.shutdown(); // after the failures above have run
    }
  }

  /** The current connection state; see {@link #onStateChange}. */
  public ConnectionState state() {
    return state;
  }

  /** The user id the server assigned, or null before the first connection. */
  public String userId() {
    return userId;
  }

  /** This connection's id on the server, or null. */
  public String clientId() {
    return clientId;
  }

  /**
   * Joins a room (or returns the room the client already keeps); fails with the server's error code
   * or {@code NOT_CONNECTED} (fate {@code NOT_SENT}), {@code DISCONNECTED}, {@code TIMEOUT}, {@code
   * CLOSED}. From then on the client keeps the room until {@link ClientRoom#leave()}: see {@link
   * ClientRoom}.
   */
  public CompletableFuture<ClientRoom> join(String roomId) {
    requireNonNull(roomId, "roomId == null");
    ClientRoom existing = rooms.get(roomId);
    if (existing != null) {
      return CompletableFuture.completedFuture(existing);
    }
    ObjectNode request = ClientJson.MAPPER.createObjectNode().put("roomId", roomId);
    return request("dialogue:join", request)
        .thenApply(
            result -> {
              ClientRoom room =
                  rooms.computeIfAbsent(
                      roomId, id -> new ClientRoom(this, id, result.path("roomName").asText(id)));
              room.applyJoin(
                  result.path("roomName").asText(roomId),
                  result.path("offset").asLong(0),
                  result.path("epoch").asText(null));
              deliverJoinHistory(roomId, result);
              return room;
            });
  }

  /** A room the client keeps, from the local cache. */
  public Optional<ClientRoom> room(String roomId) {
    return Optional.ofNullable(rooms.get(roomId));
  }

  /** Every room on the server, in creation order. */
  public CompletableFuture<List<RoomInfo>> listRooms() {
    return request("dialogue:listRooms", null)
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
    return request("dialogue:createRoom", request)
        .thenApply(r -> ClientJson.convert(r, RoomInfo.class));
  }

  /** Deletes a room this user created; other rooms fail with {@code PERMISSION_DENIED}. */
  public CompletableFuture<Void> deleteRoom(String roomId) {
    requireNonNull(roomId, "roomId == null");
    return request(
            "dialogue:deleteRoom", ClientJson.MAPPER.createObjectNode().put("roomId", roomId))
        .thenAccept(
            r -> {
              ClientRoom room = rooms.remove(roomId);
              if (room != null) {
                room.forgotten();
              }
            });
  }

  /** Called after every (re)connection, once rooms and subscriptions are being restored. */
  public Registration onConnect(Runnable listener) {
    return listeners.add(listeners.connect, requireNonNull(listener, "listener == null"));
  }

  /** Called with the reason each time the connection is lost or closed. */
  public Registration onDisconnect(Consumer<String> listener) {
    return listeners.add(listeners.disconnect, requireNonNull(listener, "listener == null"));
  }

  /**
   * Connection refusals, {@code dialogue:error} events not tied to a request, and re-joins the
   * server refused after a reconnect (the room is no longer kept; see {@link
   * ClientRoom#onRemoved}).
   */
  public Registration onError(Consumer<DialogueClientException> listener) {
    return listeners.add(listeners.error, requireNonNull(listener, "listener == null"));
  }

  /** Called when any room is created on the server. */
  public Registration onRoomCreated(Consumer<RoomInfo> listener) {
    return listeners.add(listeners.roomCreated, requireNonNull(listener, "listener == null"));
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

  /** Events the server sends to this connection alone ({@code ClientConnection.send}). */
  public <T> Registration on(String eventName, Class<T> type, Consumer<T> handler) {
    requireNonNull(eventName, "eventName == null");
    requireNonNull(type, "type == null");
    requireNonNull(handler, "handler == null");
    Consumer<JsonNode> wrapped = node -> handler.accept(ClientJson.convert(node, type));
    List<Consumer<JsonNode>> list =
        listeners.custom.computeIfAbsent(eventName, k -> new CopyOnWriteArrayList<>());
    list.add(wrapped);
    return () -> list.remove(wrapped);
  }

  /** Triggers whose fate is not known yet: waiting offline, in flight, or being retried. */
  public int pendingTriggers() {
    return outbox.size();
  }

  // ---- package-private, used by ClientRoom and tests ----

  /** Runs {@code task} on the ordered executor, in turn with deliveries. */
  void onLoop(Runnable task) {
    loop.execute(task);
  }

  /** Tasks the client's scheduler holds (request timeouts, trigger deadlines, retries). */
  int scheduledTasks() {
    return scheduler.getQueue().size();
  }

  CompletableFuture<JsonNode> request(String event, Object payload) {
    if (closed) {
      return failed("CLOSED", event + ": the client is closed", Fate.NOT_SENT);
    }
    Socket s = socket;
    long g = generation;
    if (state != ConnectionState.CONNECTED || s == null) {
      return failed("NOT_CONNECTED", event + ": not connected", Fate.NOT_SENT);
    }
    return requests.send(s, () -> s.connected() && wireConnections == g, event, payload);
  }

  PendingTrigger trigger(String roomId, String event, JsonNode data, JsonNode meta) {
    String clientMessageId = UUID.randomUUID().toString();
    QueuedTrigger trigger = new QueuedTrigger(roomId, event, data, meta, clientMessageId);
    if (closed) {
      return new PendingTrigger(
          clientMessageId,
          failed("CLOSED", "trigger: the client is closed", Fate.NOT_SENT),
          () -> false);
    }
    return outbox.trigger(trigger);
  }

  CompletableFuture<Void> sendSubscription(String roomId, String eventName, boolean subscribe) {
    if (state != ConnectionState.CONNECTED) {
      return CompletableFuture.completedFuture(null); // Restored on reconnect.
    }
    ObjectNode request = ClientJson.MAPPER.createObjectNode().put("roomId", roomId);
    if (!eventName.equals("*") || !subscribe) {
      request.put("eventName", eventName);
    }
    String event =
        !subscribe
            ? "dialogue:unsubscribe"
            : eventName.equals("*") ? "dialogue:subscribeAll" : "dialogue:subscribe";
    return request(event, request).thenAccept(r -> {});
  }

  CompletableFuture<Void> leave(ClientRoom room) {
    rooms.remove(room.id(), room);
    if (state != ConnectionState.CONNECTED) {
      return CompletableFuture.completedFuture(null);
    }
    return request("dialogue:leave", ClientJson.MAPPER.createObjectNode().put("roomId", room.id()))
        .handle(
            (r, e) -> {
              if (e != null
                  && !(e instanceof DialogueClientException dce
                      && dce.code().equals("NOT_IN_ROOM"))) {
                throw e instanceof RuntimeException re ? re : new IllegalStateException(e);
              }
              return null;
            });
  }

  void runCallback(String what, Runnable callback) {
    try {
      callback.run();
    } catch (RuntimeException | Error e) {
      log.error("Dialogue client {} callback failed", what, e);
    }
  }

  // ---- connection handling, on the ordered executor ----

  private Socket newSocket() {
    IO.Options options =
        IO.Options.builder()
            .setForceNew(true)
            .setPath(config.path)
            .setTransports(config.transports)
            .setReconnection(config.reconnect)
            .setReconnectionDelay(config.reconnectDelay.toMillis())
            .setReconnectionDelayMax(config.reconnectDelayMax.toMillis())
            .setRandomizationFactor(config.jitter)
            .setTimeout(config.connectTimeout.toMillis())
            .build();
    options.auth = authMap;
    options.callFactory = SharedHttp.CLIENT;
    options.webSocketFactory = SharedHttp.CLIENT;
    Socket s = IO.socket(URI.create(config.url), options);
    // On the event thread, before socket.io-client flushes anything for the new connection.
    s.on(Socket.EVENT_CONNECT, args -> wireConnections++);
    s.on(
        Socket.EVENT_CONNECT_ERROR,
        args -> {
          Object error = args.length > 0 ? args[0] : null;
          loop.execute(() -> onConnectError(error));
        });
    s.on(
        Socket.EVENT_DISCONNECT,
        args -> {
          String reason = args.length > 0 ? String.valueOf(args[0]) : "unknown";
          loop.execute(() -> onDisconnected(reason));
        });
    s.onAnyIncoming(
        args -> {
          String name = String.valueOf(args[0]);
          JsonNode data = ClientJson.fromSocket(args.length > 1 ? args[1] : null);
          long connection = wireConnections;
          loop.execute(() -> dispatch(name, data, connection));
        });
    s.io()
        .on(
            Manager.EVENT_RECONNECT_ATTEMPT,
            args -> {
              refreshAuth();
              loop.execute(
                  () ->
                      setState(
                          ConnectionState.RECONNECTING,
                          "reconnect attempt " + (args.length > 0 ? args[0] : "")));
            });
    return s;
  }

  /** Socket.IO sends the auth map on every (re)connect; refresh it in place first. */
  private void refreshAuth() {
    Map<String, String> fresh = config.auth.get();
    requireNonNull(fresh, "auth supplier returned null");
    authMap.keySet().retainAll(fresh.keySet());
    authMap.putAll(fresh);
  }

  private void onConnectError(Object error) {
    if (closed) {
      return;
    }
    if (error instanceof JSONObject json) {
      // The server refused (authenticator): socket.io-client does not retry, neither do we.
      String reason = json.optString("message", String.valueOf(json));
      DialogueClientException e = new DialogueClientException("CONNECT_REFUSED", reason);
      setState(ConnectionState.DISCONNECTED, "refused: " + reason);
      outbox.offline(false, "CONNECT_REFUSED", "the server refused the connection: " + reason);
      failConnecting(e);
      listeners.fire(listeners.error, l -> l.accept(e));
    } else {
      log.debug("Connection attempt failed: {}", error);
    }
  }

  private void onDisconnected(String reason) {
    if (closed) {
      return; // close() fails what is waiting with CLOSED, not DISCONNECTED
    }
    requests.failAll("DISCONNECTED", "connection lost (" + reason + ")");
    if (!reason.equals("io client disconnect")) {
      // disconnect() has settled state and triggers already (a connect() may follow it).
      boolean retrying = config.reconnect && !reason.equals("io server disconnect");
      outbox.offline(retrying, "DISCONNECTED", "connection lost (" + reason + ")");
      setState(retrying ? ConnectionState.RECONNECTING : ConnectionState.DISCONNECTED, reason);
    }
    listeners.fire(listeners.disconnect, l -> l.accept(reason));
  }

  private void dispatch(String name, JsonNode data, long connection) {
    if (closed) {
      return;
    }
    switch (name) {
      case "dialogue:connected" -> onIdentified(data, connection);
      case "dialogue:event" -> {
        EventMessage message = ClientJson.convert(data, EventMessage.class);
        ClientRoom room = rooms.get(message.roomId());
        if (room != null) {
          room.deliver(message);
        }
      }
      case "dialogue:presence" -> {
        ClientRoom room = rooms.get(data.path("roomId").asText());
        if (room != null) {
          room.presence(strings(data.path("joins")), strings(data.path("leaves")));
        }
      }
      case "dialogue:roomCreated" -> {
        RoomInfo info = ClientJson.convert(data, RoomInfo.class);
        listeners.fire(listeners.roomCreated, l -> l.accept(info));
      }
      case "dialogue:roomDeleted" -> {
        String roomId = data.path("roomId").asText();
        ClientRoom room = rooms.remove(roomId);
        if (room != null) {
          room.removed(
              new DialogueClientException(
                  "ROOM_NOT_FOUND", "Room '" + roomId + "' was deleted", Fate.REFUSED));
        }
        listeners.fire(listeners.roomDeleted, l -> l.accept(roomId));
      }
      case "dialogue:history" -> fireHistory(data.path("roomId").asText(), data.path("events"));
      case "dialogue:error" -> {
        DialogueClientException e =
            new DialogueClientException(
                data.path("code").asText("UNKNOWN"), data.path("message").asText(""));
        listeners.fire(listeners.error, l -> l.accept(e));
      }
      default -> {
        for (Consumer<JsonNode> handler : listeners.custom.getOrDefault(name, List.of())) {
          runCallback("custom event " + name, () -> handler.accept(data));
        }
      }
    }
  }

  /**
   * {@code dialogue:connected}: re-join every kept room, then send the triggers (the server handles
   * a connection's requests in order, so each re-join comes before the triggers for its room).
   */
  private void onIdentified(JsonNode data, long connection) {
    userId = data.path("userId").asText(null);
    clientId = data.path("clientId").asText(null);
    generation = connection;
    setState(ConnectionState.CONNECTED, "connected");
    for (ClientRoom room : List.copyOf(rooms.values())) {
      rejoin(room, connection, 0);
    }
    outbox.online(request -> request("dialogue:trigger", request));
    synchronized (this) {
      if (connecting != null) {
        connecting.complete(null);
      }
    }
    listeners.fire(listeners.connect, Runnable::run);
  }

  /**
   * Re-joins a kept room on connection {@code connection}, asking for what it missed. Interrupted
   * by a lost connection, it is asked again on the next one; timed out, again on this one; only a
   * refusal removes the room.
   */
  private void rejoin(ClientRoom room, long connection, int retries) {
    ObjectNode request = ClientJson.MAPPER.createObjectNode().put("roomId", room.id());
    if (room.lastOffset() >= 0 && room.epoch() != null) {
      request.putObject("since").put("offset", room.lastOffset()).put("epoch", room.epoch());
    }
    // Applied with the admission, so no event subscribed to passes by before rejoined() restores
    // them again (for servers without this extension; both are idempotent).
    if (!room.unsubscribedNames().isEmpty()) {
      room.unsubscribedNames().forEach(request.putArray("unsubscribe")::add);
    }
    if (!room.subscribedNames().isEmpty()) {
      room.subscribedNames().forEach(request.putArray("subscribe")::add);
    }
    request("dialogue:join", request)
        .whenComplete(
            (result, error) -> {
              if (rooms.get(room.id()) != room || closed) {
                return; // left meanwhile
              }
              if (error == null) {
                rejoined(room, result);
                return;
              }
              Throwable cause = error instanceof CompletionException ce ? ce.getCause() : error;
              if (!(cause instanceof DialogueClientException e)) {
                log.warn("Re-joining room '{}' failed", room.id(), cause);
                return;
              }
              if (generation != connection || state != ConnectionState.CONNECTED) {
                return; // the next connection re-joins it
              }
              switch (e.code()) {
                case "NOT_CONNECTED", "DISCONNECTED", "CLOSED" -> {
                  // the connection is going; the next one re-joins it
                }
                case "TIMEOUT", "PROTOCOL" -> rejoin(room, connection, retries);
                default -> {
                  if (RETRYABLE.contains(e.code())) {
                    retryRejoin(room, connection, retries);
                  } else {
                    refused(room, e);
                  }
                }
              }
            });
  }

  private void retryRejoin(ClientRoom room, long connection, int retries) {
    long delay =
        Math.min(
            config.reconnectDelayMax.toMillis(),
            config.reconnectDelay.toMillis() << Math.min(retries, 16));
    scheduler.schedule(
        () ->
            loop.execute(
                () -> {
                  if (generation == connection && rooms.get(room.id()) == room) {
                    rejoin(room, connection, retries + 1);
                  }
                }),
        delay,
        TimeUnit.MILLISECONDS);
  }

  private void rejoined(ClientRoom room, JsonNode result) {
    for (JsonNode missed : result.path("missed")) {
      room.deliver(ClientJson.convert(missed, EventMessage.class));
    }
    room.applyJoin(
        result.path("roomName").asText(room.id()),
        result.path("offset").asLong(0),
        result.path("epoch").asText(null));
    if (!result.path("recovered").asBoolean(false)) {
      deliverJoinHistory(room.id(), result);
    }
    for (String name : room.unsubscribedNames()) {
      sendSubscription(room.id(), name, false);
    }
    for (String name : room.subscribedNames()) {
      sendSubscription(room.id(), name, true);
    }
  }

  private void refused(ClientRoom room, DialogueClientException e) {
    rooms.remove(room.id(), room);
    DialogueClientException reason =
        new DialogueClientException(
            e.code(),
            "re-joining room '" + room.id() + "' after a reconnect was refused: " + e.getMessage(),
            Fate.REFUSED);
    log.warn("{}", reason.getMessage());
    room.removed(reason);
    listeners.fire(listeners.error, l -> l.accept(reason));
  }

  private void deliverJoinHistory(String roomId, JsonNode result) {
    if (result.has("history")) {
      fireHistory(roomId, result.get("history"));
    }
  }

  private void fireHistory(String roomId, JsonNode events) {
    List<EventMessage> list = new ArrayList<>();
    for (JsonNode e : events) {
      list.add(ClientJson.convert(e, EventMessage.class));
    }
    List<EventMessage> history = List.copyOf(list);
    listeners.fire(listeners.history, l -> l.accept(roomId, history));
  }

  private void failConnecting(DialogueClientException e) {
    synchronized (this) {
      if (connecting != null) {
        connecting.completeExceptionally(e);
      }
    }
  }

  private void setState(ConnectionState next, String reason) {
    if (state == next) {
      return;
    }
    state = next;
    loop.execute(() -> listeners.fire(listeners.state, l -> l.accept(next, reason)));
  }

  private static <T> CompletableFuture<T> failed(String code, String message, Fate fate) {
    return CompletableFuture.failedFuture(new DialogueClientException(code, message, fate));
  }

  private static List<String> strings(JsonNode array) {
    List<String> list = new ArrayList<>();
    array.forEach(n -> list.add(n.asText()));
    return List.copyOf(list);
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }

  /** The application's callbacks, by kind. */
  private final class Listeners {
    final List<Runnable> connect = new CopyOnWriteArrayList<>();
    final List<Consumer<String>> disconnect = new CopyOnWriteArrayList<>();
    final List<Consumer<DialogueClientException>> error = new CopyOnWriteArrayList<>();
    final List<Consumer<RoomInfo>> roomCreated = new CopyOnWriteArrayList<>();
    final List<Consumer<String>> roomDeleted = new CopyOnWriteArrayList<>();
    final List<BiConsumer<String, List<EventMessage>>> history = new CopyOnWriteArrayList<>();
    final List<BiConsumer<ConnectionState, String>> state = new CopyOnWriteArrayList<>();
    final Map<String, List<Consumer<JsonNode>>> custom = new ConcurrentHashMap<>();

    <L> Registration add(List<L> list, L listener) {
      list.add(listener);
      return () -> list.remove(listener);
    }

    <L> void fire(List<L> list, Consumer<L> call) {
      for (L listener : list) {
        runCallback("listener", () -> call.accept(listener));
      }
    }
  }

  /** Configures a {@link DialogueClient}. Every setter checks its argument at once. */
  public static final class Builder {
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
    private OfflineQueue offlineQueue = new InMemoryOfflineQueue(1_000);
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

    /** Where triggers wait while disconnected (default in memory, 1,000 triggers). */
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

    /** Builds the client; it connects on {@link DialogueClient#connect()}. */
    public DialogueClient build() {
      return new DialogueClient(this);
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
