package dev.dialogue.internal;

import com.fasterxml.jackson.databind.util.RawValue;
import dev.dialogue.ClientConnection;
import dev.dialogue.EventDefinition;
import dev.dialogue.EventMessage;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * Who is in one room: the members with their places ({@link Membership}) and the default
 * subscriptions they share, presence (the {@link PresenceStore}'s entries for the room and the
 * diffs sent to the members), and the fan-out of an event to the subscribed members. Guarded by the
 * room's lock: {@link RoomState} calls it with the lock held and decides the order of the changes;
 * the reads from outside ({@link #connections}, {@link #contains}, presence) take the lock.
 */
final class Roster {
  private final RoomState room;
  private final ReentrantLock lock;
  private final boolean presenceOn;
  private final PresenceStore presence;
  private final Map<String, Membership> members = new LinkedHashMap<>();

  /** Shared by the members that keep the defaults (see {@link Membership}). */
  private final Set<String> defaultSubscriptions;

  /** The room's events that are not {@link EventDefinition.Delivery#RELIABLE}, by name. */
  private final Map<String, EventDefinition.Delivery> deliveries;

  /** The member count, read without the lock. */
  private volatile int size;

  Roster(
      RoomState room,
      ReentrantLock lock,
      PresenceStore presence,
      Map<String, EventDefinition.Delivery> deliveries) {
    this.deliveries = deliveries;
    this.room = room;
    this.lock = lock;
    this.presenceOn = room.config().presence();
    this.presence = presence;
    this.defaultSubscriptions = Set.copyOf(room.config().defaultSubscriptions());
  }

  /** The member count; needs no lock. */
  int size() {
    return size;
  }

  boolean isEmpty() {
    return members.isEmpty();
  }

  Membership get(String connectionId) {
    return members.get(connectionId);
  }

  List<ClientConnection> connections() {
    return locked(
        () -> members.values().stream().<ClientConnection>map(m -> m.connection).toList());
  }

  boolean contains(ClientConnection connection) {
    return locked(() -> members.containsKey(connection.id()));
  }

  /** A new member with the room's default subscriptions as {@code subscriptions} changes them. */
  Membership add(Recipient connection, JoinSubscriptions subscriptions) {
    Membership membership =
        new Membership(connection, room, subscriptions.applyTo(defaultSubscriptions));
    members.put(connection.id(), membership);
    size = members.size();
    return membership;
  }

  /** The member is present: the others learn of it if it is its user's first connection here. */
  void present(Recipient connection) {
    if (presenceOn && presence.add(room.id(), connection.userId(), connection.id())) {
      broadcastPresence(List.of(connection.userId()), List.of());
    }
  }

  /** Removes a member; its former place, or null if it was none. */
  Membership remove(ClientConnection connection) {
    Membership membership = members.remove(connection.id());
    if (membership != null) {
      size = members.size();
    }
    return membership;
  }

  /** The member is gone: the others learn of it if it was its user's last connection here. */
  void absent(ClientConnection connection) {
    if (presenceOn && presence.remove(room.id(), connection.userId(), connection.id())) {
      broadcastPresence(List.of(), List.of(connection.userId()));
    }
  }

  /** Empties the room (it is deleted), presence included; adds the former members to {@code to}. */
  void clear(List<Membership> to) {
    to.addAll(members.values());
    members.clear();
    presence.clear(room.id());
    size = 0;
  }

  Set<String> presentUsers() {
    return locked(() -> Set.copyOf(presence.users(room.id()).keySet()));
  }

  /** The present users with their connection counts. */
  Map<String, Integer> presenceCounts() {
    return locked(() -> presence.users(room.id()));
  }

  /** Under the lock: the presence diff to every member. */
  void broadcastPresence(List<String> joins, List<String> leaves) {
    OutboundEvent broadcast =
        new OutboundEvent(
            Wire.PRESENCE, Json.raw(new Wire.Presence(room.id(), joins, leaves)), members.size());
    for (Membership m : members.values()) {
      m.connection.emit(broadcast);
    }
    broadcast.send();
  }

  /** To the members subscribed to the event (and not held); the number it reached. */
  int deliver(EventMessage event, RawValue payload) {
    String name = event.event();
    EventDefinition.Delivery delivery = deliveries.isEmpty() ? null : deliveries.get(name);
    OutboundEvent broadcast =
        delivery == null
            ? new OutboundEvent(Wire.EVENT, payload, members.size())
            : delivery == EventDefinition.Delivery.VOLATILE
                ? OutboundEvent.droppable(Wire.EVENT, payload, members.size())
                : new OutboundEvent(
                    Wire.EVENT, payload, members.size(), room.id() + '\u0000' + name);
    int recipients = 0;
    for (Membership m : members.values()) {
      if (m.receives(event.event()) && !m.held() && m.connection.emit(broadcast)) {
        recipients++;
      }
    }
    broadcast.send();
    return recipients;
  }

  /** {@code read} under the room's lock. */
  private <T> T locked(Supplier<T> read) {
    lock.lock();
    try {
      return read.get();
    } finally {
      lock.unlock();
    }
  }
}
