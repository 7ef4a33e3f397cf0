package dev.dialogue;

/**
 * Who may know that a room exists. Set with {@link RoomConfig.Builder#visibility} or {@link
 * RoomConfig.Builder#visibleTo}; rooms are {@link #PUBLIC} unless marked otherwise.
 */
public enum RoomVisibility {
  /**
   * Listed by {@code dialogue:listRooms}, announced to every connection by {@code
   * dialogue:roomCreated} and {@code dialogue:roomDeleted}, and open to every request (the join
   * policy and capacity still apply). The default, for configured and runtime rooms alike.
   */
  PUBLIC,

  /**
   * Exists only for its members and for the connections the room's {@link RoomVisibilityPolicy}
   * admits. For every other connection it is absent from {@code dialogue:listRooms}, its {@code
   * roomCreated}/{@code roomDeleted} are not sent, and every request naming it ({@code join},
   * {@code trigger}, {@code getHistory}, {@code subscribe}, {@code deleteRoom}, ...) is answered
   * exactly as for a room that does not exist: {@code ROOM_NOT_FOUND "Room '<id>' does not exist"}.
   *
   * <p>Server code is not limited: {@link Dialogue#room}, {@link Dialogue#rooms} and {@link
   * ClientConnection#join} see every room, so the server can seat a chosen connection in a private
   * room; as a member it then sees the room until it leaves.
   */
  PRIVATE
}
