package dev.dialogue;

import java.util.Collection;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** One connection's place in one room, with its subscriptions there. */
final class Membership {
  final RealConnection connection;
  final RealRoom room;
  final Set<String> subscriptions = ConcurrentHashMap.newKeySet();

  Membership(RealConnection connection, RealRoom room, Collection<String> defaults) {
    this.connection = connection;
    this.room = room;
    this.subscriptions.addAll(defaults);
  }

  boolean receives(String eventName) {
    return subscriptions.contains(eventName) || subscriptions.contains(EventDefinition.ANY);
  }
}
