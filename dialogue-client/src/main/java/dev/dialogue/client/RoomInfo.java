package dev.dialogue.client;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * A room as {@code listRooms} and {@code roomCreated} describe it.
 *
 * @param id the room id
 * @param name the display name
 * @param description the description, or null
 * @param size connections in the room, or null where the server does not say
 * @param maxSize the capacity, or null when unlimited
 * @param createdById the creating user, or null for server rooms
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record RoomInfo(
    String id,
    String name,
    String description,
    Integer size,
    Integer maxSize,
    String createdById) {}
