package dev.dialogue.client;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * The server's confirmation of a trigger.
 *
 * @param id the message id
 * @param offset the room offset if the event was stored, or null
 * @param timestamp server time of the event
 * @param duplicate true when the server had already accepted this {@code clientMessageId}
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Published(String id, Long offset, long timestamp, boolean duplicate) {}
