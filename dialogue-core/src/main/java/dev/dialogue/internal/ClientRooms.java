package dev.dialogue.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dialogue.Decision;
import dev.dialogue.DialogueException;
import dev.dialogue.ErrorCode;
import dev.dialogue.EventDefinition;
import dev.dialogue.RoomConfig;
import dev.dialogue.RoomCreationPolicy;

/**
 * The requests for rooms made by clients ({@code dialogue:createRoom}, {@code
 * dialogue:deleteRoom}): the request's checks, the events such a room allows, the creation policy,
 * and who may delete. Runs on the requesting connection's serial executor, as every request does
 * ({@link Requests}).
 */
final class ClientRooms {
  private final Hub hub;
  private final Settings.RoomSettings rooms;
  private final RoomCreationPolicy policy;

  /**
   * @param policy the application's room creation policy, or null
   */
  ClientRooms(Hub hub, Settings.RoomSettings rooms, RoomCreationPolicy policy) {
    this.hub = hub;
    this.rooms = rooms;
    this.policy = policy;
  }

  /** Bounds of a client-created room's fields. */
  static final int MAX_ID = 256;

  static final int MAX_NAME = 200;
  static final int MAX_DESCRIPTION = 2_000;

  void create(RealConnection c, JsonNode payload, Reply reply) {
    ObjectNode request =
        Fields.object(payload, Wire.CREATE_ROOM, "{id, name, description, maxSize}");
    JsonNode id = request.get("id");
    JsonNode name = request.get("name");
    if (id == null
        || !id.isTextual()
        || id.textValue().isBlank()
        || name == null
        || !name.isTextual()
        || name.textValue().isBlank()) {
      throw Fields.invalid("Room id and name are required");
    }
    if (id.textValue().length() > MAX_ID) {
      throw Fields.invalid("Room id is at most " + MAX_ID + " characters");
    }
    if (name.textValue().length() > MAX_NAME) {
      throw Fields.invalid("Room name is at most " + MAX_NAME + " characters");
    }
    String description = Fields.optionalString(request, "description");
    if (description != null && description.length() > MAX_DESCRIPTION) {
      // It is sent to every connection that can see the room, in listRooms and roomCreated.
      throw Fields.invalid("Room description is at most " + MAX_DESCRIPTION + " characters");
    }
    int maxSize = Fields.optionalInt(request, "maxSize", 0);
    if (request.hasNonNull("maxSize") && maxSize <= 0) {
      throw Fields.invalid("maxSize must be a positive integer, got " + maxSize);
    }
    RealRoom taken = hub.room(id.textValue());
    if (taken != null && hub.canSee(taken, c)) {
      throw new DialogueException(
          ErrorCode.ROOM_EXISTS, "Room '" + id.textValue() + "' already exists");
    }
    // An id a hidden private room holds goes on as if free, so that a creation policy refusing
    // it (e.g. a reserved prefix) answers as it would for a free id; only then ROOM_EXISTS.
    RoomConfig.Builder builder =
        RoomConfig.builder(id.textValue(), name.textValue()).createdById(c.userId());
    if (description != null) {
      builder.description(description);
    }
    if (maxSize > 0) {
      builder.maxSize(maxSize);
    }
    JsonNode metadata = request.get("metadata");
    if (metadata != null && !metadata.isNull()) {
      try {
        builder.metadata(metadata);
      } catch (IllegalArgumentException e) {
        throw Fields.invalid(e.getMessage());
      }
    }
    if (rooms.clientRoomsAnyEvent()) {
      builder.anyEvent();
    } else {
      builder.events(rooms.clientRoomEvents().toArray(new EventDefinition<?>[0]));
    }
    RoomConfig config = builder.build();
    if (policy != null) {
      Decision decision =
          hub.hooks().answer("roomCreationPolicy", () -> policy.beforeCreate(c, config));
      if (!decision.allowed()) {
        throw new DialogueException(ErrorCode.PERMISSION_DENIED, decision.reason());
      }
    }
    hub.createRoom(config, c, reply);
  }

  void delete(RealConnection c, JsonNode payload, Reply reply) {
    ObjectNode request = Fields.object(payload, Wire.DELETE_ROOM, "{roomId}");
    String roomId = Fields.requiredString(request, "roomId");
    RealRoom room = hub.requireRoom(roomId, c);
    if (room.configured || room.createdById() == null) {
      throw new DialogueException(
          ErrorCode.PERMISSION_DENIED,
          "Room '" + roomId + "' was created by the server and cannot be deleted by clients");
    }
    if (!room.createdById().equals(c.userId())) {
      throw new DialogueException(
          ErrorCode.PERMISSION_DENIED, "Only the room creator can delete this room");
    }
    if (!hub.deleteRoom(roomId, c, reply)) {
      throw Visibility.notFound(roomId);
    }
  }
}
