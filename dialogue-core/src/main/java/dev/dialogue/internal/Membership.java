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
   * Set while the connection is back after a drop but its client has not re-joined the room yet: it
   * keeps its seat and presence, and receives nothing (see {@link RoomState#hold}).
   */
  private volatile boolean held;

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

  boolean held() {
    return held;
  }

  /** Under the room's lock. */
  void hold() {
    held = true;
  }

  /** Under the room's lock: receives again, with {@code subscriptions}. */
  synchronized void release(Set<String> subscriptions) {
    this.subscriptions = subscriptions;
    held = false;
  }

  public synchronized void subscribe(String eventName) {
    subscriptions = CopyOnWrite.plus(subscriptions, eventName);
  }

  public synchronized void unsubscribe(String eventName) {
    subscriptions = CopyOnWrite.minus(subscriptions, eventName);
  }
}
