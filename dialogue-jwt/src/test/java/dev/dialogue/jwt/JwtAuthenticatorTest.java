package dev.dialogue.jwt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import dev.dialogue.AuthResult;
import dev.dialogue.Dialogue;
import dev.dialogue.Handshake;
import dev.dialogue.RoomConfig;
import dev.dialogue.client.DialogueClient;
import dev.dialogue.client.DialogueClientException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class JwtAuthenticatorTest {
  private static final String SECRET = "0123456789abcdef0123456789abcdef-test-secret";
  private static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");
  private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
  private static final KeyPair RSA = rsaKeyPair(2048);

  private final JwtAuthenticator hs256 = JwtAuthenticator.hs256(SECRET).clock(CLOCK).build();

  // --- accepted tokens ---

  @Test
  void hs256_validToken_acceptsWithSubAsUserIdAndEveryClaimAsJson() {
    JWTClaimsSet claims =
        valid()
            .claim("role", "admin")
            .claim("level", 7)
            .claim("ratio", 0.5)
            .claim("beta", true)
            .claim("groups", List.of("a", "b"))
            .claim("profile", Map.of("name", "Alice"))
            .audience("dialogue")
            .issueTime(Date.from(NOW.minusSeconds(10)))
            .build();

    AuthResult result = hs256.authenticate(handshake(hs256Token(claims, SECRET)));

    assertThat(result.accepted()).as(String.valueOf(result)).isTrue();
    assertThat(result.userId()).isEqualTo("alice");
    assertThat(result.claims())
        .containsEntry("sub", "alice")
        .containsEntry("role", "admin")
        .containsEntry("level", 7L)
        .containsEntry("ratio", 0.5)
        .containsEntry("beta", true)
        .containsEntry("groups", List.of("a", "b"))
        .containsEntry("profile", Map.of("name", "Alice"))
        .containsEntry("aud", "dialogue")
        .containsEntry("exp", NOW.plusSeconds(3600).getEpochSecond())
        .containsEntry("iat", NOW.minusSeconds(10).getEpochSecond());
  }

  @Test
  void rs256_validToken_accepts() {
    JwtAuthenticator rs256 =
        JwtAuthenticator.rs256((RSAPublicKey) RSA.getPublic()).clock(CLOCK).build();

    AuthResult result = rs256.authenticate(handshake(rs256Token(valid().build())));

    assertThat(result.accepted()).as(String.valueOf(result)).isTrue();
    assertThat(result.userId()).isEqualTo("alice");
  }

  @Test
  void bearerHeader_isUsedWhenAuthHasNoToken() {
    String token = hs256Token(valid().build(), SECRET);
    Handshake handshake =
        new Handshake(
            Map.of(),
            Map.of("authorization", List.of("Bearer " + token)),
            new InetSocketAddress("127.0.0.1", 1));

    assertThat(hs256.authenticate(handshake).userId()).isEqualTo("alice");
  }

  @Test
  void authToken_winsOverBearerHeader() {
    String good = hs256Token(valid().build(), SECRET);
    Handshake handshake =
        new Handshake(
            Map.of("token", good),
            Map.of("authorization", List.of("Bearer nonsense")),
            new InetSocketAddress("127.0.0.1", 1));

    assertThat(hs256.authenticate(handshake).accepted()).isTrue();
  }

  // --- time ---

  @Test
  void expiredToken_isRejected() {
    JWTClaimsSet claims = valid().expirationTime(Date.from(NOW.minusSeconds(61))).build();

    assertThat(hs256.authenticate(handshake(hs256Token(claims, SECRET))).reason())
        .isEqualTo("Token expired");
  }

  @Test
  void expiredWithinClockSkew_isAccepted_andSkewIsConfigurable() {
    JWTClaimsSet claims = valid().expirationTime(Date.from(NOW.minusSeconds(30))).build();
    String token = hs256Token(claims, SECRET);

    assertThat(hs256.authenticate(handshake(token)).accepted()).isTrue();
    JwtAuthenticator strict =
        JwtAuthenticator.hs256(SECRET).clock(CLOCK).clockSkew(Duration.ZERO).build();
    assertThat(strict.authenticate(handshake(token)).reason()).isEqualTo("Token expired");
  }

  @Test
  void tokenExpiringExactlyNow_isRejectedWithoutSkew() {
    JWTClaimsSet claims = valid().expirationTime(Date.from(NOW)).build();
    JwtAuthenticator strict =
        JwtAuthenticator.hs256(SECRET).clock(CLOCK).clockSkew(Duration.ZERO).build();

    assertThat(strict.authenticate(handshake(hs256Token(claims, SECRET))).reason())
        .isEqualTo("Token expired");
  }

  @Test
  void notYetValidToken_isRejected_butAcceptedWithinSkew() {
    JWTClaimsSet future = valid().notBeforeTime(Date.from(NOW.plusSeconds(120))).build();
    JWTClaimsSet nearFuture = valid().notBeforeTime(Date.from(NOW.plusSeconds(30))).build();

    assertThat(hs256.authenticate(handshake(hs256Token(future, SECRET))).reason())
        .isEqualTo("Token not yet valid");
    assertThat(hs256.authenticate(handshake(hs256Token(nearFuture, SECRET))).accepted()).isTrue();
  }

  @Test
  void clock_isTheInjectedOne() {
    JWTClaimsSet claims = valid().build(); // expires NOW + 1 h
    String token = hs256Token(claims, SECRET);
    JwtAuthenticator later =
        JwtAuthenticator.hs256(SECRET)
            .clock(Clock.fixed(NOW.plus(Duration.ofHours(2)), ZoneOffset.UTC))
            .build();

    assertThat(later.authenticate(handshake(token)).reason()).isEqualTo("Token expired");
  }

  @Test
  void tokenWithoutExpiry_isRejectedByDefault_andAcceptedWhenNotRequired() {
    JWTClaimsSet claims = new JWTClaimsSet.Builder().subject("alice").build();
    String token = hs256Token(claims, SECRET);

    assertThat(hs256.authenticate(handshake(token)).reason()).isEqualTo("Token has no expiry");
    JwtAuthenticator lenient =
        JwtAuthenticator.hs256(SECRET).clock(CLOCK).requireExpiry(false).build();
    assertThat(lenient.authenticate(handshake(token)).userId()).isEqualTo("alice");
  }

  // --- signature and algorithm ---

  @Test
  void wrongSignature_isRejected() {
    String token = hs256Token(valid().build(), "another-secret-that-is-long-enough-32b");

    assertThat(hs256.authenticate(handshake(token)).reason()).isEqualTo("Invalid token");
  }

  @Test
  void tamperedPayload_isRejected() {
    String[] parts = hs256Token(valid().build(), SECRET).split("\\.");
    String forged = b64(valid().subject("admin").build().toString());

    AuthResult result = hs256.authenticate(handshake(parts[0] + "." + forged + "." + parts[2]));

    assertThat(result.reason()).isEqualTo("Invalid token");
  }

  @Test
  void otherHmacAlgorithm_isRejected() throws Exception {
    String longSecret = SECRET + SECRET;
    SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS512), valid().build());
    jwt.sign(new MACSigner(longSecret.getBytes(StandardCharsets.UTF_8)));
    JwtAuthenticator auth = JwtAuthenticator.hs256(longSecret).clock(CLOCK).build();

    assertThat(auth.authenticate(handshake(jwt.serialize())).reason())
        .isEqualTo("Unsupported token algorithm");
  }

  @Test
  void rs256Token_isRejectedByHs256Authenticator() {
    assertThat(hs256.authenticate(handshake(rs256Token(valid().build()))).reason())
        .isEqualTo("Unsupported token algorithm");
  }

  @Test
  void algorithmConfusion_hs256SignedWithThePublicKey_isRejectedByRs256Authenticator() {
    byte[] publicKeyBytes = RSA.getPublic().getEncoded();
    String token = hs256Token(valid().build(), publicKeyBytes);
    JwtAuthenticator rs256 =
        JwtAuthenticator.rs256((RSAPublicKey) RSA.getPublic()).clock(CLOCK).build();

    assertThat(rs256.authenticate(handshake(token)).reason())
        .isEqualTo("Unsupported token algorithm");
  }

  @Test
  void unsignedToken_algNone_isRejected() {
    String plain = new PlainJWT(valid().build()).serialize();
    String[] signedParts = hs256Token(valid().build(), SECRET).split("\\.");
    String noneWithSignature =
        b64("{\"alg\":\"none\"}") + "." + signedParts[1] + "." + signedParts[2];
    String noneWithEmptySignature = b64("{\"alg\":\"none\"}") + "." + signedParts[1] + ".";

    assertThat(hs256.authenticate(handshake(plain)).reason())
        .isEqualTo("Unsupported token algorithm");
    assertThat(hs256.authenticate(handshake(noneWithEmptySignature)).reason())
        .isEqualTo("Unsupported token algorithm");
    assertThat(hs256.authenticate(handshake(noneWithSignature)).accepted()).isFalse();
  }

  @Test
  void hs256HeaderWithEmptySignature_isRejected() {
    String[] parts = hs256Token(valid().build(), SECRET).split("\\.");

    assertThat(hs256.authenticate(handshake(parts[0] + "." + parts[1] + ".")).reason())
        .isEqualTo("Invalid token");
  }

  @Test
  void garbageAndOversizedTokens_areRejectedAsInvalid() {
    assertThat(hs256.authenticate(handshake("not-a-jwt")).reason()).isEqualTo("Invalid token");
    assertThat(hs256.authenticate(handshake("a.b.c")).reason()).isEqualTo("Invalid token");
    assertThat(
            hs256
                .authenticate(handshake("x".repeat(JwtAuthenticator.MAX_TOKEN_CHARS + 1)))
                .reason())
        .isEqualTo("Invalid token");
  }

  // --- claims ---

  @Test
  void tokenWithoutSubject_isRejected() {
    JWTClaimsSet noSub =
        new JWTClaimsSet.Builder().expirationTime(Date.from(NOW.plusSeconds(60))).build();
    JWTClaimsSet blankSub = valid().subject("  ").build();

    assertThat(hs256.authenticate(handshake(hs256Token(noSub, SECRET))).reason())
        .isEqualTo("Token has no subject");
    assertThat(hs256.authenticate(handshake(hs256Token(blankSub, SECRET))).reason())
        .isEqualTo("Token has no subject");
  }

  @Test
  void aSubjectThatIsNotAString_isRejected() {
    JWTClaimsSet numeric =
        new JWTClaimsSet.Builder()
            .claim("sub", 42)
            .expirationTime(Date.from(NOW.plusSeconds(60)))
            .build();
    JWTClaimsSet object =
        new JWTClaimsSet.Builder()
            .claim("sub", Map.of("id", "alice"))
            .expirationTime(Date.from(NOW.plusSeconds(60)))
            .build();
    assertThat(hs256.authenticate(handshake(hs256Token(numeric, SECRET))).reason())
        .isEqualTo("Token subject must be a string");
    assertThat(hs256.authenticate(handshake(hs256Token(object, SECRET))).reason())
        .isEqualTo("Token subject must be a string");
  }

  @Test
  void missingToken_isRejected() {
    Map<String, Object> numericToken = new HashMap<>();
    numericToken.put("token", 42);

    assertThat(hs256.authenticate(handshake((String) null)).reason()).isEqualTo("Missing token");
    assertThat(hs256.authenticate(handshake("  ")).reason()).isEqualTo("Missing token");
    assertThat(hs256.authenticate(new Handshake(numericToken, Map.of(), null)).reason())
        .isEqualTo("Missing token");
    assertThat(
            hs256
                .authenticate(
                    new Handshake(Map.of(), Map.of("authorization", List.of("Basic abc")), null))
                .reason())
        .isEqualTo("Missing token");
  }

  @Test
  void requiredIssuer_mustMatch() {
    JwtAuthenticator auth =
        JwtAuthenticator.hs256(SECRET).clock(CLOCK).issuer("https://login.example").build();

    assertThat(
            auth.authenticate(
                    handshake(hs256Token(valid().issuer("https://login.example").build(), SECRET)))
                .accepted())
        .isTrue();
    assertThat(
            auth.authenticate(
                    handshake(hs256Token(valid().issuer("https://evil.example").build(), SECRET)))
                .reason())
        .isEqualTo("Invalid token issuer");
    assertThat(auth.authenticate(handshake(hs256Token(valid().build(), SECRET))).reason())
        .isEqualTo("Invalid token issuer");
  }

  @Test
  void requiredAudience_mustBeOrBeAmongTheTokensAudiences() {
    JwtAuthenticator auth =
        JwtAuthenticator.hs256(SECRET).clock(CLOCK).audience("dialogue").build();

    assertThat(
            auth.authenticate(handshake(hs256Token(valid().audience("dialogue").build(), SECRET)))
                .accepted())
        .isTrue();
    assertThat(
            auth.authenticate(
                    handshake(
                        hs256Token(valid().audience(List.of("other", "dialogue")).build(), SECRET)))
                .accepted())
        .isTrue();
    assertThat(
            auth.authenticate(handshake(hs256Token(valid().audience("other").build(), SECRET)))
                .reason())
        .isEqualTo("Invalid token audience");
    assertThat(auth.authenticate(handshake(hs256Token(valid().build(), SECRET))).reason())
        .isEqualTo("Invalid token audience");
  }

  // --- configuration ---

  @Test
  void shortSecret_isRefusedAtConstruction() {
    assertThatThrownBy(() -> JwtAuthenticator.hs256("too-short"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("HS256 secret must be at least 32 bytes but was 9");
  }

  @Test
  void shortRsaKey_isRefusedAtConstruction() {
    RSAPublicKey small = (RSAPublicKey) rsaKeyPair(1024).getPublic();

    assertThatThrownBy(() -> JwtAuthenticator.rs256(small))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("RS256 key must be at least 2048 bits but was 1024");
  }

  @Test
  void builderSetters_checkTheirInputAtOnce() {
    JwtAuthenticator.Builder builder = JwtAuthenticator.hs256(SECRET);

    assertThatThrownBy(() -> builder.clockSkew(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("clockSkew");
    assertThatThrownBy(() -> builder.issuer(" ")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> builder.audience(null)).isInstanceOf(NullPointerException.class);
  }

  // --- end to end ---

  @Test
  void endToEnd_acceptedTokenConnectsAsSub_badTokenGetsConnectErrorWithReason() throws Exception {
    JwtAuthenticator auth = JwtAuthenticator.hs256(SECRET).build();
    Instant now = Instant.now();
    JWTClaimsSet claims =
        new JWTClaimsSet.Builder()
            .subject("alice")
            .claim("role", "admin")
            .expirationTime(Date.from(now.plusSeconds(600)))
            .build();
    try (Dialogue server = server(auth);
        DialogueClient alice = client(server, Map.of("token", hs256Token(claims, SECRET)));
        DialogueClient mallory =
            client(
                server,
                Map.of("token", hs256Token(claims, "wrong-secret-wrong-secret-wrong-secret")));
        DialogueClient nobody = client(server, Map.of())) {
      alice.connect().get(10, TimeUnit.SECONDS);
      assertThat(alice.clientId()).isNotNull();
      assertThat(server.clients("alice"))
          .singleElement()
          .satisfies(c -> assertThat(c.claims()).containsEntry("role", "admin"));
      assertThat(alice.join("chat").get(10, TimeUnit.SECONDS).id()).isEqualTo("chat");

      assertThat(refusal(mallory)).isEqualTo("Invalid token");
      assertThat(refusal(nobody)).isEqualTo("Missing token");
      assertThat(server.clients("alice")).hasSize(1);
    }
  }

  @Test
  void endToEnd_connectedEventCarriesUserIdFromSub() throws Exception {
    JWTClaimsSet claims =
        new JWTClaimsSet.Builder()
            .subject("bob")
            .expirationTime(Date.from(Instant.now().plusSeconds(600)))
            .build();
    try (Dialogue server = server(JwtAuthenticator.hs256(SECRET).build());
        DialogueClient bob =
            client(server, Map.of("token", hs256Token(claims, SECRET), "userId", "mallory"))) {
      bob.connect().get(10, TimeUnit.SECONDS);
      assertThat(bob.userId()).isEqualTo("bob");
    }
  }

  private static Dialogue server(JwtAuthenticator auth) {
    return Dialogue.builder()
        .host("127.0.0.1")
        .port(0)
        .authenticator(auth)
        .room(RoomConfig.builder("chat", "Chat").anyEvent().build())
        .build()
        .start();
  }

  private static DialogueClient client(Dialogue server, Map<String, String> auth) {
    return DialogueClient.builder("http://127.0.0.1:" + server.port()).auth(auth).build();
  }

  /** The reason the server gave for refusing the client's connection. */
  private static String refusal(DialogueClient client) throws Exception {
    try {
      client.connect().get(10, TimeUnit.SECONDS);
      throw new AssertionError("connected, expected a refusal");
    } catch (ExecutionException e) {
      assertThat(e.getCause()).isInstanceOf(DialogueClientException.class);
      DialogueClientException refused = (DialogueClientException) e.getCause();
      assertThat(refused.code()).isEqualTo("CONNECT_REFUSED");
      return refused.getMessage();
    }
  }

  // --- helpers ---

  private static JWTClaimsSet.Builder valid() {
    return new JWTClaimsSet.Builder()
        .subject("alice")
        .expirationTime(Date.from(NOW.plusSeconds(3600)));
  }

  private static Handshake handshake(String token) {
    Map<String, Object> auth = new HashMap<>();
    if (token != null) {
      auth.put("token", token);
    }
    return new Handshake(auth, Map.of(), new InetSocketAddress("127.0.0.1", 1));
  }

  private static String hs256Token(JWTClaimsSet claims, String secret) {
    return hs256Token(claims, secret.getBytes(StandardCharsets.UTF_8));
  }

  private static String hs256Token(JWTClaimsSet claims, byte[] secret) {
    try {
      return sign(new MACSigner(secret), JWSAlgorithm.HS256, claims);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static String rs256Token(JWTClaimsSet claims) {
    return sign(new RSASSASigner(RSA.getPrivate()), JWSAlgorithm.RS256, claims);
  }

  private static String sign(JWSSigner signer, JWSAlgorithm alg, JWTClaimsSet claims) {
    try {
      SignedJWT jwt =
          new SignedJWT(new JWSHeader.Builder(alg).type(JOSEObjectType.JWT).build(), claims);
      jwt.sign(signer);
      return jwt.serialize();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static String b64(String json) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(json.getBytes(StandardCharsets.UTF_8));
  }

  private static KeyPair rsaKeyPair(int bits) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(bits);
      return generator.generateKeyPair();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
