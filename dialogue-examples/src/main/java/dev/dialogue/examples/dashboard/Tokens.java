package dev.dialogue.examples.dashboard;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Date;

/**
 * Mints the HS256 tokens that {@code JwtAuthenticator} checks on the socket: {@code sub} the user,
 * {@code role} viewer or admin, {@code exp}.
 */
final class Tokens {
  static final Duration VIEWER_LIFETIME = Duration.ofHours(12);
  static final Duration ADMIN_LIFETIME = Duration.ofDays(7);

  private final byte[] secret;
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();

  Tokens(byte[] secret, Clock clock) {
    this.secret = secret.clone();
    this.clock = clock;
  }

  /** A new random secret of 32 bytes, as text. */
  static String randomSecret() {
    byte[] bytes = new byte[32];
    new SecureRandom().nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  static byte[] bytes(String secret) {
    return secret.getBytes(StandardCharsets.UTF_8);
  }

  /** A token for an anonymous viewer, with a user id of its own. */
  String viewer() {
    byte[] id = new byte[6];
    random.nextBytes(id);
    String user = "viewer-" + Base64.getUrlEncoder().withoutPadding().encodeToString(id);
    return mint(user, DashboardEvents.VIEWER, VIEWER_LIFETIME);
  }

  String admin() {
    return mint("admin", DashboardEvents.ADMIN, ADMIN_LIFETIME);
  }

  String mint(String subject, String role, Duration lifetime) {
    JWTClaimsSet claims =
        new JWTClaimsSet.Builder()
            .subject(subject)
            .claim("role", role)
            .issueTime(Date.from(clock.instant()))
            .expirationTime(Date.from(clock.instant().plus(lifetime)))
            .build();
    SignedJWT token = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
    try {
      token.sign(new MACSigner(secret));
    } catch (JOSEException e) {
      throw new IllegalStateException("cannot sign a token", e);
    }
    return token.serialize();
  }
}
