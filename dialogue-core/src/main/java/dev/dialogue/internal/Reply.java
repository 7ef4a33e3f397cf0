package dev.dialogue.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.RawValue;
import dev.dialogue.CommandException;
import dev.dialogue.DialogueException;
import dev.dialogue.ErrorCode;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;

/**
 * How one request is answered: through its acknowledgement ({@code {ok, ...}}) when the client
 * asked for one, otherwise with the compatible reply event or {@code dialogue:error}.
 */
public final class Reply {
  private static final long NO_ACK = -1;
  private static final RawValue OK_ONLY = new RawValue("{\"ok\":true}");

  private final RealConnection connection;
  private final long ackId;

  /** The session the request came on: a resumed connection's acks never go to the next one. */
  private final Session session;

  private Reply(RealConnection connection, Session session, long ackId) {
    this.connection = connection;
    this.ackId = ackId;
    this.session = session;
  }

  static Reply toEvents(RealConnection connection) {
    return new Reply(connection, connection.session(), NO_ACK);
  }

  /** The answer to a request that came on {@code session}; acks go to that session only. */
  public static Reply of(RealConnection connection, Session session, Long ackId) {
    return new Reply(connection, session, ackId == null ? NO_ACK : ackId);
  }

  public boolean acked() {
    return ackId != NO_ACK;
  }

  /**
   * Answers success: {@code ackResult} through the ack, or {@code eventName} with {@code payload}
   * (nothing when {@code eventName} is null).
   */
  void ok(String eventName, Object payload, Object ackResult) {
    connection.answer(() -> sendOk(eventName, payload, ackResult));
  }

  private void sendOk(String eventName, Object payload, Object ackResult) {
    if (acked()) {
      connection.ack(session, ackId, okBody(ackResult));
    } else if (eventName != null) {
      connection.emit(eventName, payload);
    }
  }

  /**
   * {@code {"ok":true, ...the result's fields}}, written straight from the result: no JSON tree, so
   * a join answer carrying many missed events costs one pass of the encoder (results have no field
   * named {@code ok}).
   */
  static RawValue okBody(Object ackResult) {
    String result = ackResult == null ? "{}" : Json.write(ackResult);
    if (result.length() <= 2 || result.charAt(0) != '{') {
      return OK_ONLY;
    }
    return new RawValue("{\"ok\":true," + result.substring(1));
  }

  public void error(ErrorCode code, String message) {
    connection.answer(() -> sendError(code, message));
  }

  /**
   * Answers an application's refusal (a command handler's or a trigger interceptor's {@link
   * CommandException}) with its own code, message and data; INTERNAL_ERROR, logged with {@code
   * what}, when its data cannot be encoded.
   */
  void refuse(CommandException refusal, Logger log, String what) {
    JsonNode data;
    try {
      data = refusal.data() == null ? null : Json.tree(refusal.data());
    } catch (IllegalArgumentException e) {
      log.error("{}: the data of its error {} cannot be encoded", what, refusal.code(), e);
      error(ErrorCode.INTERNAL_ERROR, "Internal error");
      return;
    }
    Wire.ErrorBody body = new Wire.ErrorBody(refusal.code(), refusal.getMessage(), data);
    connection.answer(() -> sendError(body));
  }

  private void sendError(ErrorCode code, String message) {
    sendError(new Wire.ErrorBody(code.name(), message, null));
  }

  private void sendError(Wire.ErrorBody error) {
    if (acked()) {
      ObjectNode body = Json.object();
      body.put("ok", false);
      body.set("error", Json.tree(error));
      connection.ack(session, ackId, Json.raw(body));
    } else {
      connection.emit(Wire.ERROR, error);
    }
  }

  /**
   * Answers success once {@code durable} completes, or INTERNAL_ERROR if storing failed. The
   * connection's later requests are handled meanwhile, but their answers follow this one.
   */
  void okWhenDurable(CompletableFuture<Void> durable, Object ackResult) {
    if (durable.isDone() && !durable.isCompletedExceptionally()) {
      ok(null, null, ackResult); // memory-only history, or a duplicate already stored
      return;
    }
    connection.answerWhen(
        durable,
        failed -> {
          if (failed) {
            sendError(
                ErrorCode.INTERNAL_ERROR,
                "The event could not be stored; retry with the same clientMessageId");
          } else {
            sendOk(null, null, ackResult);
          }
        });
  }

  public void error(DialogueException e) {
    error(e.code(), e.getMessage());
  }

  /** {@code RATE_LIMITED} with the message and {@code retryAfterMs}. */
  void rateLimited(RateLimited e) {
    Wire.ErrorBody body =
        new Wire.ErrorBody(e.code().name(), e.getMessage(), null, e.retryAfterMs());
    connection.answer(() -> sendError(body));
  }
}
