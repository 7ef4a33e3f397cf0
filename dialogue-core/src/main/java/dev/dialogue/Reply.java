package dev.dialogue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.concurrent.CompletableFuture;

/**
 * How one request is answered: through its acknowledgement ({@code {ok, ...}}) when the client
 * asked for one, otherwise with the compatible reply event or {@code dialogue:error}.
 */
final class Reply {
  private static final long NO_ACK = -1;

  private final RealConnection connection;
  private final long ackId;

  private Reply(RealConnection connection, long ackId) {
    this.connection = connection;
    this.ackId = ackId;
  }

  static Reply toEvents(RealConnection connection) {
    return new Reply(connection, NO_ACK);
  }

  static Reply of(RealConnection connection, Long ackId) {
    return new Reply(connection, ackId == null ? NO_ACK : ackId);
  }

  boolean acked() {
    return ackId != NO_ACK;
  }

  /**
   * Answers success: {@code ackResult} through the ack, or {@code eventName} with {@code payload}
   * (nothing when {@code eventName} is null).
   */
  void ok(String eventName, Object payload, Object ackResult) {
    if (acked()) {
      ObjectNode body = Json.object();
      body.put("ok", true);
      JsonNode result = Json.tree(ackResult);
      if (result.isObject()) {
        body.setAll((ObjectNode) result);
      }
      connection.ack(ackId, Json.raw(body));
    } else if (eventName != null) {
      connection.emit(eventName, payload);
    }
  }

  void error(ErrorCode code, String message) {
    if (acked()) {
      ObjectNode body = Json.object();
      body.put("ok", false);
      body.set("error", Json.tree(new Wire.ErrorBody(code.name(), message)));
      connection.ack(ackId, Json.raw(body));
    } else {
      connection.emit(Wire.ERROR, new Wire.ErrorBody(code.name(), message));
    }
  }

  /**
   * Answers success once {@code durable} completes, or INTERNAL_ERROR if storing failed. The
   * connection's next request waits until this answer is sent, so answers keep request order.
   */
  void okWhenDurable(CompletableFuture<Void> durable, Object ackResult) {
    CompletableFuture<Void> sent =
        durable.handle(
            (r, e) -> {
              if (e != null) {
                error(
                    ErrorCode.INTERNAL_ERROR,
                    "The event could not be stored; retry with the same clientMessageId");
              } else {
                ok(null, null, ackResult);
              }
              return null;
            });
    connection.serial.holdUntil(sent);
  }

  void error(DialogueException e) {
    error(e.code(), e.getMessage());
  }
}
