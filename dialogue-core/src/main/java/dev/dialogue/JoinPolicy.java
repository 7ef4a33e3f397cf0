package dev.dialogue;

/**
 * Decides whether a client may join a room (the original's {@code beforeJoin}). Runs for every
 * {@code dialogue:join} request of a client that is not already in the room, after the room-exists
 * check and before the capacity check. A denial reaches the client as {@code JOIN_DENIED} with the
 * reason. Server-side {@link ClientConnection#join} does not consult it.
 *
 * <p>Called on a hook-executor thread; may block. A thrown exception is logged and answered with
 * {@code INTERNAL_ERROR}.
 */
@FunctionalInterface
public interface JoinPolicy {
  Decision beforeJoin(ClientConnection client, Room room) throws Exception;
}
