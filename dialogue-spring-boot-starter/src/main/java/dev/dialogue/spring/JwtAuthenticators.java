package dev.dialogue.spring;

import dev.dialogue.Authenticator;
import dev.dialogue.jwt.JwtAuthenticator;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import org.springframework.core.io.Resource;

/**
 * Builds dialogue-jwt's authenticator from {@code dialogue.auth.jwt.*}. Its own class so that the
 * auto-configuration loads dialogue-jwt's types only when JWT is configured: the artifact is
 * optional.
 */
final class JwtAuthenticators {
  private static final String JWT_CLASS = "dev.dialogue.jwt.JwtAuthenticator";

  private JwtAuthenticators() {}

  static Authenticator create(DialogueProperties.Jwt jwt, ClassLoader loader) {
    if (!org.springframework.util.ClassUtils.isPresent(JWT_CLASS, loader)) {
      throw new IllegalStateException(
          "dialogue.auth.jwt.secret or dialogue.auth.jwt.public-key is set, but "
              + JWT_CLASS
              + " is not on the classpath: add the artifact dev.dialogue:dialogue-jwt");
    }
    boolean hasSecret = jwt.getSecret() != null && !jwt.getSecret().isEmpty();
    if (hasSecret && jwt.getPublicKey() != null) {
      throw new IllegalStateException(
          "set dialogue.auth.jwt.secret (HS256) or dialogue.auth.jwt.public-key (RS256), not both");
    }
    JwtAuthenticator.Builder builder =
        hasSecret
            ? JwtAuthenticator.hs256(jwt.getSecret())
            : JwtAuthenticator.rs256(rsaPublicKey(jwt.getPublicKey()));
    if (jwt.getIssuer() != null) {
      builder.issuer(jwt.getIssuer());
    }
    if (jwt.getAudience() != null) {
      builder.audience(jwt.getAudience());
    }
    if (jwt.getRequireExpiry() != null) {
      builder.requireExpiry(jwt.getRequireExpiry());
    }
    if (jwt.getClockSkew() != null) {
      builder.clockSkew(jwt.getClockSkew());
    }
    return builder.build();
  }

  /** Reads a PEM "PUBLIC KEY" (X.509 SubjectPublicKeyInfo) holding an RSA key. */
  static RSAPublicKey rsaPublicKey(Resource pem) {
    String text;
    try (InputStream in = pem.getInputStream()) {
      text = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read dialogue.auth.jwt.public-key " + pem, e);
    }
    int begin = text.indexOf("-----BEGIN PUBLIC KEY-----");
    int end = text.indexOf("-----END PUBLIC KEY-----");
    if (begin < 0 || end < begin) {
      throw new IllegalStateException(
          "dialogue.auth.jwt.public-key " + pem + " holds no PEM \"PUBLIC KEY\" block");
    }
    String base64 =
        text.substring(begin + "-----BEGIN PUBLIC KEY-----".length(), end).replaceAll("\\s", "");
    try {
      byte[] der = Base64.getDecoder().decode(base64);
      return (RSAPublicKey)
          KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(der));
    } catch (IllegalArgumentException | GeneralSecurityException | ClassCastException e) {
      throw new IllegalStateException(
          "dialogue.auth.jwt.public-key " + pem + " is not an RSA public key: " + e.getMessage(),
          e);
    }
  }
}
