package dev.dialogue.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dialogue.DialogueException;
import dev.dialogue.ErrorCode;
import dev.dialogue.EventDefinition;
import dev.dialogue.HistoryStore;
import java.util.HashSet;
import java.util.Set;

/**
 * The requests about a connection's place in rooms ({@code dialogue:join} with its {@code since}
 * and subscriptions, {@code dialogue:leave}, {@code dialogue:subscribe}, {@code subscribeAll},
 * {@code unsubscribe}): the request's checks, then {@link Joins} or the {@link Membership}. Runs on
 * the requesting connection's serial executor, as every request does ({@link Requests}).
 */
final class MemberRequests {
  /** The most names one join may subscribe or unsubscribe each. */
  static final int MAX_JOIN_SUBSCRIPTIONS = 100;

  private final Hub hub;

  MemberRequests(Hub hub) {
    this.hub = hub;
  }

  void join(RealConnection c, JsonNode payload, Reply reply) {
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
    boolean granted = c.rejoinArrived(room.id());
    hub.joins().join(c, room, reply, !granted, position, subscriptions);
  }

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

  void leave(RealConnection c, JsonNode payload, Reply reply) {
    ObjectNode request = Fields.object(payload, Wire.LEAVE, "{roomId}");
    String roomId = Fields.requiredString(request, "roomId");
    Membership m = c.membership(roomId);
    if (m == null || !hub.joins().leave(c, m.room, reply)) {
      if (reply.acked()) {
        reply.error(notInRoom(roomId));
      }
    }
  }

  /** Event names one membership may subscribe to by name ({@code *} counts as one). */
  static final int MAX_SUBSCRIPTIONS = 256;

  /** The longest event name a client may subscribe to. */
  static final int MAX_EVENT_NAME = 256;

  void subscribe(RealConnection c, JsonNode payload, Reply reply) {
    ObjectNode request = Fields.object(payload, Wire.SUBSCRIBE, "{roomId, eventName}");
    Membership m = membership(c, Fields.requiredString(request, "roomId"));
    String eventName = Fields.requiredString(request, "eventName");
    if (eventName.length() > MAX_EVENT_NAME) {
      throw Fields.invalid("eventName is at most " + MAX_EVENT_NAME + " characters");
    }
    Set<String> now = m.subscriptions();
    if (!now.contains(eventName) && now.size() >= MAX_SUBSCRIPTIONS) {
      // Each subscription copies the set: unbounded, 10,000 names made every subscribe slow.
      throw Fields.invalid(
          "A connection subscribes to at most "
              + MAX_SUBSCRIPTIONS
              + " event names in a room; subscribe to '*' for all of them");
    }
    m.subscribe(eventName);
    reply.ok(null, null, new Wire.Empty());
  }

  void subscribeAll(RealConnection c, JsonNode payload, Reply reply) {
    ObjectNode request = Fields.object(payload, Wire.SUBSCRIBE_ALL, "{roomId}");
    membership(c, Fields.requiredString(request, "roomId")).subscribe(EventDefinition.ANY);
    reply.ok(null, null, new Wire.Empty());
  }

  void unsubscribe(RealConnection c, JsonNode payload, Reply reply) {
    ObjectNode request = Fields.object(payload, Wire.UNSUBSCRIBE, "{roomId, eventName}");
    Membership m = membership(c, Fields.requiredString(request, "roomId"));
    m.unsubscribe(Fields.requiredString(request, "eventName"));
    reply.ok(null, null, new Wire.Empty());
  }

  /** The connection's membership in an existing room it has joined. */
  Membership membership(RealConnection c, String roomId) {
    hub.requireRoom(roomId, c);
    Membership m = c.membership(roomId);
    if (m == null) {
      throw notInRoom(roomId);
    }
    return m;
  }

  static DialogueException notInRoom(String roomId) {
    return new DialogueException(ErrorCode.NOT_IN_ROOM, "Join room '" + roomId + "' first");
  }
}
