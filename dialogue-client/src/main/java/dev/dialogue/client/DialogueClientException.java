package dev.dialogue.client;

import static java.util.Objects.requireNonNull;

/**
 * A failed request: the server's error {@link #code()} (e.g. {@code ROOM_FULL}) and message, or a
 * client-side code: {@code TIMEOUT}, {@code DISCONNECTED}, {@code CONNECT_REFUSED}, {@code
 * OFFLINE_QUEUE_FULL}, {@code PROTOCOL}.
 */
public final class DialogueClientException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String code;

  /** A failure with the server's or a client-side code. */
  public DialogueClientException(String code, String message) {
    super(message);
    this.code = requireNonNull(code, "code == null");
  }

  /** The server's error code, or one of the client-side codes listed above. */
  public String code() {
    return code;
  }

  @Override
  public String toString() {
    return "DialogueClientException[" + code + "]: " + getMessage();
  }
}
