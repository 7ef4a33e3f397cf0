package dev.dialogue.client;

import java.util.concurrent.CompletableFuture;

/**
 * A trigger on its way: its {@code clientMessageId} is known at once (show an optimistic
 * placeholder and replace it when the event with the same id arrives); {@link #result()} completes
 * when the server confirms, or fails with a {@link DialogueClientException}.
 *
 * @param clientMessageId the idempotency key the client generated
 * @param result the server's confirmation
 */
public record PendingTrigger(String clientMessageId, CompletableFuture<Published> result) {}
