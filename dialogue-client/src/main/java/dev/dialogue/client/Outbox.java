package dev.dialogue.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dialogue.client.DialogueClientException.Fate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Triggers from the moment they are made until their fate is known: the offline queue, the window
 * of triggers in flight, resends with the same {@code clientMessageId} (after every reconnect,
 * after a request timeout, after a retryable refusal), the deadline and cancellation.
 *
 * <p>Everything but {@link #trigger} and a cancellation's settling runs on the client's ordered
 * executor.
 */
final class Outbox {
  /**
   * Refusals the server decides before it looks at the {@code clientMessageId}: after an earlier
   * attempt that may have arrived, they do not say that the trigger was not published.
   */
  private static final Set<String> BEFORE_IDEMPOTENCY = Set.of("ROOM_NOT_FOUND", "NOT_IN_ROOM");

  private enum Mode {
    /** Not connected, not trying: triggers fail with NOT_CONNECTED. */
    STOPPED,
    /** Connecting or reconnecting: triggers wait in the queue. */
    WAITING,
    /** Connected and identified: triggers are sent. */
    ONLINE,
    CLOSED
  }

  private final OfflineQueue queue;
  private final ScheduledExecutorService scheduler;
  private final Executor loop;
  private final Duration deadline;
  private final int window;
  private final Duration retryInitial;
  private final Duration retryMax;
  private final Map<String, OutboxEntry> entries = new ConcurrentHashMap<>();
  private final Map<String, OutboxEntry> inFlight = new LinkedHashMap<>(); // in send order
  // Ids settled (cancelled, expired) while waiting in the queue: skipped when they come out.
  private final Set<String> dropped = new HashSet<>();
  private Mode mode = Mode.STOPPED;
  private Function<ObjectNode, CompletableFuture<JsonNode>> sender;

  Outbox(
      OfflineQueue queue,
      ScheduledExecutorService scheduler,
      Executor loop,
      Duration deadline,
      int window,
      Duration retryInitial,
      Duration retryMax) {
    this.queue = queue;
    this.scheduler = scheduler;
    this.loop = loop;
    this.deadline = deadline;
    this.window = window;
    this.retryInitial = retryInitial;
    this.retryMax = retryMax;
  }

  /** A trigger on its way, from any thread. */
  PendingTrigger trigger(QueuedTrigger trigger) {
    OutboxEntry entry = new OutboxEntry(trigger);
    if (entries.putIfAbsent(trigger.clientMessageId(), entry) != null) {
      throw new IllegalStateException(
          "a trigger with clientMessageId '" + trigger.clientMessageId() + "' is still in flight");
    }
    try {
      entry.deadlineTask =
          scheduler.schedule(
              () -> loop.execute(() -> expire(entry)), deadline.toMillis(), TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      entries.remove(trigger.clientMessageId());
      entry.future.completeExceptionally(
          new DialogueClientException("CLOSED", "the client is closed", Fate.NOT_SENT));
      return new PendingTrigger(trigger.clientMessageId(), entry.future, () -> false);
    }
    loop.execute(() -> add(entry));
    return new PendingTrigger(trigger.clientMessageId(), entry.future, () -> cancelTrigger(entry));
  }

  /** Triggers whose fate is not known yet. */
  int size() {
    return entries.size();
  }

  /** Connecting: triggers wait in the queue from now on. */
  void waiting() {
    if (mode != Mode.CLOSED && mode != Mode.ONLINE) {
      mode = Mode.WAITING;
    }
  }

  /** Identified on a new connection: {@code send} emits a trigger request on it. */
  void online(Function<ObjectNode, CompletableFuture<JsonNode>> send) {
    if (mode == Mode.CLOSED) {
      return;
    }
    mode = Mode.ONLINE;
    sender = send;
    pump();
  }

  /**
   * The connection is gone. Triggers in flight go back to the head of the queue, in their order, to
   * be sent again with the same id; unless the client is not {@code retrying}: then every trigger
   * fails with {@code code}.
   */
  void offline(boolean retrying, String code, String reason) {
    if (mode == Mode.CLOSED) {
      return;
    }
    sender = null;
    List<OutboxEntry> unconfirmed = new ArrayList<>(inFlight.values());
    inFlight.clear();
    for (int i = unconfirmed.size() - 1; i >= 0; i--) {
      OutboxEntry e = unconfirmed.get(i);
      cancel(e.retryTask);
      queue.requeue(e.trigger);
      e.queued = true;
    }
    if (retrying) {
      mode = Mode.WAITING;
    } else {
      mode = Mode.STOPPED;
      failAll(code, reason);
    }
  }

  /** Closed: every trigger fails with {@code CLOSED}. */
  void close() {
    offline(false, "CLOSED", "the client was closed");
    mode = Mode.CLOSED;
  }

  private void add(OutboxEntry entry) {
    if (entry.isDone()) {
      return;
    }
    if (mode == Mode.STOPPED || mode == Mode.CLOSED) {
      String code = mode == Mode.CLOSED ? "CLOSED" : "NOT_CONNECTED";
      finish(entry, code, "trigger: the client is not connected and not reconnecting", null);
    } else if (!queue.offer(entry.trigger)) {
      finish(
          entry,
          "OFFLINE_QUEUE_FULL",
          "the offline queue is full (" + queue.size() + " triggers waiting)",
          null);
    } else {
      entry.queued = true;
      pump();
    }
  }

  /** Sends from the head of the queue while online and the window has room. */
  private void pump() {
    while (mode == Mode.ONLINE && inFlight.size() < window) {
      QueuedTrigger next = queue.poll();
      if (next == null) {
        return;
      }
      if (dropped.remove(next.clientMessageId())) {
        continue;
      }
      OutboxEntry entry = entries.computeIfAbsent(next.clientMessageId(), id -> adopt(next));
      entry.queued = false;
      if (entry.markSent()) {
        inFlight.put(next.clientMessageId(), entry);
        transmit(entry);
      }
    }
  }

  /** A trigger found in a persistent queue, made by an earlier client: sent, its result unread. */
  private OutboxEntry adopt(QueuedTrigger trigger) {
    OutboxEntry entry = new OutboxEntry(trigger);
    entry.deadlineTask =
        scheduler.schedule(
            () -> loop.execute(() -> expire(entry)), deadline.toMillis(), TimeUnit.MILLISECONDS);
    return entry;
  }

  private void transmit(OutboxEntry entry) {
    int attempt = ++entry.attempt;
    sender
        .apply(entry.request())
        .whenComplete((result, error) -> answered(entry, attempt, result, error));
  }

  private void answered(OutboxEntry entry, int attempt, JsonNode result, Throwable error) {
    if (inFlight.get(entry.trigger.clientMessageId()) != entry) {
      return; // requeued, cancelled or expired meanwhile
    }
    if (error == null) {
      // Any attempt's confirmation will do: the first to arrive is the publication itself, later
      // ones answer duplicate: true.
      inFlight.remove(entry.trigger.clientMessageId());
      if (entry.settle()) {
        cleanUp(entry);
        entry.future.complete(ClientJson.convert(result, Published.class));
      }
      pump();
      return;
    }
    if (entry.attempt != attempt) {
      return; // a later attempt is on its way
    }
    Throwable cause = error instanceof CompletionException ce ? ce.getCause() : error;
    DialogueClientException e =
        cause instanceof DialogueClientException dce
            ? dce
            : new DialogueClientException("PROTOCOL", String.valueOf(cause), Fate.UNKNOWN);
    switch (e.code()) {
      case "NOT_CONNECTED", "DISCONNECTED", "CLOSED" -> {
        // The connection is going: offline() requeues it.
      }
      case "TIMEOUT" -> transmit(entry); // same id; the server answers a repeat with the first
      default -> {
        if (Retries.CODES.contains(e.code())) {
          long delay = Retries.delayMillis(retryInitial, retryMax, entry.retries);
          entry.retries++;
          entry.retryTask =
              scheduler.schedule(
                  () -> loop.execute(() -> retry(entry, attempt)), delay, TimeUnit.MILLISECONDS);
        } else {
          inFlight.remove(entry.trigger.clientMessageId());
          boolean mayHaveArrived = attempt > 1 && BEFORE_IDEMPOTENCY.contains(e.code());
          finish(
              entry,
              e.code(),
              e.getMessage(),
              mayHaveArrived ? Fate.UNKNOWN : Fate.REFUSED,
              e.data());
          pump();
        }
      }
    }
  }

  private void retry(OutboxEntry entry, int attempt) {
    if (mode == Mode.ONLINE
        && entry.attempt == attempt
        && inFlight.get(entry.trigger.clientMessageId()) == entry) {
      transmit(entry);
    }
  }

  private void expire(OutboxEntry entry) {
    if (entry.isDone()) {
      return;
    }
    boolean flying = withdraw(entry);
    finish(
        entry, "DEADLINE_EXCEEDED", "not confirmed within the trigger deadline " + deadline, null);
    if (flying) {
      pump();
    }
  }

  /**
   * Takes a trigger being settled out of the window, or marks it to be skipped when it comes out of
   * the queue (it must not be sent then); returns whether it was in flight.
   */
  private boolean withdraw(OutboxEntry entry) {
    boolean flying = inFlight.remove(entry.trigger.clientMessageId(), entry);
    if (!flying && entry.queued) {
      dropped.add(entry.trigger.clientMessageId());
    }
    return flying;
  }

  private void failAll(String code, String reason) {
    List<QueuedTrigger> foreign = new ArrayList<>();
    for (QueuedTrigger t = queue.poll(); t != null; t = queue.poll()) {
      if (!dropped.remove(t.clientMessageId()) && !entries.containsKey(t.clientMessageId())) {
        foreign.add(t); // an earlier client's: stays for the next one on this queue
      }
    }
    foreign.forEach(queue::offer);
    for (OutboxEntry entry : List.copyOf(entries.values())) {
      finish(entry, code, "trigger: " + reason, null);
    }
  }

  /** Fails {@code entry} unless its fate is known; {@code fate} null: by whether it was sent. */
  private void finish(OutboxEntry entry, String code, String message, Fate fate) {
    finish(entry, code, message, fate, null);
  }

  /** The same, with the data of the server's refusal (an application's error), or null. */
  private void finish(OutboxEntry entry, String code, String message, Fate fate, JsonNode data) {
    DialogueClientException e = entry.fail(code, message, fate, data);
    if (e != null) {
      cleanUp(entry);
      entry.future.completeExceptionally(e);
    }
  }

  private void cleanUp(OutboxEntry entry) {
    entries.remove(entry.trigger.clientMessageId(), entry);
    inFlight.remove(entry.trigger.clientMessageId(), entry);
    cancel(entry.deadlineTask);
    cancel(entry.retryTask);
  }

  private static void cancel(ScheduledFuture<?> task) {
    if (task != null) {
      task.cancel(false);
    }
  }

  /** From any thread: settles the fate now, completes the future on the ordered executor. */
  private boolean cancelTrigger(OutboxEntry entry) {
    DialogueClientException e = entry.fail("CANCELLED", "cancelled by the application", null);
    if (e == null) {
      return false;
    }
    loop.execute(
        () -> {
          boolean flying = withdraw(entry);
          cleanUp(entry);
          entry.future.completeExceptionally(e);
          if (flying) {
            pump();
          }
        });
    return true;
  }
}
