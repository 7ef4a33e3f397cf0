package dev.dialogue;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;

/** Event names and payload shapes of the wire protocol (docs/protocol.md). */
final class Wire {
  private Wire() {}

  static final String PREFIX = "dialogue:";

  // Server to client.
  static final String CONNECTED = "dialogue:connected";
  static final String JOINED = "dialogue:joined";
  static final String LEFT = "dialogue:left";
  static final String EVENT = "dialogue:event";
  static final String HISTORY = "dialogue:history";
  static final String HISTORY_RESPONSE = "dialogue:historyResponse";
  static final String ROOMS = "dialogue:rooms";
  static final String ROOM_CREATED = "dialogue:roomCreated";
  static final String ROOM_DELETED = "dialogue:roomDeleted";
  static final String ERROR = "dialogue:error";
  static final String PRESENCE = "dialogue:presence";
  static final String PRESENCE_STATE = "dialogue:presenceState";

  // Client to server.
  static final String JOIN = "dialogue:join";
  static final String LEAVE = "dialogue:leave";
  static final String SUBSCRIBE = "dialogue:subscribe";
  static final String SUBSCRIBE_ALL = "dialogue:subscribeAll";
  static final String UNSUBSCRIBE = "dialogue:unsubscribe";
  static final String TRIGGER = "dialogue:trigger";
  static final String GET_HISTORY = "dialogue:getHistory";
  static final String LIST_ROOMS = "dialogue:listRooms";
  static final String CREATE_ROOM = "dialogue:createRoom";
  static final String DELETE_ROOM = "dialogue:deleteRoom";
  static final String GET_PRESENCE = "dialogue:getPresence";

  record Connected(String clientId, String userId) {}

  record Joined(String roomId, String roomName) {}

  @JsonPropertyOrder({"roomId", "roomName", "offset", "epoch", "history", "recovered", "missed"})
  record JoinResult(
      String roomId,
      String roomName,
      long offset,
      String epoch,
      List<EventMessage> history,
      Boolean recovered,
      List<EventMessage> missed) {}

  record RoomRef(String roomId) {}

  @JsonPropertyOrder({"id", "name", "description", "size", "maxSize", "createdById"})
  record RoomInfo(
      String id,
      String name,
      String description,
      Integer size,
      Integer maxSize,
      String createdById) {}

  @JsonPropertyOrder({"id", "name", "description", "maxSize", "createdById"})
  record RoomCreated(
      String id, String name, String description, Integer maxSize, String createdById) {
    static RoomCreated of(RoomConfig c) {
      return new RoomCreated(
          c.id(), c.name(), c.description(), c.maxSize() > 0 ? c.maxSize() : null, c.createdById());
    }
  }

  record Rooms(List<RoomInfo> rooms) {}

  @JsonPropertyOrder({"roomId", "eventName", "events", "start", "end"})
  record HistoryResponse(
      String roomId,
      @JsonInclude(JsonInclude.Include.ALWAYS) String eventName,
      List<EventMessage> events,
      int start,
      int end) {}

  record History(String roomId, List<EventMessage> events) {}

  @JsonPropertyOrder({"id", "offset", "timestamp", "duplicate"})
  record Published(String id, Long offset, long timestamp, Boolean duplicate) {}

  record ErrorBody(String code, String message) {}

  record Presence(String roomId, List<String> joins, List<String> leaves) {}

  record PresenceUser(String userId, int connections) {}

  record PresenceState(String roomId, List<PresenceUser> users) {}

  record Empty() {}
}
