package dev.dialogue.client;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;

/**
 * A page of history, newest first.
 *
 * @param roomId the room
 * @param eventName the event name, or null for an empty request
 * @param events the events, index 0 the newest
 * @param start the first index
 * @param end the exclusive end index
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record HistoryPage(
    String roomId, String eventName, List<EventMessage> events, int start, int end) {}
