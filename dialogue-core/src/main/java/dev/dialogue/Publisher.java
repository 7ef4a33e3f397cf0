package dev.dialogue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.slf4j.Logger;

/**
 * The trigger pipeline, for clients and server code alike: idempotency, allow check, meta size,
 * validation, envelope, interceptors, delivery and history under the room lock, then onTriggered,
 * handlers and afterEach.
 */
final class Publisher {
  private final Settings settings;
  private final Hooks hooks;
  private final Histories histories;
  private final PayloadValidator validator;
  private final Supplier<Collection<RealRoom>> rooms;
  private final Logger log;

  Publisher(
      Settings settings,
      Hooks hooks,
      Histories histories,
      PayloadValidator validator,
      Supplier<Collection<RealRoom>> rooms) {
    this.settings = settings;
    this.hooks = hooks;
    this.histories = histories;
    this.validator = validator;
    this.rooms = rooms;
    this.log = settings.logger();
  }

  /**
   * A published event: its envelope, when it is durable (completed without a store), and whether it
   * repeated an earlier trigger's {@code clientMessageId} and was not published again.
   */
  record Publication(EventMessage message, CompletableFuture<Void> durable, boolean duplicate) {}

  private static final CompletableFuture<Void> DURABLE = CompletableFuture.completedFuture(null);

  /** Server-side publish: no idempotency, returns once delivered (not waiting for the store). */
  EventMessage publish(
      RealRoom room,
      String eventName,
      JsonNode data,
      String from,
      ObjectNode meta,
      String clientMessageId) {
    return publish(room, eventName, data, from, meta, clientMessageId, null).message();
  }

  /**
   * The trigger pipeline: idempotency, allowed, meta size, validation, envelope, interceptors,
   * delivery and history (one step under the room lock), onTriggered, handlers, afterEach.
   *
   * @param sender the user whose {@code clientMessageId}s are remembered, or null
   */
  Publication publish(
      RealRoom room,
      String eventName,
      JsonNode data,
      String from,
      ObjectNode meta,
      String clientMessageId,
      String sender) {
    if (clientMessageId == null || sender == null) {
      return pipeline(room, eventName, data, from, meta, clientMessageId);
    }
    CompletableFuture<Idempotency.First> mine = new CompletableFuture<>();
    Idempotency.First earlier = histories.earlier(room, sender, clientMessageId, mine);
    if (earlier != null) {
      return new Publication(earlier.message(), earlier.durable(), true);
    }
    try {
      Publication publication = pipeline(room, eventName, data, from, meta, clientMessageId);
      mine.complete(new Idempotency.First(publication.message(), publication.durable()));
      return publication;
    } catch (RuntimeException e) {
      histories.failed(sender, clientMessageId, mine, e);
      throw e;
    }
  }

  private Publication pipeline(
      RealRoom room,
      String eventName,
      JsonNode data,
      String from,
      ObjectNode meta,
      String clientMessageId) {
    if (!room.config().allows(eventName)) {
      throw new DialogueException(
          ErrorCode.EVENT_NOT_ALLOWED,
          "Event '" + eventName + "' is not allowed in room '" + room.id() + "'");
    }
    checkMetaSize(meta);
    EventDefinition<?> definition = room.definition(eventName, settings.globalEvents());
    JsonNode parsed = validator.validate(definition, eventName, data);
    EventMessage message =
        new EventMessage(
            eventName,
            room.id(),
            parsed,
            from,
            settings.clock().millis(),
            meta,
            Ids.random(),
            null,
            clientMessageId);
    EventDecision decision = hooks.beforeEach(room, message);
    if (!decision.proceeds()) {
      throw new DialogueException(ErrorCode.EVENT_REJECTED, decision.reason());
    }
    EventMessage approved = decision.message();
    // Routing and history follow the original name and room, whatever an interceptor rewrote.
    approved =
        new EventMessage(
            eventName,
            room.id(),
            approved.data(),
            approved.from(),
            approved.timestamp(),
            approved.meta(),
            approved.id(),
            null,
            approved.clientMessageId());
    RealRoom.Delivery delivery =
        room.deliver(approved, definition == null ? 0 : definition.historyLimit());
    EventMessage delivered = delivery.message();
    histories.delivered(room, delivery, rooms.get());
    hooks.notify("onTriggered", l -> l.onTriggered(room, delivered));
    for (EventHandler<JsonNode> handler : room.handlers(eventName)) {
      try {
        handler.onEvent(delivered.data(), delivered);
      } catch (Exception | Error e) {
        log.error("Handler for event '{}' in room '{}' failed", eventName, room.id(), e);
      }
    }
    hooks.afterEach(room, delivered, delivery.recipients());
    return new Publication(
        delivered, delivery.durable() == null ? DURABLE : delivery.durable(), false);
  }

  private void checkMetaSize(ObjectNode meta) {
    if (meta == null) {
      return;
    }
    int bytes = Json.write(meta).getBytes(StandardCharsets.UTF_8).length;
    if (bytes > settings.maxMetaBytes()) {
      throw new DialogueException(
          ErrorCode.PAYLOAD_TOO_LARGE,
          "meta is " + bytes + " bytes; the limit is " + settings.maxMetaBytes() + " bytes");
    }
  }
}
