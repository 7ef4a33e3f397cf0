package dev.dialogue.client;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * A room as {@code listRooms} and {@code roomCreated} describe it.
 *
 * @param id the room id
 * @param name the display name
 * @param description the description, or null
 * @param size connections in the room, or null where the server does not say
 * @param maxSize the capacity, or null when unlimited
 * @param createdById the creating user, or null for server rooms
 * @param metadata the application's data about the room ({@code RoomConfig.Builder.metadata} on the
 *     server), or null
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record RoomInfo(
    String id,
    String name,
    String description,
    Integer size,
    Integer maxSize,
    String createdById,
    JsonNode metadata) {}
