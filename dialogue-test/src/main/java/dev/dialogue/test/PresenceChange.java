package dev.dialogue.test;

import java.util.List;

/**
 * One presence update of a room, as {@link TestRoom#recordPresence()} records it.
 *
 * @param joined user ids that arrived
 * @param left user ids that left
 */
public record PresenceChange(List<String> joined, List<String> left) {
  /** Copies both lists. */
  public PresenceChange {
    joined = List.copyOf(joined);
    left = List.copyOf(left);
  }
}
