package dev.dialogue.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dialogue.CommandException;
import dev.dialogue.DialogueException;
import dev.dialogue.ErrorCode;
import dev.dialogue.EventDefinition;
import dev.dialogue.EventMessage;
import dev.dialogue.HistoryStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;

/**
 * One handler per client request ({@code dialogue:*}), a dispatch table. Every handler runs on the
 * requesting connection's serial executor; a {@link DialogueException} becomes the error reply.
 */
public final class Requests {
  @FunctionalInterface
  private interface Handler {
    void handle(RealConnection connection, JsonNode payload, Reply reply);
  }

  static final int MAX_CLIENT_MESSAGE_ID = 256;

  private final Hub hub;
  private final Settings settings;
  private final Logger log;
  private final Map<String, Handler> handlers;
  private final ClientRooms clientRooms;
  private final Commands commands;

  public Requests(Hub hub) {
    this.hub = hub;
    this.settings = hub.settings();
    this.log = settings.runtime().logger();
    this.clientRooms =
        new ClientRooms(hub, settings.rooms(), settings.hooks().roomCreationPolicy());
    this.commands = new Commands(hub);
    this.handlers =
        Map.ofEntries(
            Map.entry(Wire.JOIN, this::join),
            Map.entry(Wire.LEAVE, this::leave),
            Map.entry(Wire.SUBSCRIBE, this::subscribe),
            Map.entry(Wire.SUBSCRIBE_ALL, this::subscribeAll),
            Map.entry(Wire.UNSUBSCRIBE, this::unsubscribe),
            Map.entry(Wire.TRIGGER, this::trigger),
            Map.entry(Wire.GET_HISTORY, this::getHistory),
            Map.entry(Wire.LIST_ROOMS, this::listRooms),
            Map.entry(Wire.CREATE_ROOM, clientRooms::create),
            Map.entry(Wire.DELETE_ROOM, clientRooms::delete),
            Map.entry(Wire.GET_PRESENCE, this::getPresence),
            Map.entry(Wire.REQUEST, commands::request));
  }

  /** Handles one request; never throws. */
  public void handle(RealConnection connection, String eventName, JsonNode payload, Reply reply) {
    if (!connection.connected()) {
      return;
    }
    Handler handler = handlers.get(eventName);
    try {
      if (handler == null) {
        throw Fields.invalid("Unknown request '" + eventName + "'");
      }
      handler.handle(connection, payload, reply);
    } catch (DialogueException e) {
      reply.error(e);
    } catch (CommandException refusal) {
      // A trigger interceptor's refusal, with the application's code.
      reply.refuse(refusal, log, "Request " + eventName + " from " + connection);
    } catch (RuntimeException | Error e) {
      log.error("Request {} from {} failed", eventName, connection, e);
      reply.error(ErrorCode.INTERNAL_ERROR, "Internal error");
    }
  }

  /** Whether an event name is one this table answers. */
  public boolean knows(String eventName) {
    return handlers.containsKey(eventName);
  }

  private void join(RealConnection c, JsonNode payload, Reply reply) {
    ObjectNode request = Fields.object(payload, Wire.JOIN, "{roomId}");
    RoomState room = hub.requireRoom(Fields.requiredString(request, "roomId"), c).state();
    ObjectNode since = Fields.optionalObject(request, "since");
    HistoryStore.Position position = null;
    if (since != null) {
      long offset = Fields.optionalLong(since, "since.offset", "offset", -1);
      String epoch = Fields.optionalString(since, "epoch");
      if (offset < 0 || epoch == null) {
        throw Fields.invalid("since must be {offset: integer >= 0, epoch: string}");
      }
      position = new HistoryStore.Position(epoch, offset);
    }
    JoinSubscriptions subscriptions =
        new JoinSubscriptions(eventNames(request, "subscribe"), eventNames(request, "unsubscribe"));
    hub.joins().join(c, room, reply, true, position, subscriptions);
  }

