package dev.dialogue.internal;

import dev.dialogue.ClientConnection;

/**
 * What a room needs of a member's connection: its identity and a way to add it to the recipients of
 * an event. {@link RealConnection} is the one implementation; rooms depend on this rather than on
 * it, so that the connection can use the engine (join, leave) without a cycle.
 */
interface Recipient extends ClientConnection {
  /** Adds this connection to the event's recipients; false if it is closed. */
  boolean emit(OutboundEvent event);
}
