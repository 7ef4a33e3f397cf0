package dev.dialogue.spring;

import dev.dialogue.AuthResult;
import dev.dialogue.Authenticator;
import dev.dialogue.Handshake;

/**
 * The starter's authenticator when the application configured none: refuses every connection.
 * Unlike the library without an authenticator (and the netty-socketio starters), a Spring Boot
 * application is not open to anyone who sends a user id because a bean was forgotten.
 */
final class RefusingAuthenticator implements Authenticator {
  static final String REASON = "Authentication required";

  @Override
  public AuthResult authenticate(Handshake handshake) {
    return AuthResult.reject(REASON);
  }

  @Override
  public String toString() {
    return "RefusingAuthenticator";
  }
}
