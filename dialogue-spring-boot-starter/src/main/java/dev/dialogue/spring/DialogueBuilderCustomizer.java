package dev.dialogue.spring;

import dev.dialogue.Dialogue;

/**
 * Sets, on the auto-configured {@link Dialogue.Builder}, what neither a {@code dialogue.*} property
 * nor a bean of a hook type covers: an executor, a clock, HTTP routes, client-room events, the
 * flush delays, ...
 *
 * <pre>{@code
 * @Bean
 * DialogueBuilderCustomizer signIn(SignInHandler handler) {
 *   return builder -> builder.http("/api/signin", handler);
 * }
 * }</pre>
 *
 * <p>Every customizer bean is applied, in {@link org.springframework.core.annotation.Order} order,
 * after the properties and the beans were set and before {@code build()}; so a customizer may
 * override them. Called once, on the thread that creates the {@code Dialogue} bean.
 */
@FunctionalInterface
public interface DialogueBuilderCustomizer {
  /** Adjusts {@code builder}; a setter's exception fails the application's start. */
  void customize(Dialogue.Builder builder);
}
