package dev.dialogue.micrometer;

import static java.util.Objects.requireNonNull;

import dev.dialogue.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * Decides whether an HTTP request may reach an operations route (the admin API, a metrics scrape):
 * a token, or the application's own check of the request (its session cookie, a client
 * certificate's header set by a proxy, the remote address). Called on the server's executor for
 * each request, before the route does anything.
 */
@FunctionalInterface
public interface HttpAccess {
  /** Whether {@code request} may use the route. */
  boolean allows(HttpRequest request) throws Exception;

  /** Every request may. For routes that a network boundary protects already. */
  static HttpAccess anyone() {
    return request -> true;
  }

  /**
   * Requests that carry {@code Authorization: Bearer <token>} with this token (compared in constant
   * time).
   *
   * @throws IllegalArgumentException if {@code token} is shorter than 16 characters
   */
  static HttpAccess bearerToken(String token) {
    requireNonNull(token, "token == null");
    if (token.length() < 16) {
      throw new IllegalArgumentException(
          "token must be at least 16 characters but was " + token.length());
    }
    byte[] expected = ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
    return request ->
        request
            .header("Authorization")
            .map(
                given ->
                    MessageDigest.isEqual(expected, given.trim().getBytes(StandardCharsets.UTF_8)))
            .orElse(false);
  }
}
