package dev.dialogue.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dialogue.ClientConnection;
import dev.dialogue.DialogueException;
import dev.dialogue.ErrorCode;
import dev.dialogue.EventDecision;
import dev.dialogue.EventDefinition;
import dev.dialogue.EventHandler;
import dev.dialogue.EventMessage;
import dev.dialogue.RoomConfig;
import dev.dialogue.TriggerContext;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.slf4j.Logger;

/**
 * The trigger pipeline, for clients and server code alike: idempotency, allow check, meta size,
 * validation, envelope, interceptors, delivery and history under the room lock, then onTriggered,
 * handlers and afterEach once the event is shown (at once in memory; after the commit with a
 * store).
 */
final class Publisher {
  private final Settings settings;
  private final Hooks hooks;
  private final Histories histories;
  private final Broker broker;
  private final PayloadValidator validator;
  private final Traffic traffic;
  private final Supplier<Collection<RoomState>> rooms;
  private final Logger log;

  Publisher(
      Settings settings,
      Hooks hooks,
      Histories histories,
      Broker broker,
      PayloadValidator validator,
      Traffic traffic,
      Supplier<Collection<RoomState>> rooms) {
    this.traffic = traffic;
    this.settings = settings;
    this.hooks = hooks;
    this.histories = histories;
    this.broker = broker;
    this.validator = validator;
    this.rooms = rooms;
    this.log = settings.runtime().logger();
  }

  /**
   * A published event: its envelope, when it is durable and shown (completed without a store), and
   * whether it repeated an earlier trigger's {@code clientMessageId} and was not published again.
   */
  record Publication(EventMessage message, CompletableFuture<Void> durable, boolean duplicate) {}

  private static final CompletableFuture<Void> DURABLE = CompletableFuture.completedFuture(null);

