package dev.dialogue.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.socket.client.Ack;
import io.socket.client.IO;
import io.socket.client.Manager;
import io.socket.client.Socket;
import io.socket.engineio.client.Transport;
import io.socket.engineio.parser.Packet;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import okhttp3.Dispatcher;
import okhttp3.OkHttpClient;
import org.json.JSONArray;
import org.json.JSONObject;

/**
 * A plain Socket.IO v4 client (socket.io-client-java) that records everything it receives, for
 * protocol tests. Tests wait for events by polling the recording with a timeout, never by sleeping.
 */
public final class RawClient implements AutoCloseable {
  public static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final OkHttpClient HTTP;

  static {
    Dispatcher dispatcher = new Dispatcher();
    dispatcher.setMaxRequests(2_000);
    dispatcher.setMaxRequestsPerHost(2_000);
    HTTP =
        new OkHttpClient.Builder().dispatcher(dispatcher).readTimeout(1, TimeUnit.MINUTES).build();
  }

  /** One received event: its name and first argument as JSON. */
  public record Received(String name, JsonNode data) {}

  private final Socket socket;
  private final List<Received> received = new ArrayList<>();
  private final List<Received> arrivals = new ArrayList<>();
  private final CompletableFuture<JsonNode> connected = new CompletableFuture<>();

  /**
   * The Engine.IO transports' lives (opened, closed, non-message packets), for failure messages.
   */
  private final List<String> transportLog = new ArrayList<>();

  private RawClient(int port, Map<String, String> auth, String... transports) {
    IO.Options options =
        IO.Options.builder()
            .setForceNew(true)
            .setReconnection(false)
            .setTransports(transports)
            .build();
    if (auth != null) {
      options.auth = auth;
    }
    options.callFactory = HTTP;
    options.webSocketFactory = HTTP;
    socket = IO.socket(URI.create("http://127.0.0.1:" + port), options);
    socket.io().on(Manager.EVENT_TRANSPORT, args -> logTransport((Transport) args[0]));
    socket.onAnyIncoming(args -> record((String) args[0], args.length > 1 ? args[1] : null));
    socket.on(
        Socket.EVENT_CONNECT_ERROR,
        args -> {
          JsonNode error = toJson(args.length > 0 ? args[0] : null);
          record("connect_error", error);
          connected.completeExceptionally(
              new ConnectRefused(error.path("message").asText(String.valueOf(error))));
        });
    socket.on(
        Socket.EVENT_DISCONNECT,
        args -> record("disconnect", toJson(args.length > 0 ? args[0] : null)));
  }

  /** Connects with {@code auth} (null sends none) and waits for {@code dialogue:connected}. */
  public static RawClient connect(int port, Map<String, String> auth) {
    RawClient client = open(port, auth, true);
    client.awaitConnected();
    return client;
  }

  /**
   * Starts connecting without waiting; see {@link #awaitConnected()} and {@link #connectError()}.
   */
  public static RawClient open(int port, Map<String, String> auth, boolean websocketOnly) {
    return open(
        port,
        auth,
        websocketOnly ? new String[] {"websocket"} : new String[] {"polling", "websocket"});
  }

  /** Starts connecting over exactly these transports ({@code "polling"}, {@code "websocket"}). */
  public static RawClient open(int port, Map<String, String> auth, String... transports) {
    RawClient client = new RawClient(port, auth, transports);
    client.socket.connect();
    return client;
  }

  /** The user in development mode: {@code auth.userId}. */
  public static RawClient connectAs(int port, String userId) {
    return connect(port, Map.of("userId", userId));
  }

  /**
   * The user in development mode with a role: {@code auth.userId} and {@code auth.role} (a null
   * {@code role} sends none).
   */
  public static RawClient connectAs(int port, String userId, String role) {
    return connect(
        port, role == null ? Map.of("userId", userId) : Map.of("userId", userId, "role", role));
  }

  public JsonNode awaitConnected() {
    Received connectedEvent = take("dialogue:connected");
    return connectedEvent.data();
  }

  /** Waits for a refusal and returns the {@code connect_error} message. */
  public String connectError() {
    return take("connect_error").data().path("message").asText();
  }

  public String clientId() {
    return socket.id();
  }

  public boolean isConnected() {
    return socket.connected();
  }

  public void emit(String event, Object payload) {
    if (payload == null) {
      socket.emit(event);
    } else {
      socket.emit(event, toOrgJson(payload));
    }
  }

  /** Emits with an acknowledgement and waits for it. */
  public JsonNode request(String event, Object payload) {
    CompletableFuture<JsonNode> ack = requestAsync(event, payload);
    try {
      return ack.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new AssertionError("no ack for " + event + " within " + TIMEOUT, e);
    }
  }

  /** Emits with an acknowledgement; the future completes with the ack's first argument. */
  public CompletableFuture<JsonNode> requestAsync(String event, Object payload) {
    CompletableFuture<JsonNode> ack = new CompletableFuture<>();
    Ack callback = args -> ack.complete(toJson(args.length > 0 ? args[0] : null));
    if (payload == null) {
      socket.emit(event, new Object[0], callback);
    } else {
      socket.emit(event, new Object[] {toOrgJson(payload)}, callback);
    }
    return ack;
  }

