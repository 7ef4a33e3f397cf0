package dev.dialogue.client;

/**
 * What a re-join after a reconnect brought ({@link ClientRoom#onRejoined}).
 *
 * @param recovered every event published while the client was away has been delivered; false when
 *     some may be lost (the room's epoch changed, the client was too far behind, or the room keeps
 *     no offsets): reload what the application shows of the room
 * @param missed how many events the re-join delivered
 */
public record Rejoin(boolean recovered, int missed) {}
