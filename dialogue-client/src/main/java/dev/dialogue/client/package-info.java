/**
 * The Java client for Dialogue servers.
 *
 * <pre>{@code
 * DialogueClient client = DialogueClient.builder("http://localhost:3000")
 *     .auth(() -> Map.of("token", tokens.fresh()))
 *     .build();
 * client.connect().join();
 *
 * ClientRoom chat = client.join("chat").join();
 * chat.on("message", Message.class, (message, envelope) -> show(envelope.from(), message.text()));
 *
 * PendingTrigger sent = chat.trigger("message", new Message("hi"));
 * showPlaceholder(sent.clientMessageId());
 * sent.result().thenAccept(published -> confirm(sent.clientMessageId(), published.offset()));
 * }</pre>
 *
 * <p>Entry point: {@link dev.dialogue.client.DialogueClient}. Callbacks and future completions run
 * on the client's callback executor, one at a time.
 */
package dev.dialogue.client;
