package dev.dialogue.examples.reference;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.socket.client.IO;
import io.socket.client.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.json.JSONArray;
import org.json.JSONObject;
import org.json.JSONTokener;

/**
 * A plain Socket.IO client (socket.io-client-java) that records every event it receives. Tests wait
 * by polling the recording with a timeout, never by sleeping.
 */
final class Recorder implements AutoCloseable {
  static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static final ObjectMapper JSON = new ObjectMapper();

  record Received(String name, JsonNode data) {}

  private final Socket socket;
  private final List<Received> received = new ArrayList<>();

  private Recorder(int port, Map<String, String> auth) {
    IO.Options options =
        IO.Options.builder()
            .setForceNew(true)
            .setReconnection(false)
            .setTransports(new String[] {"websocket"})
            .build();
    if (auth != null) {
      options.auth = auth;
    }
    socket = IO.socket(URI.create("http://127.0.0.1:" + port), options);
    socket.onAnyIncoming(args -> record((String) args[0], args.length > 1 ? args[1] : null));
    socket.on(
        Socket.EVENT_CONNECT_ERROR,
        args -> record("connect_error", args.length > 0 ? args[0] : null));
  }

  /** Starts connecting with {@code auth} (null: none) without waiting. */
  static Recorder open(int port, Map<String, String> auth) {
    Recorder recorder = new Recorder(port, auth);
    recorder.socket.connect();
    return recorder;
  }

  /** Connects and waits for {@code dialogue:connected}. */
  static Recorder connect(int port, Map<String, String> auth) {
    Recorder recorder = open(port, auth);
    recorder.awaitConnected();
    return recorder;
  }

  /** Development mode: connects as {@code userId} with an optional {@code role}. */
  static Recorder connectAs(int port, String userId, String role) {
    return connect(
        port, role == null ? Map.of("userId", userId) : Map.of("userId", userId, "role", role));
  }

  /** The {@code dialogue:connected} payload. */
  JsonNode awaitConnected() {
    return take("dialogue:connected").data();
  }

  /** The message of the {@code connect_error} the server refused the connection with. */
  String connectError() {
    return take("connect_error").data().path("message").asText();
  }

  void emit(String event, Object payload) {
    socket.emit(event, toOrgJson(payload));
  }

  /** Emits with an acknowledgement and returns its payload. */
  JsonNode request(String event, Object payload) {
    CompletableFuture<JsonNode> ack = requestAsync(event, payload);
    try {
      return ack.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new AssertionError("no ack for " + event + " within " + TIMEOUT, e);
    }
  }

  /** Emits with an ack; the future completes with the ack's first argument. */
  CompletableFuture<JsonNode> requestAsync(String event, Object payload) {
    CompletableFuture<JsonNode> ack = new CompletableFuture<>();
    Object[] args = payload == null ? new Object[0] : new Object[] {toOrgJson(payload)};
    socket.emit(event, args, reply -> ack.complete(toJson(reply.length > 0 ? reply[0] : null)));
    return ack;
  }

  /** Joins without an ack and waits for {@code dialogue:joined}. */
  void join(String roomId) {
    emit("dialogue:join", Map.of("roomId", roomId));
    take(
        r -> r.name().equals("dialogue:joined") && r.data().path("roomId").asText().equals(roomId),
        "joined " + roomId);
  }

  /** Returns once everything the server queued for this connection before now has arrived. */
  void barrier() {
    request("dialogue:listRooms", null);
  }

  Received take(String name) {
    return take(r -> r.name().equals(name), name);
  }

  /** Removes and returns the first matching event, waiting up to {@link #TIMEOUT}. */
  Received take(Predicate<Received> match, String description) {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    synchronized (received) {
      while (true) {
        for (int i = 0; i < received.size(); i++) {
          if (match.test(received.get(i))) {
            return received.remove(i);
          }
        }
        long leftMillis = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (leftMillis <= 0) {
          throw new AssertionError(
              "no " + description + " within " + TIMEOUT + "; received " + received);
        }
        try {
          received.wait(leftMillis);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError("interrupted", e);
        }
      }
    }
  }

  /** Received, not yet taken events named {@code name}. */
  List<Received> received(String name) {
    synchronized (received) {
      return received.stream().filter(r -> r.name().equals(name)).toList();
    }
  }

  @Override
  public void close() {
    socket.close();
  }

  private void record(String name, Object arg) {
    synchronized (received) {
      received.add(new Received(name, toJson(arg)));
      received.notifyAll();
    }
  }

  private static JsonNode toJson(Object value) {
    try {
      if (value == null || value == JSONObject.NULL) {
        return JSON.nullNode();
      }
      if (value instanceof JSONObject || value instanceof JSONArray) {
        return JSON.readTree(value.toString());
      }
      if (value instanceof Throwable t) {
        return JSON.createObjectNode().put("message", String.valueOf(t.getMessage()));
      }
      return JSON.valueToTree(value);
    } catch (Exception e) {
      throw new AssertionError("cannot read " + value, e);
    }
  }

  private static Object toOrgJson(Object payload) {
    try {
      return new JSONTokener(JSON.writeValueAsString(payload)).nextValue();
    } catch (Exception e) {
      throw new AssertionError("cannot encode " + payload, e);
    }
  }
}