  /**
   * Server-side publish: no idempotency; returns without waiting for the store (with one, the event
   * is delivered once committed).
   */
  EventMessage publish(
      RoomState room,
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
   * @param connection the sending connection, whose user's {@code clientMessageId}s are remembered,
   *     or null for server code
   */
  Publication publish(
      RoomState room,
      String eventName,
      JsonNode data,
      String from,
      ObjectNode meta,
      String clientMessageId,
      ClientConnection connection) {
    if (clientMessageId == null || connection == null) {
      return pipeline(room, eventName, data, from, meta, clientMessageId, connection);
    }
    String sender = connection.userId();
    CompletableFuture<Idempotency.First> mine = new CompletableFuture<>();
    Idempotency.First earlier = broker.earlier(room.id(), sender, clientMessageId, mine);
    if (earlier != null) {
      return new Publication(earlier.message(), earlier.durable(), true);
    }
    try {
      Publication publication =
          pipeline(room, eventName, data, from, meta, clientMessageId, connection);
      mine.complete(new Idempotency.First(publication.message(), publication.durable()));
      // Not stored, so shown to no one: a retry with the same id publishes it anew.
      publication
          .durable()
          .whenComplete(
              (ok, failed) -> {
                if (failed != null) {
                  broker.release(sender, clientMessageId, mine);
                }
              });
      return publication;
    } catch (RuntimeException e) {
      broker.release(sender, clientMessageId, mine);
      mine.completeExceptionally(e);
      throw e;
    }
  }

  private Publication pipeline(
      RoomState room,
      String eventName,
      JsonNode data,
      String from,
      ObjectNode meta,
      String clientMessageId,
      ClientConnection connection) {
    if (!room.config().allows(eventName)) {
      throw new DialogueException(
          ErrorCode.EVENT_NOT_ALLOWED,
          "Event '" + eventName + "' is not allowed in room '" + room.id() + "'");
    }
    checkMetaSize(meta);
    EventDefinition<?> definition = definition(room.config(), eventName);
    JsonNode parsed = validator.validate(definition, eventName, data);
    List<RoomConfig.Interception<?>> interceptions = room.code.interceptions(eventName);
    if (!interceptions.isEmpty()) {
      TriggerContext context = new TriggerContext(room.face(), eventName, connection, from, meta);
      for (RoomConfig.Interception<?> interception : interceptions) {
        parsed = intercept(interception, context, definition, parsed);
      }
    }
    EventMessage message =
        new EventMessage(
            eventName,
            room.id(),
            parsed,
            from,
            settings.runtime().clock().millis(),
            meta,
            Ids.random(),
            null,
            clientMessageId);
    EventDecision decision = hooks.beforeEach(room.face(), message);
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
    int historyLimit = definition == null ? 0 : definition.historyLimit();
    // Application code that follows delivery runs on the room's serial executor, in offset order;
    // with nobody to run, only the memory budget is counted.
    boolean observed = hooks.observesDeliveries() || !room.code.handlers(eventName).isEmpty();
    Broker.Delivery delivery =
        room.deliver(
            approved, historyLimit, observed ? (event, s) -> afterShown(room, event, s) : null);
    EventMessage delivered = delivery.message();
    CompletableFuture<Broker.Shown> shown = delivery.shown();
    if (shown.isDone() && !shown.isCompletedExceptionally()) {
      traffic.published(room.id(), eventName, definition != null, shown.join().recipients());
      if (!observed) {
        histories.delivered(room, delivered, shown.join().evicted(), rooms);
      }
      return new Publication(delivered, DURABLE, false);
    }
    boolean defined = definition != null;
    shown.thenAccept(s -> traffic.published(room.id(), eventName, defined, s.recipients()));
    if (!observed) {
      // Off the room's lock (the budget may trim other rooms), in offset order.
      shown.thenAcceptAsync(
          s -> histories.delivered(room, delivered, s.evicted(), rooms), room.code.serial);
    }
    CompletableFuture<Void> durable =
        shown.handle(
            (s, failed) -> {
              if (failed != null) {
                log.warn(
                    "Event '{}' at offset {} of room '{}' was not stored; it was shown to no one",
                    eventName,
                    delivered.offset(),
                    room.id(),
                    failed);
                throw failed instanceof RuntimeException r ? r : new RuntimeException(failed);
              }
              return null;
            });
    return new Publication(delivered, durable, false);
  }

  /**
   * One typed interceptor: the payload it returns, validated again when it replaced it. A {@link
   * dev.dialogue.CommandException} it throws refuses the trigger with the application's code.
   */
  private <T> JsonNode intercept(
      RoomConfig.Interception<T> interception,
      TriggerContext context,
      EventDefinition<?> definition,
      JsonNode data) {
    T typed = Json.convert(data, interception.event().type());
    T out = interception.interceptor().beforeTrigger(context, typed);
    if (out == null) {
      throw new IllegalStateException(
          "The interceptor of event '" + context.event() + "' returned null instead of a payload");
    }
    return out == typed ? data : validator.validate(definition, context.event(), Json.tree(out));
  }

  /** After delivery: the memory budget, onTriggered, the handlers, afterEach. */
  private void afterShown(RoomState room, EventMessage delivered, Broker.Shown shown) {
    histories.delivered(room, delivered, shown.evicted(), rooms);
    hooks.notify("onTriggered", l -> l.onTriggered(room.face(), delivered));
    for (EventHandler<JsonNode> handler : room.code.handlers(delivered.event())) {
      try {
        handler.onEvent(delivered.data(), delivered);
      } catch (Exception | Error e) {
        log.error("Handler for event '{}' in room '{}' failed", delivered.event(), room.id(), e);
      }
    }
    hooks.afterEach(room.face(), delivered, shown.recipients());
  }

  /** The definition triggers of {@code eventName} are validated against, or null. */
  private EventDefinition<?> definition(RoomConfig config, String eventName) {
    EventDefinition<?> own = config.event(eventName);
    return own != null
        ? own
        : config.anyEvent() ? settings.rooms().globalEvents().get(eventName) : null;
  }

  private void checkMetaSize(ObjectNode meta) {
    if (meta == null) {
      return;
    }
    int bytes = Json.write(meta).getBytes(StandardCharsets.UTF_8).length;
    if (bytes > settings.limits().maxMetaBytes()) {
      throw new DialogueException(
          ErrorCode.PAYLOAD_TOO_LARGE,
          "meta is "
              + bytes
              + " bytes; the limit is "
              + settings.limits().maxMetaBytes()
              + " bytes");
    }
  }
}
