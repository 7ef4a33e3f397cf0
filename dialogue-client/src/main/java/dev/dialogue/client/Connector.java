package dev.dialogue.client;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dialogue.client.DialogueClientException.Fate;
import io.socket.client.IO;
import io.socket.client.Manager;
import io.socket.client.Socket;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.json.JSONObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client's Socket.IO socket over its life: made on the first {@link #connect()}, given fresh
 * auth before every attempt, reconnected by socket.io-client, and its events turned into the
 * client's: identified ({@code dialogue:connected}: re-join the kept rooms, then send the
 * triggers), refused, lost (requests fail; triggers wait for the next connection, or fail when
 * there will be none), disconnected, closed. Every other server event goes to {@link Inbound}.
 *
 * <p>{@link #connect()}, {@link #disconnect()} and {@link #close()} run on the application's
 * threads, under this object's lock. The socket's listeners run on socket.io-client's event thread
 * and hand everything on to the ordered executor, where the rest runs.
 */
final class Connector {
  // Under DialogueClient's name, as before the client was split into parts.
  private static final Logger log = LoggerFactory.getLogger(DialogueClient.class);

  private final ClientSettings config;
  private final OrderedExecutor loop;
  private final ScheduledExecutorService scheduler;
  private final Connection connection;
  private final AckRequests requests;
  private final Outbox outbox;
  private final KeptRooms rooms;
  private final Listeners listeners;
  private final Inbound inbound;
  private final Map<String, String> authMap = new ConcurrentHashMap<>();
  private CompletableFuture<Void> connecting; // guarded by this

  Connector(
      ClientSettings config,
      OrderedExecutor loop,
      ScheduledExecutorService scheduler,
      Connection connection,
      AckRequests requests,
      Outbox outbox,
      KeptRooms rooms,
      Listeners listeners) {
    this.config = config;
    this.loop = loop;
    this.scheduler = scheduler;
    this.connection = connection;
    this.requests = requests;
    this.outbox = outbox;
    this.rooms = rooms;
    this.listeners = listeners;
    this.inbound = new Inbound(rooms, listeners);
  }

  synchronized CompletableFuture<Void> connect() {
    if (connection.closed) {
      return Connection.failed("CLOSED", "connect: the client is closed", Fate.NOT_SENT);
    }
    if (connection.state() == ConnectionState.CONNECTED) {
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
                                "not connected within " + config.connectTimeout(),
                                Fate.UNKNOWN))),
            config.connectTimeout().toMillis(),
            TimeUnit.MILLISECONDS);
    future.whenComplete((r, e) -> timeout.cancel(false));
    refreshAuth();
    if (connection.socket == null) {
      connection.socket = newSocket();
    }
    loop.execute(outbox::waiting);
    connection.setState(ConnectionState.CONNECTING, "connect requested");
    connection.socket.connect();
    return future;
  }

  synchronized void disconnect() {
    Socket s = connection.socket;
    rooms.forgetAll();
    connection.resumeToken = null; // the server ends a disconnected connection at once
    if (s != null) {
      s.disconnect();
    }
    connection.setState(ConnectionState.DISCONNECTED, "disconnect requested");
    loop.execute(
        () -> {
          requests.failAll("DISCONNECTED", "disconnect requested");
          outbox.offline(false, "DISCONNECTED", "disconnect requested");
          failConnecting(
              new DialogueClientException("DISCONNECTED", "disconnect requested", Fate.UNKNOWN));
        });
  }

  /**
   * Closes the socket and, on the ordered executor, fails what waits and stops the scheduler; false
   * when the client was closed already.
   */
  boolean close() {
    synchronized (this) {
      if (connection.closed) {
        return false;
      }
      connection.closed = true;
    }
    Socket s = connection.socket;
    if (s != null) {
      s.close();
      s.io().off();
    }
    rooms.forgetAll();
    connection.setState(ConnectionState.DISCONNECTED, "closed");
    loop.execute(
        () -> {
          requests.failAll("CLOSED", "the client was closed");
          outbox.close();
          failConnecting(
              new DialogueClientException("CLOSED", "the client was closed", Fate.UNKNOWN));
          scheduler.shutdownNow();
        });
    return true;
  }

  private Socket newSocket() {
    IO.Options options =
        IO.Options.builder()
            .setForceNew(true)
            .setPath(config.path())
            .setTransports(config.transports().toArray(new String[0]))
            .setReconnection(config.reconnect())
            .setReconnectionDelay(config.reconnectDelay().toMillis())
            .setReconnectionDelayMax(config.reconnectDelayMax().toMillis())
            .setRandomizationFactor(config.jitter())
            .setTimeout(config.connectTimeout().toMillis())
            .build();
    options.auth = authMap;
    options.callFactory = SharedHttp.CLIENT;
    options.webSocketFactory = SharedHttp.CLIENT;
    Socket s = IO.socket(URI.create(config.url()), options);
    // On the event thread, before socket.io-client flushes anything for the new connection.
    s.on(Socket.EVENT_CONNECT, args -> connection.wireConnections++);
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
          long generation = connection.wireConnections;
          loop.execute(() -> received(name, data, generation));
        });
    s.io()
        .on(
            Manager.EVENT_RECONNECT_ATTEMPT,
            args -> {
              refreshAuth();
              loop.execute(
                  () ->
                      connection.setState(
                          ConnectionState.RECONNECTING,
                          "reconnect attempt " + (args.length > 0 ? args[0] : "")));
            });
    return s;
  }

  /** Socket.IO sends the auth map on every (re)connect; refresh it in place first. */
  private void refreshAuth() {
    Map<String, String> fresh = config.auth().get();
    requireNonNull(fresh, "auth supplier returned null");
    authMap.keySet().retainAll(fresh.keySet());
    authMap.putAll(fresh);
    String resume = connection.resumeToken;
    if (resume != null) {
      authMap.put("resume", resume); // keeps the rooms and seats of a connection that dropped
    }
    List<String> kept = rooms.keptIds();
    if (!kept.isEmpty()) {
      // The rooms this client re-joins with its position: server code that joins the new
      // connection to one of them (onConnected) waits for that re-join, so nothing is missed.
      try {
        authMap.put("rejoin", ClientJson.MAPPER.writeValueAsString(kept));
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  // ---- the socket's events, on the ordered executor ----

  private void onConnectError(Object error) {
    if (connection.closed) {
      return;
    }
    if (error instanceof JSONObject json) {
      // The server refused (authenticator): socket.io-client does not retry, neither do we.
      String reason = json.optString("message", String.valueOf(json));
      DialogueClientException e = new DialogueClientException("CONNECT_REFUSED", reason);
      connection.setState(ConnectionState.DISCONNECTED, "refused: " + reason);
      outbox.offline(false, "CONNECT_REFUSED", "the server refused the connection: " + reason);
      failConnecting(e);
      listeners.fire(listeners.error, l -> l.accept(e));
    } else {
      log.debug("Connection attempt failed: {}", error);
    }
  }

  private void onDisconnected(String reason) {
    if (connection.closed) {
      return; // close() fails what is waiting with CLOSED, not DISCONNECTED
    }
    requests.failAll("DISCONNECTED", "connection lost (" + reason + ")");
    if (!reason.equals("io client disconnect")) {
      // disconnect() has settled state and triggers already (a connect() may follow it).
      boolean retrying = config.reconnect() && !reason.equals("io server disconnect");
      outbox.offline(retrying, "DISCONNECTED", "connection lost (" + reason + ")");
      connection.setState(
          retrying ? ConnectionState.RECONNECTING : ConnectionState.DISCONNECTED, reason);
    }
    listeners.fire(listeners.disconnect, l -> l.accept(reason));
  }

  /** A server event that arrived on connection number {@code generation}. */
  private void received(String name, JsonNode data, long generation) {
    if (connection.closed) {
      return;
    }
    if (name.equals("dialogue:connected")) {
      identified(data, generation);
    } else {
      inbound.dispatch(name, data);
    }
  }

  /**
   * {@code dialogue:connected}: re-join every kept room, then send the triggers (the server handles
   * a connection's requests in order, so each re-join comes before the triggers for its room).
   */
  private void identified(JsonNode data, long generation) {
    connection.userId = data.path("userId").asText(null);
    connection.clientId = data.path("clientId").asText(null);
    connection.resumeToken = data.path("resumeToken").asText(null);
    connection.generation = generation;
    connection.setState(ConnectionState.CONNECTED, "connected");
    rooms.rejoinAll(generation);
    outbox.online(request -> connection.request("dialogue:trigger", request));
    synchronized (this) {
      if (connecting != null) {
        connecting.complete(null);
      }
    }
    listeners.fire(listeners.connect, Runnable::run);
  }

  private void failConnecting(DialogueClientException e) {
    synchronized (this) {
      if (connecting != null) {
        connecting.completeExceptionally(e);
      }
    }
  }
}
