package dev.dialogue;

import static java.util.Objects.requireNonNull;

/**
 * Allow or deny, with a reason: the answer of a {@link JoinPolicy} or {@link RoomCreationPolicy}.
 */
public final class Decision {
  private static final Decision ALLOW = new Decision(null);

  private final String reason;

  private Decision(String reason) {
    this.reason = reason;
  }

  public static Decision allow() {
    return ALLOW;
  }

  /** Denies; the client receives {@code reason} as the error message. */
  public static Decision deny(String reason) {
    return new Decision(requireNonNull(reason, "reason == null"));
  }

  public boolean allowed() {
    return reason == null;
  }

  /** The reason for a denial, or {@code null}. */
  public String reason() {
    return reason;
  }

  @Override
  public String toString() {
    return allowed() ? "Decision{allow}" : "Decision{deny " + reason + "}";
  }
}
