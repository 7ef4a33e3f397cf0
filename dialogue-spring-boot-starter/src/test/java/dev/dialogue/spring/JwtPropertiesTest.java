package dev.dialogue.spring;

import static dev.dialogue.spring.Clients.client;
import static dev.dialogue.spring.Clients.refusal;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.dialogue.Authenticator;
import dev.dialogue.client.DialogueClient;
import dev.dialogue.jwt.JwtAuthenticator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** {@code dialogue.auth.jwt.public-key}: RS256 tokens verified with a key from a PEM file. */
@Timeout(60)
class JwtPropertiesTest {
  private static KeyPair keys;
  @TempDir static Path dir;
  private static Path pem;

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(AutoConfigurations.of(DialogueAutoConfiguration.class))
          .withPropertyValues("dialogue.port=0", "dialogue.host=127.0.0.1");

  @BeforeAll
  static void writeKey() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    keys = generator.generateKeyPair();
    String body =
        Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(keys.getPublic().getEncoded());
    pem = dir.resolve("jwt.pem");
    Files.writeString(pem, "-----BEGIN PUBLIC KEY-----\n" + body + "\n-----END PUBLIC KEY-----\n");
  }

  @Test
  void publicKey_verifiesRs256Tokens_andRefusesConnectionsWithout() {
    runner
        .withPropertyValues(
            "dialogue.auth.jwt.public-key=file:" + pem, "dialogue.auth.jwt.issuer=tests")
        .run(
            context -> {
              assertThat(context.getBean(Authenticator.class)).isInstanceOf(JwtAuthenticator.class);
              try (DialogueClient alice =
                      client(context, Map.of("token", token("alice", "tests")));
                  DialogueClient other =
                      client(context, Map.of("token", token("eve", "elsewhere")));
                  DialogueClient nobody = client(context, Map.of("userId", "nobody"))) {
                alice.connect().get(10, SECONDS);
                assertThat(alice.userId()).isEqualTo("alice");
                assertThat(refusal(other)).isNotEmpty();
                assertThat(refusal(nobody)).isEqualTo("Missing token");
              }
            });
  }

  @Test
  void secretAndPublicKeyTogether_failTheStart() {
    runner
        .withPropertyValues(
            "dialogue.auth.jwt.public-key=file:" + pem,
            "dialogue.auth.jwt.secret=0123456789abcdef0123456789abcdef")
        .run(
            context ->
                assertThat(context)
                    .getFailure()
                    .rootCause()
                    .hasMessage(
                        "set dialogue.auth.jwt.secret (HS256) or dialogue.auth.jwt.public-key"
                            + " (RS256), not both"));
  }

  @Test
  void publicKeyFileWithoutPem_failsTheStart() throws Exception {
    Path notPem = dir.resolve("not.pem");
    Files.writeString(notPem, "hello");
    runner
        .withPropertyValues("dialogue.auth.jwt.public-key=file:" + notPem)
        .run(
            context ->
                assertThat(context)
                    .getFailure()
                    .rootCause()
                    .hasMessageContaining("holds no PEM \"PUBLIC KEY\" block"));
  }

  private static String token(String subject, String issuer) throws Exception {
    JWTClaimsSet claims =
        new JWTClaimsSet.Builder()
            .subject(subject)
            .issuer(issuer)
            .expirationTime(Date.from(Instant.now().plusSeconds(600)))
            .build();
    SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.RS256), claims);
    jwt.sign(new RSASSASigner(keys.getPrivate()));
    return jwt.serialize();
  }
}
