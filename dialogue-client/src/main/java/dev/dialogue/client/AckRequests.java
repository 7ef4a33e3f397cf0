package dev.dialogue.client;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dialogue.client.DialogueClientException.Fate;
import io.socket.client.Ack;
import io.socket.client.Socket;
import io.socket.thread.EventThread;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/**
 * Requests answered through Socket.IO acknowledgements, with timeouts on our own scheduler (not one
 * timer thread per request, as socket.io-client-java's AckWithTimeout would). Results complete on
 * the client's ordered executor; every timeout is cancelled when its request ends, so the scheduler
 * holds one task per request waiting, not one per request ever made.
 */
final class AckRequests {
  private static final class Pending {
    final CompletableFuture<JsonNode> future = new CompletableFuture<>();
    volatile ScheduledFuture<?> timer;
  }

  private final ScheduledExecutorService scheduler;
  private final Executor loop;
  private final Duration timeout;
  private final AtomicLong ids = new AtomicLong();
  private final Map<Long, Pending> pending = new ConcurrentHashMap<>();

  AckRequests(ScheduledExecutorService scheduler, Executor loop, Duration timeout) {
    this.scheduler = scheduler;
    this.loop = loop;
    this.timeout = timeout;
  }

  /**
   * Emits {@code event} with an ack; the future completes with the result object or fails with the
   * server's error code. {@code current} is asked on socket.io-client's event thread right before
   * the emit: when the connection the request was made for is gone, the request fails with {@code
   * NOT_CONNECTED} instead of waiting in socket.io-client's send buffer for the next connection
   * (where it would arrive before the rooms are re-joined).
   */
  CompletableFuture<JsonNode> send(
      Socket socket, BooleanSupplier current, String event, Object payload) {
    Object[] args = payload == null ? new Object[0] : new Object[] {ClientJson.toSocket(payload)};
    long id = ids.incrementAndGet();
    Pending request = new Pending();
    pending.put(id, request);
    try {
      request.timer =
          scheduler.schedule(
              () ->
                  fail(
                      id,
                      new DialogueClientException(
                          "TIMEOUT", event + " got no answer within " + timeout, Fate.UNKNOWN)),
              timeout.toMillis(),
              TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      fail(
          id,
          new DialogueClientException("CLOSED", event + ": the client is closed", Fate.NOT_SENT));
      return request.future;
    }
    Ack ack =
        answer -> {
          JsonNode body = ClientJson.fromSocket(answer.length > 0 ? answer[0] : null);
          loop.execute(() -> settle(id, event, body));
        };
    EventThread.exec(
        () -> {
          if (!pending.containsKey(id)) {
            return; // failed meanwhile (disconnected, closed)
          }
          if (!current.getAsBoolean()) {
            fail(
                id,
                new DialogueClientException(
                    "NOT_CONNECTED", event + ": the connection is gone", Fate.NOT_SENT));
            return;
          }
          socket.emit(event, args, ack);
        });
    return request.future;
  }

  /** Requests waiting for an answer. */
  int size() {
    return pending.size();
  }

  private void settle(long id, String event, JsonNode body) {
    Pending request = pending.remove(id);
    if (request == null) {
      return;
    }
    cancelTimer(request);
    if (body.path("ok").asBoolean(false)) {
      request.future.complete(body);
    } else if (body.has("error")) {
      JsonNode error = body.get("error");
      request.future.completeExceptionally(
          new DialogueClientException(
              error.path("code").asText("UNKNOWN"),
              error.path("message").asText(""),
              Fate.REFUSED,
              error.get("data")));
    } else {
      request.future.completeExceptionally(
          new DialogueClientException("PROTOCOL", event + " answered " + body, Fate.UNKNOWN));
    }
  }

  private void fail(long id, DialogueClientException e) {
    Pending request = pending.remove(id);
    if (request != null) {
      cancelTimer(request);
      loop.execute(() -> request.future.completeExceptionally(e));
    }
  }

  private static void cancelTimer(Pending request) {
    ScheduledFuture<?> timer = request.timer;
    if (timer != null) {
      timer.cancel(false);
    }
  }

  /**
   * Fails every request still waiting with {@code code}: the connection dropped (or the client
   * closed) and their acks will never come.
   */
  void failAll(String code, String reason) {
    for (Long id : pending.keySet()) {
      fail(id, new DialogueClientException(code, reason, Fate.UNKNOWN));
    }
  }
}
