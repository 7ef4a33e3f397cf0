/**
 * Dialogue for Java: realtime rooms and typed events behind a Socket.IO v4 endpoint, embedded in
 * the application's process and wire-compatible with the TypeScript library Dialogue.
 *
 * <pre>{@code
 * record Message(@NotBlank @Size(max = 2000) String text) {}
 *
 * EventDefinition<Message> message = EventDefinition.builder("message", Message.class).history(100).build();
 *
 * Dialogue dialogue = Dialogue.builder()
 *     .port(3000)
 *     .room(RoomConfig.builder("chat", "Chat").events(message).defaultSubscriptions("message").build())
 *     .joinPolicy((client, room) -> Decision.allow())
 *     .build()
 *     .start();
 *
 * dialogue.on("chat", message, (data, envelope) -> log.info("{} said {}", envelope.from(), data.text()));
 * dialogue.trigger("chat", message, new Message("Welcome!"));
 * }</pre>
 *
 * <p>Entry point: {@link dev.dialogue.Dialogue}. Hooks: {@link dev.dialogue.Authenticator}, {@link
 * dev.dialogue.JoinPolicy}, {@link dev.dialogue.RoomVisibilityPolicy}, {@link
 * dev.dialogue.EventInterceptor}, {@link dev.dialogue.DialogueListener}, {@link
 * dev.dialogue.HistoryCleanup}, {@link dev.dialogue.HistoryLoader}. Commands (a client's request
 * answered by the application with a result or an error): {@link dev.dialogue.CommandDefinition},
 * {@link dev.dialogue.CommandHandler}, {@link dev.dialogue.CommandException}. Abuse controls:
 * {@link dev.dialogue.RateLimits} and {@link dev.dialogue.RateLimit}; delivery to slow clients:
 * {@link dev.dialogue.EventDefinition.Delivery}. The packages under {@code dev.dialogue.internal}
 * are the engine and the transport: not API, they may change in any release.
 */
package dev.dialogue;
