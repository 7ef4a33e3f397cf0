package dev.dialogue.client;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A failed request or trigger: the server's error {@link #code()} (e.g. {@code ROOM_FULL}) and
 * message, or a client-side code, and what is known of the request's {@link #fate()}. A command's
 * refusal by the application carries the application's code and, if it sent any, its {@link
 * #data()}.
 *
 * <p>Client-side codes:
 *
 * <ul>
 *   <li>{@code NOT_CONNECTED}: made while the client was not connected and not reconnecting (before
 *       {@code connect()}, after {@code disconnect()}, after a refusal, or after a lost connection
 *       with reconnection off); never sent.
 *   <li>{@code DISCONNECTED}: the connection ended while the request waited: lost (requests other
 *       than triggers; triggers wait for the next connection instead, unless reconnection is off),
 *       ended by the server, or by {@link DialogueClient#disconnect()}.
 *   <li>{@code CLOSED}: the client was closed ({@link DialogueClient#close()}).
 *   <li>{@code TIMEOUT}: no answer within the request timeout (requests other than triggers, which
 *       are sent again instead), or not connected within the connect timeout.
 *   <li>{@code DEADLINE_EXCEEDED}: a trigger was not confirmed within the trigger deadline.
 *   <li>{@code CANCELLED}: the application cancelled the trigger ({@link PendingTrigger#cancel()}).
 *   <li>{@code OFFLINE_QUEUE_FULL}: the trigger found the offline queue full; never sent.
 *   <li>{@code CONNECT_REFUSED}: the server refused the connection (the authenticator's reason).
 *   <li>{@code PROTOCOL}: the server answered something the client cannot read.
 * </ul>
 */
public final class DialogueClientException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * What is known of whether the server acted on a failed request (for a trigger: published it).
   */
  public enum Fate {
    /** The server answered no (its error code): a trigger was certainly not published. */
    REFUSED,
    /** The request never left the client: a trigger was certainly not published. */
    NOT_SENT,
    /**
     * Sent at least once and never answered: a trigger may have been published (its {@code
     * clientMessageId} tells, when an event with that id arrives or in the room's history).
     */
    UNKNOWN
  }

  private final String code;
  private final Fate fate;
  private final transient JsonNode data;

  /** A refusal with the server's code. */
  public DialogueClientException(String code, String message) {
    this(code, message, Fate.REFUSED);
  }

  /** A failure with the server's or a client-side code and what is known of its fate. */
  public DialogueClientException(String code, String message, Fate fate) {
    this(code, message, fate, null);
  }

  /** A failure with the error's {@code data} as the server sent it ({@code null} for none). */
  public DialogueClientException(String code, String message, Fate fate, JsonNode data) {
    super(message);
    this.code = requireNonNull(code, "code == null");
    this.fate = requireNonNull(fate, "fate == null");
    this.data = data == null || data.isNull() || data.isMissingNode() ? null : data;
  }

  /** The server's error code, or one of the client-side codes listed above. */
  public String code() {
    return code;
  }

  /** Whether the server certainly did not act ({@code REFUSED}, {@code NOT_SENT}) or may have. */
  public Fate fate() {
    return fate;
  }

  /** The error's {@code data} (a command's application error may carry it), or {@code null}. */
  public JsonNode data() {
    return data;
  }

  /**
   * The error's {@code data} read as {@code type}, or {@code null} without data.
   *
   * @throws IllegalArgumentException if the data cannot be read as {@code type}
   */
  public <T> T data(Class<T> type) {
    requireNonNull(type, "type == null");
    return data == null ? null : ClientJson.convert(data, type);
  }

  @Override
  public String toString() {
    return "DialogueClientException[" + code + ", " + fate + "]: " + getMessage();
  }
}
