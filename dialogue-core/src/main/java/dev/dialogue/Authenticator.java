package dev.dialogue;

/**
 * Decides who a connecting client is. Runs once per connection, after the transport handshake and
 * before the connection can see or do anything.
 *
 * <p>Called on a hook-executor thread, never on a network thread, so it may block (look a token up,
 * call an identity service). A connection that sent no {@code auth} is still passed here, with an
 * empty {@link Handshake#auth()}. A thrown exception rejects the connection with the reason {@code
 * "Authentication failed"} and is logged.
 *
 * @see "dev.dialogue.jwt.JwtAuthenticator (artifact dialogue-jwt)"
 */
@FunctionalInterface
public interface Authenticator {
  AuthResult authenticate(Handshake handshake) throws Exception;
}
