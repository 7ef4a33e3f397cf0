package dev.dialogue.jwt;

import static java.util.Objects.requireNonNull;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.SignedJWT;
import dev.dialogue.AuthResult;
import dev.dialogue.Authenticator;
import dev.dialogue.Handshake;
import java.nio.charset.StandardCharsets;
import java.security.interfaces.RSAPublicKey;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An {@link Authenticator} that accepts a signed JSON Web Token: HS256 with a shared secret, or
 * RS256 with an RSA public key. Signature checking is done by Nimbus JOSE + JWT.
 *
 * <pre>{@code
 * Dialogue.builder()
 *     .authenticator(JwtAuthenticator.hs256(secret).issuer("https://login.example.com").build())
 *     ...
 * }</pre>
 *
 * <p>The token is read from {@code auth.token} of the Socket.IO handshake, or, when that is absent,
 * from an {@code Authorization: Bearer <token>} header of the handshake request. A token is
 * accepted when:
 *
 * <ul>
 *   <li>it is a JWS whose {@code alg} is exactly the configured algorithm (so {@code none} and
 *       algorithm confusion, such as an HS256 token signed with an RSA public key, are refused) and
 *       its signature verifies;
 *   <li>{@code exp} is present (unless {@link Builder#requireExpiry(boolean) requireExpiry(false)})
 *       and in the future, and {@code nbf}, if present, is in the past, both within the {@linkplain
 *       Builder#clockSkew clock skew} and measured with the {@linkplain Builder#clock configured
 *       clock};
 *   <li>{@code iss} and {@code aud} match when {@linkplain Builder#issuer an issuer} or {@linkplain
 *       Builder#audience an audience} is required;
 *   <li>{@code sub} is a non-blank string: it becomes the connection's user id.
 * </ul>
 *
 * <p>Every claim of an accepted token becomes a {@linkplain dev.dialogue.ClientConnection#claims()
 * claim} of the connection, as JSON types: strings, numbers ({@link Long} or {@link Double}),
 * booleans, lists and maps; dates ({@code exp}, {@code nbf}, {@code iat}) as epoch seconds; a
 * single audience as a string. Rejections carry short reasons the client sees in its {@code
 * connect_error}: {@code "Missing token"}, {@code "Invalid token"}, {@code "Unsupported token
 * algorithm"}, {@code "Token expired"}, {@code "Token not yet valid"}, {@code "Token has no
 * expiry"}, {@code "Token has no subject"}, {@code "Invalid token issuer"}, {@code "Invalid token
 * audience"}.
 *
 * <p>Immutable and thread-safe. Like every authenticator it is called on the server's hook
 * executor, never on a network thread; it does no I/O.
 */
public final class JwtAuthenticator implements Authenticator {
  /** HS256 needs a key of at least the hash size (RFC 7518, section 3.2). */
  public static final int MIN_SECRET_BYTES = 32;

  /** RSA keys shorter than this are refused (RFC 7518, section 3.3). */
  public static final int MIN_RSA_BITS = 2048;

  /** Longer tokens are refused before parsing. */
  static final int MAX_TOKEN_CHARS = 16 * 1024;

  private static final String BEARER = "bearer ";

  private final JWSAlgorithm algorithm;
  private final JWSVerifier verifier;
  private final String issuer;
  private final String audience;
  private final boolean requireExpiry;
  private final Duration clockSkew;
  private final Clock clock;

  private JwtAuthenticator(Builder b) {
    this.algorithm = b.algorithm;
    this.verifier = b.verifier;
    this.issuer = b.issuer;
    this.audience = b.audience;
    this.requireExpiry = b.requireExpiry;
    this.clockSkew = b.clockSkew;
    this.clock = b.clock;
  }

  /**
   * Verifies HS256 tokens with a shared secret of at least {@value #MIN_SECRET_BYTES} bytes. The
   * array is copied.
   *
   * @throws IllegalArgumentException if the secret is shorter
   */
  public static Builder hs256(byte[] secret) {
    requireNonNull(secret, "secret == null");
    if (secret.length < MIN_SECRET_BYTES) {
      throw new IllegalArgumentException(
          "HS256 secret must be at least " + MIN_SECRET_BYTES + " bytes but was " + secret.length);
    }
    byte[] copy = Arrays.copyOf(secret, secret.length);
    try {
      return new Builder(JWSAlgorithm.HS256, new MACVerifier(copy));
    } catch (JOSEException e) {
      throw new IllegalArgumentException("unusable HS256 secret: " + e.getMessage(), e);
    }
  }

  /** Verifies HS256 tokens with the UTF-8 bytes of {@code secret}; see {@link #hs256(byte[])}. */
  public static Builder hs256(String secret) {
    requireNonNull(secret, "secret == null");
    return hs256(secret.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Verifies RS256 tokens with an RSA public key of at least {@value #MIN_RSA_BITS} bits.
   *
   * @throws IllegalArgumentException if the key is shorter
   */
  public static Builder rs256(RSAPublicKey publicKey) {
    requireNonNull(publicKey, "publicKey == null");
    int bits = publicKey.getModulus().bitLength();
    if (bits < MIN_RSA_BITS) {
      throw new IllegalArgumentException(
          "RS256 key must be at least " + MIN_RSA_BITS + " bits but was " + bits);
    }
    return new Builder(JWSAlgorithm.RS256, new RSASSAVerifier(publicKey));
  }

  @Override
  public AuthResult authenticate(Handshake handshake) {
    String token = token(handshake);
    if (token == null) {
      return AuthResult.reject("Missing token");
    }
    if (token.length() > MAX_TOKEN_CHARS) {
      return AuthResult.reject("Invalid token");
    }
    JWTClaimsSet claims;
    try {
      JWT jwt = JWTParser.parse(token);
      if (!(jwt instanceof SignedJWT signed)) {
        // A PlainJWT (alg "none") or an encrypted JWT: neither is signed by our key.
        return AuthResult.reject("Unsupported token algorithm");
      }
      if (!algorithm.equals(signed.getHeader().getAlgorithm())) {
        return AuthResult.reject("Unsupported token algorithm");
      }
      if (!signed.verify(verifier)) {
        return AuthResult.reject("Invalid token");
      }
      Object subject = signed.getPayload().toJSONObject().get("sub");
      if (subject != null && !(subject instanceof String)) {
        // RFC 7519 4.1.2: a StringOrURI. A number would otherwise become the user id "42".
        return AuthResult.reject("Token subject must be a string");
      }
      claims = signed.getJWTClaimsSet();
    } catch (ParseException | JOSEException | IllegalStateException e) {
      return AuthResult.reject("Invalid token");
    }
    try {
      return check(claims);
    } catch (ParseException e) {
      // A registered claim of the wrong type, such as a string "exp".
      return AuthResult.reject("Invalid token");
    }
  }

  private AuthResult check(JWTClaimsSet claims) throws ParseException {
    Instant now = clock.instant();
    Date exp = claims.getDateClaim("exp");
    if (exp == null && requireExpiry) {
      return AuthResult.reject("Token has no expiry");
    }
    if (exp != null && !now.isBefore(exp.toInstant().plus(clockSkew))) {
      return AuthResult.reject("Token expired");
    }
    Date nbf = claims.getDateClaim("nbf");
    if (nbf != null && now.isBefore(nbf.toInstant().minus(clockSkew))) {
      return AuthResult.reject("Token not yet valid");
    }
    if (issuer != null && !issuer.equals(claims.getStringClaim("iss"))) {
      return AuthResult.reject("Invalid token issuer");
    }
    if (audience != null) {
      List<String> audiences = claims.getAudience();
      if (audiences == null || !audiences.contains(audience)) {
        return AuthResult.reject("Invalid token audience");
      }
    }
    String subject = claims.getStringClaim("sub");
    if (subject == null || subject.isBlank()) {
      return AuthResult.reject("Token has no subject");
    }
    return AuthResult.accept(subject, jsonValues(claims.toJSONObject()));
  }

  /** {@code auth.token}, else the bearer token of the handshake's Authorization header. */
  private static String token(Handshake handshake) {
    Object fromAuth = handshake.auth().get("token");
    if (fromAuth instanceof String s && !s.isBlank()) {
      return s.strip();
    }
    String header = handshake.header("authorization");
    if (header != null
        && header.length() > BEARER.length()
        && header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      String bearer = header.substring(BEARER.length()).strip();
      return bearer.isEmpty() ? null : bearer;
    }
    return null;
  }

  /** Deep, unmodifiable copy with JSON types only. */
  private static Map<String, Object> jsonValues(Map<String, Object> json) {
    Map<String, Object> copy = new LinkedHashMap<>();
    json.forEach((k, v) -> copy.put(k, jsonValue(v)));
    return Collections.unmodifiableMap(copy);
  }

  private static Object jsonValue(Object value) {
    if (value instanceof Map<?, ?> map) {
      Map<String, Object> copy = new LinkedHashMap<>();
      map.forEach((k, v) -> copy.put(String.valueOf(k), jsonValue(v)));
      return Collections.unmodifiableMap(copy);
    }
    if (value instanceof List<?> list) {
      List<Object> copy = new ArrayList<>(list.size());
      list.forEach(v -> copy.add(jsonValue(v)));
      return Collections.unmodifiableList(copy);
    }
    if (value instanceof Date date) {
      return date.getTime() / 1000;
    }
    return value;
  }

  @Override
  public String toString() {
    return "JwtAuthenticator{"
        + algorithm
        + (issuer == null ? "" : ", iss=" + issuer)
        + (audience == null ? "" : ", aud=" + audience)
        + "}";
  }

  /** Configures a {@link JwtAuthenticator}; each setter checks its argument at once. */
  public static final class Builder {
    private final JWSAlgorithm algorithm;
    private final JWSVerifier verifier;
    private String issuer;
    private String audience;
    private boolean requireExpiry = true;
    private Duration clockSkew = Duration.ofSeconds(60);
    private Clock clock = Clock.systemUTC();

    private Builder(JWSAlgorithm algorithm, JWSVerifier verifier) {
      this.algorithm = algorithm;
      this.verifier = verifier;
    }

    /** Accepts only tokens whose {@code iss} equals {@code issuer}. */
    public Builder issuer(String issuer) {
      requireNonNull(issuer, "issuer == null");
      if (issuer.isBlank()) {
        throw new IllegalArgumentException("issuer is blank");
      }
      this.issuer = issuer;
      return this;
    }

    /** Accepts only tokens whose {@code aud} is or contains {@code audience}. */
    public Builder audience(String audience) {
      requireNonNull(audience, "audience == null");
      if (audience.isBlank()) {
        throw new IllegalArgumentException("audience is blank");
      }
      this.audience = audience;
      return this;
    }

    /**
     * Whether a token without {@code exp} is refused (default {@code true}). Tokens that never
     * expire cannot be revoked; allow them only when something else limits their life.
     */
    public Builder requireExpiry(boolean required) {
      this.requireExpiry = required;
      return this;
    }

    /** How far {@code exp} and {@code nbf} may be off the server's clock (default 60 s). */
    public Builder clockSkew(Duration skew) {
      requireNonNull(skew, "clockSkew == null");
      if (skew.isNegative() || skew.compareTo(Duration.ofMinutes(10)) > 0) {
        throw new IllegalArgumentException("clockSkew must be in 0..10 minutes but was " + skew);
      }
      this.clockSkew = skew;
      return this;
    }

    /** The clock {@code exp} and {@code nbf} are checked against (default the system UTC clock). */
    public Builder clock(Clock clock) {
      this.clock = requireNonNull(clock, "clock == null");
      return this;
    }

    public JwtAuthenticator build() {
      return new JwtAuthenticator(this);
    }
  }
}
