package dev.dialogue;

import static java.util.Objects.requireNonNull;

/**
 * The one exception type of the server API. Thrown to server-side callers for outcomes that have an
 * {@link ErrorCode} (a trigger into a missing room, a join into a full one, ...).
 */
public final class DialogueException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final ErrorCode code;

  public DialogueException(ErrorCode code, String message) {
    super(message);
    this.code = requireNonNull(code, "code == null");
  }

  public DialogueException(ErrorCode code, String message, Throwable cause) {
    super(message, cause);
    this.code = requireNonNull(code, "code == null");
  }

  /** The protocol error code, the same one a client would receive. */
  public ErrorCode code() {
    return code;
  }
}
