package dev.dialogue;

import static java.util.Objects.requireNonNull;

/**
 * The answer of {@link EventInterceptor#beforeEach}: proceed with a (possibly rewritten) message,
 * or reject.
 */
public final class EventDecision {
  private final EventMessage message;
  private final String reason;

  private EventDecision(EventMessage message, String reason) {
    this.message = message;
    this.reason = reason;
  }

  /** Proceeds with {@code message}: the original or a rewritten copy. */
  public static EventDecision proceed(EventMessage message) {
    return new EventDecision(requireNonNull(message, "message == null"), null);
  }

  /** Stops the event: nothing is delivered or stored; the sender gets {@code EVENT_REJECTED}. */
  public static EventDecision reject(String reason) {
    return new EventDecision(null, requireNonNull(reason, "reason == null"));
  }

  public boolean proceeds() {
    return message != null;
  }

  /** The message to deliver, or {@code null} when rejected. */
  public EventMessage message() {
    return message;
  }

  /** The rejection reason, or {@code null}. */
  public String reason() {
    return reason;
  }
}
