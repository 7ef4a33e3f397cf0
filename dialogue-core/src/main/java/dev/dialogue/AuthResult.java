package dev.dialogue;

import static java.util.Objects.requireNonNull;

import java.util.Map;

/**
 * The outcome of an {@link Authenticator}: accept with a user id and claims, or reject with a
 * reason the client receives as the {@code message} of its {@code connect_error}.
 */
public final class AuthResult {
  private final String userId;
  private final Map<String, Object> claims;
  private final String reason;

  private AuthResult(String userId, Map<String, Object> claims, String reason) {
    this.userId = userId;
    this.claims = claims;
    this.reason = reason;
  }

  public static AuthResult accept(String userId) {
    return accept(userId, Map.of());
  }

  /**
   * Accepts the connection as {@code userId}; {@code claims} become {@link
   * ClientConnection#claims()}.
   */
  public static AuthResult accept(String userId, Map<String, ?> claims) {
    requireNonNull(userId, "userId == null");
    requireNonNull(claims, "claims == null");
    if (userId.isBlank()) {
      throw new IllegalArgumentException("userId is blank");
    }
    return new AuthResult(
        userId, java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(claims)), null);
  }

  /** Refuses the connection; the client's {@code connect_error} carries {@code reason}. */
  public static AuthResult reject(String reason) {
    requireNonNull(reason, "reason == null");
    return new AuthResult(null, Map.of(), reason);
  }

  public boolean accepted() {
    return userId != null;
  }

  /** The user id, or {@code null} when rejected. */
  public String userId() {
    return userId;
  }

  public Map<String, Object> claims() {
    return claims;
  }

  /** The rejection reason, or {@code null} when accepted. */
  public String reason() {
    return reason;
  }

  @Override
  public String toString() {
    return accepted() ? "AuthResult{accept " + userId + "}" : "AuthResult{reject " + reason + "}";
  }
}
