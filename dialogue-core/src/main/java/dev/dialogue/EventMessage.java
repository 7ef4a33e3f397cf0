package dev.dialogue;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dialogue.internal.Json;

/**
 * The envelope of one event, exactly as clients receive it in {@code dialogue:event}.
 *
 * <p>Only the server builds envelopes: {@code from} and {@code timestamp} are set by the server and
 * never taken from a client. Fields without a value are omitted on the wire.
 *
 * @param event the event name
 * @param roomId the room it was published in
 * @param data the payload as the server validated and parsed it (coercions applied)
 * @param from the sender's user id, or {@code "system"} (or the name server code passed)
 * @param timestamp server time in epoch milliseconds when the envelope was made
 * @param meta the trigger's free-form {@code meta} object, or {@code null}
 * @param id a unique message id
 * @param offset the per-room position of the event if it entered history, or {@code null}
 * @param clientMessageId the sender's idempotency key, or {@code null}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({
  "event",
  "roomId",
  "data",
  "from",
  "timestamp",
  "meta",
  "id",
  "offset",
  "clientMessageId"
})
public record EventMessage(
    String event,
    String roomId,
    JsonNode data,
    String from,
    long timestamp,
    ObjectNode meta,
    String id,
    Long offset,
    String clientMessageId) {

  public EventMessage {
    requireNonNull(event, "event == null");
    requireNonNull(roomId, "roomId == null");
    requireNonNull(data, "data == null");
    requireNonNull(from, "from == null");
  }

  /** Converts {@link #data()} to {@code type} with the library's JSON mapping. */
  public <T> T data(Class<T> type) {
    return Json.convert(data, type);
  }

  /** A copy with another payload: for interceptors that rewrite a message. */
  public EventMessage withData(JsonNode newData) {
    return new EventMessage(
        event, roomId, newData, from, timestamp, meta, id, offset, clientMessageId);
  }

  /** A copy with another sender name: for interceptors that rewrite a message. */
  public EventMessage withFrom(String newFrom) {
    return new EventMessage(
        event, roomId, data, newFrom, timestamp, meta, id, offset, clientMessageId);
  }
}
