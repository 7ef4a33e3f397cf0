package dev.dialogue.client;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dialogue.client.DialogueClientException.Fate;
import io.socket.client.Socket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * What the client knows of its connection, and the gate every request passes: a request is emitted
 * only while connected, and only on the connection it was made for.
 *
 * <p>Only {@link Connector} writes the fields: on the application's threads ({@code connect()},
 * {@code disconnect()}, {@code close()}), on socket.io-client's event thread ({@code
 * wireConnections}) and on the ordered executor (the rest). Read from any thread.
 */
final class Connection {
  private final AckRequests requests;
  private final Executor loop;
  private final Listeners listeners;
  private volatile ConnectionState state = ConnectionState.DISCONNECTED;
  volatile String userId;
  volatile String clientId;

  /** The server's token for resuming this connection after a drop (docs/lifecycle.md), or null. */
  volatile String resumeToken;

  volatile Socket socket;
  volatile boolean closed;
  // Socket.IO connections opened so far, counted on socket.io-client's event thread.
  volatile long wireConnections;
  // The connection identified by dialogue:connected, as counted above; the ordered executor's.
  volatile long generation = -1;

  Connection(AckRequests requests, Executor loop, Listeners listeners) {
    this.requests = requests;
    this.loop = loop;
    this.listeners = listeners;
  }

  ConnectionState state() {
    return state;
  }

  /** The state listeners hear of a change on the ordered executor. */
  void setState(ConnectionState next, String reason) {
    if (state == next) {
      return;
    }
    state = next;
    loop.execute(() -> listeners.fire(listeners.state, l -> l.accept(next, reason)));
  }

  /** A request on the current connection; fails at once when there is none. */
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

  static <T> CompletableFuture<T> failed(String code, String message, Fate fate) {
    return CompletableFuture.failedFuture(new DialogueClientException(code, message, fate));
  }
}
