package dev.dialogue.internal;

import dev.dialogue.EventDefinition;
import java.util.Set;

/**
 * One connection's place in one room, with its subscriptions there.
 *
 * <p>The subscriptions are an immutable set replaced on every change: they are read on every
 * delivery and rarely changed, and most connections keep the room's defaults, a set all of them
 * share, so an idle member costs no set of its own.
 */
public final class Membership {
  final Recipient connection;
  final RoomState room;
  private volatile Set<String> subscriptions;

  /**
   * @param defaults the room's default subscriptions, an immutable set shared by its members
   */
  Membership(Recipient connection, RoomState room, Set<String> defaults) {
    this.connection = connection;
    this.room = room;
    this.subscriptions = defaults;
  }

  public boolean receives(String eventName) {
    Set<String> s = subscriptions;
    return s.contains(eventName) || s.contains(EventDefinition.ANY);
  }

  /** The current subscriptions, an immutable set. */
  Set<String> subscriptions() {
    return subscriptions;
  }

  public synchronized void subscribe(String eventName) {
    subscriptions = CopyOnWrite.plus(subscriptions, eventName);
  }

  public synchronized void unsubscribe(String eventName) {
    subscriptions = CopyOnWrite.minus(subscriptions, eventName);
  }
}
