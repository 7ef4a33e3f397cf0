package dev.dialogue.examples.chat;

/**
 * A refused HTTP request: its status and the JSON {@code {error: code, message}} answer. Thrown by
 * the account and file code, turned into the response by {@link ChatHttp}.
 */
final class ApiError extends Exception {
  private final int status;
  private final String code;

  ApiError(int status, String code, String message) {
    super(message, null, false, false);
    this.status = status;
    this.code = code;
  }

  int status() {
    return status;
  }

  String code() {
    return code;
  }
}
