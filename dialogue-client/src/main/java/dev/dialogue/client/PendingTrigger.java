package dev.dialogue.client;

import static java.util.Objects.requireNonNull;

import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;

/**
 * A trigger on its way. Its {@link #clientMessageId()} is known at once (show an optimistic
 * placeholder and replace it when the event with the same id arrives).
 *
 * <p>The client keeps the trigger until its fate is known, sending it again with the same id after
 * every reconnect and whenever a request for it times out or the server asks for a retry; the
 * server publishes an id once. {@link #result()} then:
 *
 * <ul>
 *   <li>completes with the server's confirmation: published exactly once ({@link
 *       Published#duplicate()} is true when the confirmation answered a repeat);
 *   <li>or fails with a {@link DialogueClientException} whose {@link DialogueClientException#fate()
 *       fate()} is {@code REFUSED} (the server's error code: not published), {@code NOT_SENT} (it
 *       never left the client: not published) or {@code UNKNOWN} (sent, never confirmed: {@code
 *       DEADLINE_EXCEEDED}, {@code CANCELLED} after sending, {@code CLOSED}, {@code DISCONNECTED}).
 * </ul>
 *
 * <p>The future completes on the client's callback executor.
 */
public final class PendingTrigger {
  private final String clientMessageId;
  private final CompletableFuture<Published> result;
  private final BooleanSupplier canceller;

  PendingTrigger(
      String clientMessageId, CompletableFuture<Published> result, BooleanSupplier canceller) {
    this.clientMessageId = requireNonNull(clientMessageId, "clientMessageId == null");
    this.result = requireNonNull(result, "result == null");
    this.canceller = requireNonNull(canceller, "canceller == null");
  }

  /** The idempotency key the client generated. */
  public String clientMessageId() {
    return clientMessageId;
  }

  /** The server's confirmation, or the failure with its fate. */
  public CompletableFuture<Published> result() {
    return result;
  }

  /**
   * Stops sending this trigger. Returns false when its fate was already settled; otherwise {@link
   * #result()} fails with {@code CANCELLED}, fate {@code NOT_SENT} if it had not left the client
   * yet, or {@code UNKNOWN} if it had (the server may have published it). Callable from any thread.
   */
  public boolean cancel() {
    return canceller.getAsBoolean();
  }

  @Override
  public String toString() {
    return "PendingTrigger{" + clientMessageId + "}";
  }
}