  /** Emits {@code dialogue:join} without an ack and waits for {@code dialogue:joined}. */
  public JsonNode join(String roomId) {
    emit("dialogue:join", Map.of("roomId", roomId));
    return take(
            r ->
                r.name().equals("dialogue:joined")
                    && r.data().path("roomId").asText().equals(roomId),
            "joined " + roomId)
        .data();
  }

  /** Emits {@code dialogue:trigger} without an ack. */
  public void trigger(String roomId, String event, Object data) {
    emit("dialogue:trigger", Map.of("roomId", roomId, "event", event, "data", data));
  }

  /** Waits for the next {@code dialogue:error} and returns its payload. */
  public JsonNode takeError() {
    return take("dialogue:error").data();
  }

  /**
   * Emits with an acknowledgement without waiting. {@code onAck} runs on the client's event thread
   * as the ack arrives, so several of them run in arrival order; then the future completes.
   */
  public CompletableFuture<JsonNode> requestAsync(
      String event, Object payload, java.util.function.Consumer<JsonNode> onAck) {
    CompletableFuture<JsonNode> ack = new CompletableFuture<>();
    Ack callback =
        args -> {
          JsonNode result = toJson(args.length > 0 ? args[0] : null);
          onAck.accept(result);
          ack.complete(result);
        };
    if (payload == null) {
      socket.emit(event, new Object[0], callback);
    } else {
      socket.emit(event, new Object[] {toOrgJson(payload)}, callback);
    }
    return ack;
  }

  /**
   * Waits until every event the server queued for this connection before now has arrived: a request
   * with an ack is answered after everything queued earlier.
   */
  public void barrier() {
    request("dialogue:listRooms", null);
  }

  /** Removes and returns the first received event named {@code name}, waiting up to the timeout. */
  public Received take(String name) {
    return take(r -> r.name().equals(name), name);
  }

  public Received take(Predicate<Received> match, String description) {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    synchronized (received) {
      while (true) {
        for (int i = 0; i < received.size(); i++) {
          if (match.test(received.get(i))) {
            return received.remove(i);
          }
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError(
              "no " + description + " within " + TIMEOUT + "; received " + received);
        }
        try {
          received.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError("interrupted", e);
        }
      }
    }
  }

  /** Every event received so far, taken or not, in arrival order. */
  public List<Received> arrivals() {
    synchronized (received) {
      return List.copyOf(arrivals);
    }
  }

  /** The names of every event received so far, in arrival order. */
  public List<String> arrivalNames() {
    return arrivals().stream().map(Received::name).toList();
  }

  /** Events received so far and not taken, in arrival order. */
  public List<Received> received() {
    synchronized (received) {
      return List.copyOf(received);
    }
  }

  /** Received and not taken events named {@code name}. */
  public List<Received> received(String name) {
    return received().stream().filter(r -> r.name().equals(name)).toList();
  }

  public void disconnect() {
    socket.disconnect();
  }

  @Override
  public void close() {
    socket.close();
  }

  /** What the client's transports did, oldest first: for the message of a failed wait. */
  public String transportLog() {
    synchronized (transportLog) {
      return String.join(", ", transportLog);
    }
  }

  private void logTransport(Transport transport) {
    String name = transport.name;
    logTransport(name + " created");
    transport.on(Transport.EVENT_OPEN, args -> logTransport(name + " open"));
    transport.on(Transport.EVENT_CLOSE, args -> logTransport(name + " closed"));
    transport.on(Transport.EVENT_ERROR, args -> logTransport(name + " error " + args[0]));
    transport.on(
        Transport.EVENT_PACKET,
        args -> {
          Packet<?> packet = (Packet<?>) args[0];
          if (!Packet.MESSAGE.equals(packet.type)) {
            logTransport(
                name + " got " + packet.type + (packet.data == null ? "" : " " + packet.data));
          }
        });
  }

  private void logTransport(String entry) {
    synchronized (transportLog) {
      if (transportLog.size() < 100) {
        transportLog.add(entry);
      }
    }
  }

  private void record(String name, Object arg) {
    Received r = new Received(name, toJson(arg));
    synchronized (received) {
      received.add(r);
      arrivals.add(r);
      received.notifyAll();
    }
  }

  public static JsonNode toJson(Object value) {
    try {
      if (value == null || value == JSONObject.NULL) {
        return MAPPER.nullNode();
      }
      if (value instanceof JSONObject || value instanceof JSONArray) {
        return MAPPER.readTree(value.toString());
      }
      if (value instanceof Throwable t) {
        // A connect_error raised by the client itself (e.g. the transport failed), not the server.
        return MAPPER.createObjectNode().put("message", String.valueOf(t.getMessage()));
      }
      return MAPPER.valueToTree(value);
    } catch (Exception e) {
      throw new AssertionError("cannot read " + value, e);
    }
  }

  public static Object toOrgJson(Object payload) {
    try {
      String json = MAPPER.writeValueAsString(payload);
      Object parsed = new org.json.JSONTokener(json).nextValue();
      return parsed;
    } catch (Exception e) {
      throw new AssertionError("cannot encode " + payload, e);
    }
  }

  /** The server refused the connection; the message is the {@code connect_error} reason. */
  public static final class ConnectRefused extends RuntimeException {
    private static final long serialVersionUID = 1L;

    ConnectRefused(String message) {
      super(message);
    }
  }
}
