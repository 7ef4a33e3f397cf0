/**
 * Spring Boot auto-configuration for Dialogue: add the {@code dialogue-spring-boot-starter}
 * artifact, declare rooms, events and hooks as beans, and the application context starts a server
 * on {@code dialogue.port}.
 *
 * <pre>{@code
 * @SpringBootApplication
 * class ChatApplication {
 *   static final EventDefinition<Message> MESSAGE =
 *       EventDefinition.builder("message", Message.class).history(100).build();
 *
 *   @Bean
 *   RoomConfig chat() {
 *     return RoomConfig.builder("chat", "Chat").events(MESSAGE).defaultSubscriptions("message").build();
 *   }
 *
 *   @Bean
 *   Authenticator authenticator(Sessions sessions) {
 *     return handshake -> sessions.userFor(handshake.authString("token"))
 *         .map(AuthResult::accept)
 *         .orElseGet(() -> AuthResult.reject("Unknown session"));
 *   }
 * }
 * }</pre>
 *
 * <p>Entry points: {@link dev.dialogue.spring.DialogueAutoConfiguration} (what is configured and
 * when), {@link dev.dialogue.spring.DialogueProperties} (the {@code dialogue.*} properties), {@link
 * dev.dialogue.spring.DialogueBuilderCustomizer} (anything else) and {@link
 * dev.dialogue.spring.DialogueCommand} (global commands as beans). See docs/spring-boot.md.
 */
package dev.dialogue.spring;
