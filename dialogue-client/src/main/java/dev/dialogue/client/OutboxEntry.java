package dev.dialogue.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dialogue.client.DialogueClientException.Fate;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;

/**
 * One trigger's state in the {@link Outbox}: its future, its tasks, its attempts, and its fate,
 * settled once.
 *
 * <p>The fate ({@code sent}, {@code done}) is settled under this object's lock from any thread (a
 * cancellation comes from the application's); the other fields are the ordered executor's, except
 * {@code deadlineTask}, set on the thread that made the trigger.
 */
final class OutboxEntry {
  final QueuedTrigger trigger;
  final CompletableFuture<Published> future = new CompletableFuture<>();
  volatile ScheduledFuture<?> deadlineTask;
  ScheduledFuture<?> retryTask;
  boolean queued; // in the queue (and not polled since): on the ordered executor
  int attempt;
  int retries;
  private boolean sent; // guarded by this
  private boolean done; // guarded by this

  OutboxEntry(QueuedTrigger trigger) {
    this.trigger = trigger;
  }

  /** The trigger's request, the same on every attempt. */
  ObjectNode request() {
    ObjectNode request =
        ClientJson.MAPPER
            .createObjectNode()
            .put("roomId", trigger.roomId())
            .put("event", trigger.event())
            .put("clientMessageId", trigger.clientMessageId());
    request.set("data", trigger.data());
    if (trigger.meta() != null) {
      request.set("meta", trigger.meta());
    }
    return request;
  }

  /** Before the first send: false when its fate is already settled (cancelled, expired). */
  synchronized boolean markSent() {
    if (done) {
      return false;
    }
    sent = true;
    return true;
  }

  synchronized boolean isDone() {
    return done;
  }

  /** Confirmed: true unless a failure came first. */
  synchronized boolean settle() {
    if (done) {
      return false;
    }
    done = true;
    return true;
  }

  /** Settles a failure: its exception, or null when the fate was known already. */
  synchronized DialogueClientException fail(String code, String message, Fate fate) {
    return fail(code, message, fate, null);
  }

  /** The same, with the data of the server's refusal, or null. */
  synchronized DialogueClientException fail(String code, String message, Fate fate, JsonNode data) {
    if (done) {
      return null;
    }
    done = true;
    return new DialogueClientException(
        code, message, fate != null ? fate : sent ? Fate.UNKNOWN : Fate.NOT_SENT, data);
  }
}
