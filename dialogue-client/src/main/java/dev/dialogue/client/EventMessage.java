package dev.dialogue.client;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * An event as the server delivered it ({@code dialogue:event}).
 *
 * @param event the event name
 * @param roomId the room
 * @param data the payload
 * @param from the sender's user id, or {@code "system"}
 * @param timestamp server time in epoch milliseconds
 * @param meta the trigger's meta object, or null
 * @param id the unique message id, or null from servers that do not send one
 * @param offset the room offset if the event was stored, or null
 * @param clientMessageId the sender's idempotency key, or null
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record EventMessage(
    String event,
    String roomId,
    JsonNode data,
    String from,
    long timestamp,
    JsonNode meta,
    String id,
    Long offset,
    String clientMessageId) {

  /** Converts the payload to {@code type}. */
  public <T> T data(Class<T> type) {
    return ClientJson.convert(data, type);
  }
}
