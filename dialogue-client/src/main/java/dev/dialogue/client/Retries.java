package dev.dialogue.client;

import java.time.Duration;
import java.util.Set;

/**
 * The server's refusals that ask for the same request again later (a trigger, a re-join), and the
 * back-off between the tries. Stateless; called on the client's ordered executor.
 */
final class Retries {
  /** The server did not act on the request and may when asked again. */
  static final Set<String> CODES = Set.of("INTERNAL_ERROR", "RATE_LIMITED");

  private Retries() {}

  /**
   * The delay before the retry after {@code retries} earlier ones: doubling, at most {@code max}.
   */
  static long delayMillis(Duration initial, Duration max, int retries) {
    return Math.min(max.toMillis(), initial.toMillis() << Math.min(retries, 16));
  }
}
