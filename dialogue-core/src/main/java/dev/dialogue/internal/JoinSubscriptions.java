package dev.dialogue.internal;

import java.util.HashSet;
import java.util.Set;

/**
 * Event names a join unsubscribes from the room's defaults, then subscribes to, with the admission
 * itself: a re-joining client restores its subscriptions without a moment in which events it
 * subscribed to pass it by.
 */
public record JoinSubscriptions(Set<String> subscribe, Set<String> unsubscribe) {
  public static final JoinSubscriptions NONE = new JoinSubscriptions(Set.of(), Set.of());

  /** The subscriptions a member starts with, given the room's defaults. */
  Set<String> applyTo(Set<String> defaults) {
    if (subscribe.isEmpty() && unsubscribe.isEmpty()) {
      return defaults; // shared by the room's members
    }
    Set<String> start = new HashSet<>(defaults);
    start.removeAll(unsubscribe);
    start.addAll(subscribe);
    return Set.copyOf(start);
  }
}
