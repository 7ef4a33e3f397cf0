package dev.dialogue.internal;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import dev.dialogue.EventMessage;
import dev.dialogue.RoomConfig;
import java.util.List;

/** Event names and payload shapes of the wire protocol (docs/protocol.md). */
public final class Wire {
  private Wire() {}

  public static final String PREFIX = "dialogue:";

  // Server to client.
  public static final String CONNECTED = "dialogue:connected";
  public static final String JOINED = "dialogue:joined";
  public static final String LEFT = "dialogue:left";
  public static final String EVENT = "dialogue:event";
  public static final String HISTORY = "dialogue:history";
  public static final String HISTORY_RESPONSE = "dialogue:historyResponse";
  public static final String ROOMS = "dialogue:rooms";
  public static final String ROOM_CREATED = "dialogue:roomCreated";
  public static final String ROOM_DELETED = "dialogue:roomDeleted";
  public static final String ERROR = "dialogue:error";
  public static final String PRESENCE = "dialogue:presence";
  public static final String PRESENCE_STATE = "dialogue:presenceState";

  // Client to server.
  public static final String JOIN = "dialogue:join";
  public static final String LEAVE = "dialogue:leave";
  public static final String SUBSCRIBE = "dialogue:subscribe";
  public static final String SUBSCRIBE_ALL = "dialogue:subscribeAll";
  public static final String UNSUBSCRIBE = "dialogue:unsubscribe";
  public static final String TRIGGER = "dialogue:trigger";
  public static final String GET_HISTORY = "dialogue:getHistory";
  public static final String LIST_ROOMS = "dialogue:listRooms";
  public static final String CREATE_ROOM = "dialogue:createRoom";
  public static final String DELETE_ROOM = "dialogue:deleteRoom";
  public static final String GET_PRESENCE = "dialogue:getPresence";
  public static final String REQUEST = "dialogue:request";

  /**
   * @param resumeToken with a disconnect grace: what resumes this connection once
   *     (docs/lifecycle.md)
   * @param resumed true when a resumption token was honoured, else omitted
   * @param rooms with {@code resumed}: the rooms the connection is still in, each to re-join
   */
  @JsonPropertyOrder({"clientId", "userId", "resumeToken", "resumed", "rooms"})
  record Connected(
      String clientId, String userId, String resumeToken, Boolean resumed, List<String> rooms) {}

  record Joined(String roomId, String roomName) {}

  @JsonPropertyOrder({"roomId", "roomName", "offset", "epoch", "history", "recovered", "missed"})
  record JoinResult(
      String roomId,
      String roomName,
      long offset,
      String epoch,
      List<EventMessage> history,
      Boolean recovered,
      List<EventMessage> missed,
      JsonNode metadata) {}

  record RoomRef(String roomId) {}

  @JsonPropertyOrder({"id", "name", "description", "size", "maxSize", "createdById", "metadata"})
  record RoomInfo(
      String id,
      String name,
      String description,
      Integer size,
      Integer maxSize,
      String createdById,
      JsonNode metadata) {}

  @JsonPropertyOrder({"id", "name", "description", "maxSize", "createdById", "metadata"})
  record RoomCreated(
      String id,
      String name,
      String description,
      Integer maxSize,
      String createdById,
      JsonNode metadata) {
    static RoomCreated of(RoomConfig c) {
      return new RoomCreated(
          c.id(),
          c.name(),
          c.description(),
          c.maxSize() > 0 ? c.maxSize() : null,
          c.createdById(),
          c.metadata());
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

  /** {@code data} only in a command's application error; omitted when null. */
  /**
   * An error answer. {@code retryAfterMs} (an extension, with {@code RATE_LIMITED}): how long the
   * client should wait before it tries again; null when not known.
   */
  record ErrorBody(String code, String message, JsonNode data, Long retryAfterMs) {
    ErrorBody(String code, String message, JsonNode data) {
      this(code, message, data, null);
    }
  }

  /** A command's answer: {@code {ok: true, result}}, the result omitted when null. */
  record CommandResult(JsonNode result) {}

  record Presence(String roomId, List<String> joins, List<String> leaves) {}

  record PresenceUser(String userId, int connections) {}

  record PresenceState(String roomId, List<PresenceUser> users) {}

  record Empty() {}
}
