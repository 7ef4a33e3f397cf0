package dev.dialogue.internal;

import dev.dialogue.ClientConnection;
import dev.dialogue.DialogueException;
import dev.dialogue.ErrorCode;
import dev.dialogue.RoomVisibility;
import dev.dialogue.RoomVisibilityPolicy;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Predicate;
import org.slf4j.Logger;

/**
 * Which connections may know that a room exists ({@link RoomVisibility}): every one for a public
 * room; for a private one its members and those its policy admits. Whoever may not see a room is
 * answered as if it did not exist, with the very error a missing room gets.
 */
final class Visibility {
  private Visibility() {}

  /**
   * The answer to a request naming a room that does not exist, or that the requester may not see.
   */
  static DialogueException notFound(String roomId) {
    return new DialogueException(ErrorCode.ROOM_NOT_FOUND, "Room '" + roomId + "' does not exist");
  }

  static boolean canSee(RealRoom room, RealConnection viewer, Logger log) {
    if (room.config().visibility() == RoomVisibility.PUBLIC) {
      return true;
    }
    Membership m = viewer.membership(room.id());
    return (m != null && m.room == room.state()) || admits(room, viewer, log);
  }

  /**
   * Who is told of {@code room}'s creation or deletion; taken before a deletion removes the
   * members, who are told too.
   */
  static Predicate<RealConnection> audience(RealRoom room, Logger log) {
    if (room.config().visibility() == RoomVisibility.PUBLIC) {
      return c -> true;
    }
    Set<ClientConnection> members = new HashSet<>(room.participants());
    return c -> members.contains(c) || admits(room, c, log);
  }

  private static boolean admits(RealRoom room, RealConnection viewer, Logger log) {
    RoomVisibilityPolicy policy = room.config().visibleTo();
    if (policy == null) {
      return false;
    }
    try {
      return policy.canSee(viewer, room);
    } catch (RuntimeException | Error e) {
      log.error(
          "Hook roomVisibilityPolicy of room '{}' failed for {}; the room stays hidden from it",
          room.id(),
          viewer,
          e);
      return false;
    }
  }
}
