package dev.dialogue.client;

import com.fasterxml.jackson.databind.JsonNode;
import io.socket.client.Ack;
import io.socket.client.Socket;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Requests answered through Socket.IO acknowledgements, with timeouts on our own scheduler (not one
 * timer thread per request, as socket.io-client-java's AckWithTimeout would). Results complete on
 * the client's ordered executor.
 */
final class AckRequests {
  private final ScheduledExecutorService scheduler;
  private final Executor loop;
  private final Duration timeout;
  private final AtomicLong ids = new AtomicLong();
  private final Map<Long, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();

  AckRequests(ScheduledExecutorService scheduler, Executor loop, Duration timeout) {
    this.scheduler = scheduler;
    this.loop = loop;
    this.timeout = timeout;
  }

  /**
   * Emits {@code event} with an ack; the future completes with the result object (without {@code
   * ok}) or fails with the server's error code.
   */
  CompletableFuture<JsonNode> send(Socket socket, String event, Object payload) {
    CompletableFuture<JsonNode> result = new CompletableFuture<>();
    long id = ids.incrementAndGet();
    pending.put(id, result);
    ScheduledFuture<?> timer =
        scheduler.schedule(
            () ->
                fail(
                    id,
                    new DialogueClientException(
                        "TIMEOUT", event + " got no answer within " + timeout)),
            timeout.toMillis(),
            TimeUnit.MILLISECONDS);
    Ack ack =
        args -> {
          timer.cancel(false);
          JsonNode body = ClientJson.fromSocket(args.length > 0 ? args[0] : null);
          loop.execute(() -> settle(id, event, body));
        };
    Object[] args = payload == null ? new Object[0] : new Object[] {ClientJson.toSocket(payload)};
    socket.emit(event, args, ack);
    return result;
  }

  private void settle(long id, String event, JsonNode body) {
    CompletableFuture<JsonNode> future = pending.remove(id);
    if (future == null) {
      return;
    }
    if (body.path("ok").asBoolean(false)) {
      future.complete(body);
    } else if (body.has("error")) {
      JsonNode error = body.get("error");
      future.completeExceptionally(
          new DialogueClientException(
              error.path("code").asText("UNKNOWN"), error.path("message").asText("")));
    } else {
      future.completeExceptionally(
          new DialogueClientException("PROTOCOL", event + " answered " + body));
    }
  }

  private void fail(long id, DialogueClientException e) {
    CompletableFuture<JsonNode> future = pending.remove(id);
    if (future != null) {
      loop.execute(() -> future.completeExceptionally(e));
    }
  }

  /** Fails every request still waiting: the connection dropped and its acks will never come. */
  void failAll(String reason) {
    for (Long id : pending.keySet()) {
      fail(id, new DialogueClientException("DISCONNECTED", "connection lost (" + reason + ")"));
    }
  }
}