  /** The most names one join may subscribe or unsubscribe each. */
  static final int MAX_JOIN_SUBSCRIPTIONS = 100;

  /**
   * A join's optional {@code subscribe} or {@code unsubscribe}: event names applied with the
   * admission, so that a re-joining client misses nothing between the join and its subscriptions.
   */
  private static Set<String> eventNames(ObjectNode request, String field) {
    JsonNode names = request.get(field);
    if (names == null || names.isNull()) {
      return Set.of();
    }
    String problem =
        field
            + " must be an array of at most "
            + MAX_JOIN_SUBSCRIPTIONS
            + " event names (non-empty strings)";
    if (!names.isArray() || names.size() > MAX_JOIN_SUBSCRIPTIONS) {
      throw Fields.invalid(problem);
    }
    Set<String> set = new HashSet<>();
    for (JsonNode name : names) {
      if (!name.isTextual() || name.asText().isEmpty()) {
        throw Fields.invalid(problem);
      }
      set.add(name.asText());
    }
    return Set.copyOf(set);
  }

  private void leave(RealConnection c, JsonNode payload, Reply reply) {
    ObjectNode request = Fields.object(payload, Wire.LEAVE, "{roomId}");
    String roomId = Fields.requiredString(request, "roomId");
    Membership m = c.membership(roomId);
    if (m == null || !hub.joins().leave(c, m.room, reply)) {
      if (reply.acked()) {
        reply.error(notInRoom(roomId));
      }
    }
  }

  private void subscribe(RealConnection c, JsonNode payload, Reply reply) {
    ObjectNode request = Fields.object(payload, Wire.SUBSCRIBE, "{roomId, eventName}");
    Membership m = membership(c, Fields.requiredString(request, "roomId"));
    m.subscribe(Fields.requiredString(request, "eventName"));
    reply.ok(null, null, new Wire.Empty());
  }

  private void subscribeAll(RealConnection c, JsonNode payload, Reply reply) {
    ObjectNode request = Fields.object(payload, Wire.SUBSCRIBE_ALL, "{roomId}");
    membership(c, Fields.requiredString(request, "roomId")).subscribe(EventDefinition.ANY);
    reply.ok(null, null, new Wire.Empty());
  }

  private void unsubscribe(RealConnection c, JsonNode payload, Reply reply) {
    ObjectNode request = Fields.object(payload, Wire.UNSUBSCRIBE, "{roomId, eventName}");
    Membership m = membership(c, Fields.requiredString(request, "roomId"));
    m.unsubscribe(Fields.requiredString(request, "eventName"));
    reply.ok(null, null, new Wire.Empty());
  }

  private void trigger(RealConnection c, JsonNode payload, Reply reply) {
    ObjectNode request = Fields.object(payload, Wire.TRIGGER, "{roomId, event, data}");
    String roomId = Fields.requiredString(request, "roomId");
    String eventName = Fields.requiredString(request, "event");
    ObjectNode meta = Fields.optionalObject(request, "meta");
    String clientMessageId = Fields.optionalString(request, "clientMessageId");
    RoomState room = hub.requireRoom(roomId, c).state();
    if (clientMessageId != null
        && (clientMessageId.isEmpty() || clientMessageId.length() > MAX_CLIENT_MESSAGE_ID)) {
      throw Fields.invalid("clientMessageId must be 1 to " + MAX_CLIENT_MESSAGE_ID + " characters");
    }
    if (!room.contains(c)) {
      // A repeat of a trigger published before the connection left (or lost) the room is
      // answered as a repeat: the client learns that it was published, not that it was refused.
      Idempotency.First first =
          clientMessageId == null
              ? null
              : hub.broker().published(roomId, c.userId(), clientMessageId);
      if (first == null) {
        throw notInRoom(roomId);
      }
      acknowledge(reply, first.durable(), first.message(), true);
      return;
    }
    Publisher.Publication p =
        hub.publisher()
            .publish(room, eventName, request.get("data"), c.userId(), meta, clientMessageId, c);
    acknowledge(reply, p.durable(), p.message(), p.duplicate());
  }

