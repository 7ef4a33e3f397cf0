package dev.dialogue.client;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A trigger waiting in the {@link OfflineQueue} until the client is connected again.
 *
 * @param roomId the room
 * @param event the event name
 * @param data the payload
 * @param meta the meta object, or null
 * @param clientMessageId the idempotency key, sent with the trigger so a repeat is not broadcast
 *     twice
 */
public record QueuedTrigger(
    String roomId, String event, JsonNode data, JsonNode meta, String clientMessageId) {
  public QueuedTrigger {
    requireNonNull(roomId, "roomId == null");
    requireNonNull(event, "event == null");
    requireNonNull(data, "data == null");
    requireNonNull(clientMessageId, "clientMessageId == null");
  }
}
