package dev.dialogue.client;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dialogue.client.DialogueClientException.Fate;
import io.socket.client.Socket;
import java.util.ArrayDeque;
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
  private record Change(ConnectionState state, String reason) {}

  private final AckRequests requests;
  private final Executor loop;
  private final Listeners listeners;
  private volatile ConnectionState state = ConnectionState.DISCONNECTED; // written under changes
  // State changes the listeners have not heard yet, in the order they took effect.
  private final ArrayDeque<Change> changes = new ArrayDeque<>();
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

  /**
   * Changes the state; the listeners hear of it on the ordered executor, in the order the changes
   * took effect (they are made on the application's threads and the ordered executor at once).
   */
  void setState(ConnectionState next, String reason) {
    synchronized (changes) {
      if (state == next) {
        return;
      }
      state = next;
      changes.add(new Change(next, reason));
    }
    // Outside the lock (a direct callback executor would run listeners here): whichever task runs
    // first takes the changes in their order.
    loop.execute(this::fireChanges);
  }

  private void fireChanges() {
    while (true) {
      Change change;
      synchronized (changes) {
        change = changes.poll();
      }
      if (change == null) {
        return;
      }
      listeners.fire(listeners.state, l -> l.accept(change.state(), change.reason()));
    }
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
