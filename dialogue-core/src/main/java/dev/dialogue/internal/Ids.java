package dev.dialogue.internal;

import java.security.SecureRandom;
import java.util.Base64;

/** Unguessable identifiers: connection ids, message ids, epochs, anonymous user ids. */
public final class Ids {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();

  private Ids() {}

  /** 128 random bits, 22 URL-safe characters. */
  public static String random() {
    byte[] bytes = new byte[16];
    RANDOM.nextBytes(bytes);
    return ENCODER.encodeToString(bytes);
  }

  static String anonymousUser() {
    return "anon-" + random();
  }
}
