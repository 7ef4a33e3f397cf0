package dev.dialogue.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dialogue.CommandException;
import dev.dialogue.DialogueException;
import dev.dialogue.ErrorCode;
import dev.dialogue.EventDefinition;
import dev.dialogue.EventMessage;
import dev.dialogue.RoomConfig;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;

/**
 * One handler per client request ({@code dialogue:*}), a dispatch table. Every handler runs on the
 * requesting connection's serial executor; a {@link DialogueException} becomes the error reply. The
 * families of requests with their own class: a connection's place in rooms ({@link
 * MemberRequests}), rooms made by clients ({@link ClientRooms}), commands ({@link Commands}); the
 * trigger and the reads (history, the room list, presence) are here.
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
  private final MemberRequests members;
  private final ClientRooms clientRooms;
  private final Commands commands;
  private final Quotas quotas;

  public Requests(Hub hub) {
    this.hub = hub;
    this.settings = hub.settings();
    this.log = settings.runtime().logger();
    this.members = new MemberRequests(hub);
    this.clientRooms =
        new ClientRooms(hub, settings.rooms(), settings.hooks().roomCreationPolicy());
    this.commands = new Commands(hub);
    this.quotas = hub.quotas();
    this.handlers =
        Map.ofEntries(
            Map.entry(Wire.JOIN, members::join),
            Map.entry(Wire.LEAVE, members::leave),
            Map.entry(Wire.SUBSCRIBE, members::subscribe),
            Map.entry(Wire.SUBSCRIBE_ALL, members::subscribeAll),
            Map.entry(Wire.UNSUBSCRIBE, members::unsubscribe),
            Map.entry(Wire.TRIGGER, this::trigger),
            Map.entry(Wire.GET_HISTORY, this::getHistory),
            Map.entry(Wire.LIST_ROOMS, this::listRooms),
            Map.entry(Wire.CREATE_ROOM, clientRooms::create),
            Map.entry(Wire.DELETE_ROOM, clientRooms::delete),
            Map.entry(Wire.GET_PRESENCE, this::getPresence),
            Map.entry(Wire.REQUEST, this::request));
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
    } catch (RateLimited e) {
      refused(eventName, ErrorCode.RATE_LIMITED.name());
      reply.rateLimited(e);
    } catch (DialogueException e) {
      refused(eventName, e.code().name());
      reply.error(e);
    } catch (CommandException refusal) {
      // A trigger interceptor's refusal, with the application's code.
      refused(eventName, refusal.code());
      reply.refuse(refusal, log, "Request " + eventName + " from " + connection);
    } catch (RuntimeException | Error e) {
      log.error("Request {} from {} failed", eventName, connection, e);
      refused(eventName, ErrorCode.INTERNAL_ERROR.name());
      reply.error(ErrorCode.INTERNAL_ERROR, "Internal error");
    }
  }

  /**
   * Tells the observer of a refused request, by its name if this table answers it (a client's
   * unknown name would be a tag of unbounded values), otherwise as {@code other}.
   */
  public void refused(String eventName, String code) {
    hub.traffic()
        .observer()
        .onRefused(eventName != null && knows(eventName) ? eventName : "other", code);
  }

  /** Whether an event name is one this table answers. */
  public boolean knows(String eventName) {
    return handlers.containsKey(eventName);
  }

  /** A command, counted by the rate limits first (invalid ones too). */
  private void request(RealConnection c, JsonNode payload, Reply reply) {
    quotas.command(c);
    commands.request(c, payload, reply);
  }

  private void trigger(RealConnection c, JsonNode payload, Reply reply) {
    // Every trigger counts, invalid ones too; the room's and the event's limits only members'.
    quotas.trigger(c);
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
        throw MemberRequests.notInRoom(roomId);
      }
      acknowledge(reply, first.durable(), first.message(), true);
      return;
    }
    quotas.triggerInRoom(c, room.config(), eventName, definition(room.config(), eventName));
    Publisher.Publication p =
        hub.publisher()
            .publish(room, eventName, request.get("data"), c.userId(), meta, clientMessageId, c);
    acknowledge(reply, p.durable(), p.message(), p.duplicate());
  }

  /** The definition of {@code eventName} in a room of {@code config}, as the publisher finds it. */
  private EventDefinition<?> definition(RoomConfig config, String eventName) {
    EventDefinition<?> own = config.event(eventName);
    return own != null || !config.anyEvent() ? own : settings.rooms().globalEvents().get(eventName);
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
      throw new RateLimited(
          "Too many history requests. Please wait before trying again. The limit of "
              + settings.limits().historyRequestLimit()
              + " per "
              + Durations.words(settings.limits().historyRequestWindow())
              + " resets at "
              + Instant.ofEpochMilli(resetsAt)
              + " (in "
              + Math.max(1, (resetsAt - now + 999) / 1000)
              + " s).",
          Math.max(1, resetsAt - now));
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
      throw MemberRequests.notInRoom(roomId);
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
        infos.add(info(room));
      }
    }
    reply.ok(Wire.ROOMS, infos, new Wire.Rooms(infos));
  }

  private void getPresence(RealConnection c, JsonNode payload, Reply reply) {
    ObjectNode request = Fields.object(payload, Wire.GET_PRESENCE, "{roomId}");
    String roomId = Fields.requiredString(request, "roomId");
    RoomState room = members.membership(c, roomId).room;
    if (!room.config().presence()) {
      throw Fields.invalid("Presence is not enabled in room '" + roomId + "'");
    }
    Map<String, Integer> users = room.roster.presenceCounts();
    List<Wire.PresenceUser> list = new ArrayList<>(users.size());
    users.forEach((user, n) -> list.add(new Wire.PresenceUser(user, n)));
    Wire.PresenceState state = new Wire.PresenceState(roomId, list);
    reply.ok(Wire.PRESENCE_STATE, state, state);
  }

  private static Wire.RoomInfo info(RealRoom room) {
    RoomConfig config = room.config();
    return new Wire.RoomInfo(
        room.id(),
        config.name(),
        config.description(),
        room.size(),
        config.maxSize() > 0 ? config.maxSize() : null,
        config.createdById(),
        config.metadata());
  }
}
