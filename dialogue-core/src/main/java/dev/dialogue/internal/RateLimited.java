package dev.dialogue.internal;

import dev.dialogue.ErrorCode;

/**
 * A request refused by a rate limit: answered as {@code RATE_LIMITED} with the message and {@code
 * retryAfterMs} ({@link Reply#rateLimited}). Thrown by {@link Quotas} and caught by {@link
 * Requests}; it carries no stack trace, since a flooding client makes many.
 */
final class RateLimited extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final long retryAfterMs;

  RateLimited(String message, long retryAfterMs) {
    super(message, null, false, false);
    this.retryAfterMs = retryAfterMs;
  }

  ErrorCode code() {
    return ErrorCode.RATE_LIMITED;
  }

  /** How long the client should wait before it tries again, in milliseconds (at least 1). */
  long retryAfterMs() {
    return retryAfterMs;
  }
}
