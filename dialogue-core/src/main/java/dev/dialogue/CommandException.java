package dev.dialogue;

import static java.util.Objects.requireNonNull;

/**
 * A command handler's refusal with an application-defined error: a {@link #code()} (e.g. {@code
 * NEGATIVE}), a message and optional {@link #data()}, sent to the client as {@code {ok: false,
 * error: {code, message, data}}}. Throw it from a {@link CommandHandler}, or complete an {@link
 * AsyncCommandHandler}'s stage with it.
 *
 * <pre>{@code
 * if (request.a() < 0) {
 *   throw new CommandException("NEGATIVE", "a must not be negative", Map.of("field", "a"));
 * }
 * }</pre>
 *
 * <p>The code is the application's own vocabulary, not the protocol's {@link ErrorCode} list;
 * choose names that do not collide with it, so that clients can tell a refusal of the application
 * from one of the server.
 */
public final class CommandException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** The longest code accepted. */
  public static final int MAX_CODE_LENGTH = 100;

  private final String code;
  private final transient Object data;

  /** A refusal without data. */
  public CommandException(String code, String message) {
    this(code, message, null);
  }

  /**
   * A refusal with {@code data}, any value the library's JSON mapping can encode, or {@code null}.
   *
   * @throws IllegalArgumentException if {@code code} is blank or longer than {@value
   *     #MAX_CODE_LENGTH} characters
   */
  public CommandException(String code, String message, Object data) {
    super(requireNonNull(message, "message == null"));
    requireNonNull(code, "code == null");
    if (code.isBlank() || code.length() > MAX_CODE_LENGTH) {
      throw new IllegalArgumentException(
          "code must be 1 to "
              + MAX_CODE_LENGTH
              + " characters, not blank, but was '"
              + code
              + "'");
    }
    this.code = code;
    this.data = data;
  }

  /** The application's error code. */
  public String code() {
    return code;
  }

  /** The error's data, or {@code null}. */
  public Object data() {
    return data;
  }
}
