package dev.dialogue;

/**
 * Decides which connections, besides its members, may see a {@linkplain RoomVisibility#PRIVATE
 * private} room: find it in {@code dialogue:listRooms}, receive its {@code roomCreated} and {@code
 * roomDeleted}, and name it in requests (which then go on to the join policy, membership checks and
 * so on, as for a public room). A connection it does not admit learns nothing of the room: every
 * request naming it is answered as for a room that does not exist.
 *
 * <pre>{@code
 * RoomConfig vault = RoomConfig.builder("vault", "Vault")
 *     .anyEvent()
 *     .visibleTo((client, room) -> "admin".equals(client.claims().get("role")))
 *     .build();
 * }</pre>
 *
 * <p>It is asked often: for each request naming the room, for each {@code listRooms}, and once per
 * connected client when the room is created or deleted. So it must be quick and must not block (no
 * I/O): decide from what the connection already carries ({@link ClientConnection#userId}, {@link
 * ClientConnection#claims}, {@link ClientConnection#meta}). It is called on a hook-executor thread
 * for client requests and on the calling thread for server-side {@link Dialogue#createRoom} and
 * {@link Dialogue#deleteRoom}, possibly for several connections at once. An exception is logged and
 * counts as "may not see" (fail closed).
 */
@FunctionalInterface
public interface RoomVisibilityPolicy {
  /** Whether {@code client}, not a member, may see {@code room}. */
  boolean canSee(ClientConnection client, Room room);
}
