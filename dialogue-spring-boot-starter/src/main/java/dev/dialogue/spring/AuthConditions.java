package dev.dialogue.spring;

import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotatedTypeMetadata;

/** Which authenticator the auto-configuration provides, decided from {@code dialogue.auth.*}. */
final class AuthConditions {
  private AuthConditions() {}

  static boolean jwtConfigured(Environment env) {
    String secret = env.getProperty("dialogue.auth.jwt.secret");
    String key = env.getProperty("dialogue.auth.jwt.public-key");
    return (secret != null && !secret.isEmpty()) || (key != null && !key.isEmpty());
  }

  static boolean developmentMode(Environment env) {
    return env.getProperty("dialogue.auth.development-mode", Boolean.class, false);
  }

  /** A JWT secret or public key is set. */
  static final class JwtConfigured extends SpringBootCondition {
    @Override
    public ConditionOutcome getMatchOutcome(
        ConditionContext context, AnnotatedTypeMetadata metadata) {
      return jwtConfigured(context.getEnvironment())
          ? ConditionOutcome.match("dialogue.auth.jwt.secret or public-key is set")
          : ConditionOutcome.noMatch("neither dialogue.auth.jwt.secret nor public-key is set");
    }
  }

  /** Neither a JWT secret or key nor development mode: connections are to be refused. */
  static final class NothingConfigured extends SpringBootCondition {
    @Override
    public ConditionOutcome getMatchOutcome(
        ConditionContext context, AnnotatedTypeMetadata metadata) {
      Environment env = context.getEnvironment();
      if (jwtConfigured(env)) {
        return ConditionOutcome.noMatch("a JWT secret or public key is set");
      }
      if (developmentMode(env)) {
        return ConditionOutcome.noMatch("dialogue.auth.development-mode is true");
      }
      return ConditionOutcome.match("no JWT configured and development mode is off");
    }
  }
}
