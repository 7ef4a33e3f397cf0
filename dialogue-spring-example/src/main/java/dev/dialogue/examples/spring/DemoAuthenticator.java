package dev.dialogue.examples.spring;

import dev.dialogue.AuthResult;
import dev.dialogue.Authenticator;
import dev.dialogue.Handshake;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Map;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * The example's sign-in: {@code auth.userId} and {@code auth.password}, one password shared by
 * every user ({@code example.password}), the users named in {@code example.admins} get the claim
 * {@code admin}. It shows where an application's own authenticator goes; a real one would check a
 * session or a token (or leave it to {@code dialogue.auth.jwt.secret}).
 *
 * <p>Without this bean the starter would refuse every connection.
 */
@Component
public class DemoAuthenticator implements Authenticator {
  private final byte[] password;
  private final List<String> admins;

  /** Reads the shared password and the admins from the application's properties. */
  public DemoAuthenticator(
      @Value("${example.password}") String password,
      @Value("${example.admins}") List<String> admins) {
    this.password = password.getBytes(StandardCharsets.UTF_8);
    this.admins = List.copyOf(admins);
  }

  @Override
  public AuthResult authenticate(Handshake handshake) {
    String userId = handshake.authString("userId");
    String given = handshake.authString("password");
    if (userId == null || userId.isBlank() || given == null) {
      return AuthResult.reject("Send auth.userId and auth.password");
    }
    if (!MessageDigest.isEqual(password, given.getBytes(StandardCharsets.UTF_8))) {
      return AuthResult.reject("Wrong password");
    }
    return AuthResult.accept(userId, Map.of("admin", admins.contains(userId)));
  }
}