  /**
   * Acknowledges a trigger with its event, once durable (with a store); later answers follow this
   * one.
   */
  private static void acknowledge(
      Reply reply, CompletableFuture<Void> durable, EventMessage sent, boolean duplicate) {
    reply.okWhenDurable(
        durable,
        new Wire.Published(sent.id(), sent.offset(), sent.timestamp(), duplicate ? true : null));
  }

  private void getHistory(RealConnection c, JsonNode payload, Reply reply) {
    long now = settings.runtime().clock().millis();
    long resetsAt =
        c.historyRequest(
            now,
            settings.limits().historyRequestLimit(),
            settings.limits().historyRequestWindow().toMillis());
    if (resetsAt >= 0) {
      throw new DialogueException(
          ErrorCode.RATE_LIMITED,
          "Too many history requests. Please wait before trying again. The limit of "
              + settings.limits().historyRequestLimit()
              + " per "
              + Durations.words(settings.limits().historyRequestWindow())
              + " resets at "
              + Instant.ofEpochMilli(resetsAt)
              + " (in "
              + Math.max(1, (resetsAt - now + 999) / 1000)
              + " s).");
    }
    ObjectNode request =
        Fields.object(payload, Wire.GET_HISTORY, "{roomId, eventName, start, end}");
    String roomId = Fields.requiredString(request, "roomId");
    String eventName = Fields.optionalString(request, "eventName");
    int start = Fields.optionalInt(request, "start", 0);
    int end = Fields.optionalInt(request, "end", 50);
    if (start < 0) {
      throw Fields.invalid("start must be >= 0, got " + start);
    }
    if (end < start) {
      throw Fields.invalid("end must be >= start, got start " + start + " and end " + end);
    }
    if (end - start > settings.limits().maxHistoryPage()) {
      throw Fields.invalid(
          "end - start must be at most "
              + settings.limits().maxHistoryPage()
              + ", got "
              + (end - start));
    }
    RealRoom room = hub.requireRoom(roomId, c);
    if (!room.state().contains(c)) {
      throw notInRoom(roomId);
    }
    List<EventMessage> events =
        eventName == null || eventName.isEmpty() ? List.of() : room.history(eventName, start, end);
    Wire.HistoryResponse response =
        new Wire.HistoryResponse(
            roomId,
            eventName == null || eventName.isEmpty() ? null : eventName,
            events,
            start,
            end);
    reply.ok(Wire.HISTORY_RESPONSE, response, response);
  }

  private void listRooms(RealConnection c, JsonNode payload, Reply reply) {
    List<Wire.RoomInfo> infos = new ArrayList<>();
    for (RealRoom room : hub.rooms()) {
      if (hub.canSee(room, c)) {
        infos.add(room.state().info());
      }
    }
    reply.ok(Wire.ROOMS, infos, new Wire.Rooms(infos));
  }

  private void getPresence(RealConnection c, JsonNode payload, Reply reply) {
    ObjectNode request = Fields.object(payload, Wire.GET_PRESENCE, "{roomId}");
    String roomId = Fields.requiredString(request, "roomId");
    RoomState room = membership(c, roomId).room;
    if (!room.config().presence()) {
      throw Fields.invalid("Presence is not enabled in room '" + roomId + "'");
    }
    Wire.PresenceState state = new Wire.PresenceState(roomId, room.presenceState());
    reply.ok(Wire.PRESENCE_STATE, state, state);
  }

  /** The connection's membership in an existing room it has joined. */
  private Membership membership(RealConnection c, String roomId) {
    hub.requireRoom(roomId, c);
    Membership m = c.membership(roomId);
    if (m == null) {
      throw notInRoom(roomId);
    }
    return m;
  }

  private static DialogueException notInRoom(String roomId) {
    return new DialogueException(ErrorCode.NOT_IN_ROOM, "Join room '" + roomId + "' first");
  }
}
