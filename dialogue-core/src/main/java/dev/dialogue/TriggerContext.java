package dev.dialogue;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * What a {@link TriggerInterceptor} knows of a trigger besides its payload.
 *
 * @param room the room it was sent to
 * @param event the event's name
 * @param sender the connection that sent it, or null when server code triggered it
 * @param from the sender's user id as the envelope will carry it
 * @param meta the trigger's meta, or null
 */
public record TriggerContext(
    Room room, String event, ClientConnection sender, String from, ObjectNode meta) {}
