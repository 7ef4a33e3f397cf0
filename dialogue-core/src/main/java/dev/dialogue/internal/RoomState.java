package dev.dialogue.internal;

import dev.dialogue.ClientConnection;
import dev.dialogue.DialogueException;
import dev.dialogue.ErrorCode;
import dev.dialogue.EventDefinition;
import dev.dialogue.EventMessage;
import dev.dialogue.Room;
import dev.dialogue.RoomConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * A room's state behind its face ({@link RealRoom}): the members and their subscriptions, presence,
 * the stream of events ({@link Broker.Stream}: offsets, memory history, events waiting for their
 * commit) and the handlers. Its lock orders every change of membership and every delivery, so all
 * participants see one order and offsets follow delivery order. The lock is never held while user
 * code runs; under it the room only enqueues packets, which never blocks.
 *
 * <p>Its parts: who is in it ({@link Roster}: members, presence), its events ({@link RoomEvents}:
 * the stream, this node's side of it, memory history), the application's side ({@link RoomCode}:
 * handlers, interceptors, attributes, the room's serial executor) and its disposal once empty
 * ({@link Vacancy}); this class orders the changes under the lock.
 *
 * <p>The engine (publishing, joining, the memory budget) works on this; only the application sees
 * the face.
 */
public final class RoomState {
  enum Outcome {
    ADMITTED,
    /** A member held since its connection resumed came back: see {@link #hold}. */
    RESUMED,
    ALREADY_IN,
    FULL,
    GONE
  }

  /**
   * The result of an admission, with the room's position at that moment.
   *
   * @param membership the member's place, for {@link Outcome#ADMITTED} and {@link Outcome#RESUMED}
   *     only
   */
  public record Admission(Outcome outcome, long offset, String epoch, Membership membership) {}

  private final Room face;
  private final RoomConfig config;

  private volatile long lastActivity;
  private final ReentrantLock lock = new ReentrantLock();

  /** The members and presence; guarded by the lock. */
  final Roster roster;

  /** The stream of events and this node's side of it. */
  final RoomEvents events;

  /** The application's side of the room: handlers, interceptors, attributes, serial executor. */
  final RoomCode code;

  private boolean deleted;

  /** The disposal once empty; guarded by the lock. */
  private final Vacancy vacancy = new Vacancy();

  /**
   * @param face what the application and the hooks see of this room
   * @param deliveries the room's events that are not {@link EventDefinition.Delivery#RELIABLE}, by
   *     name, with their policy
   */
  RoomState(
      Room face,
      RoomConfig config,
      Map<String, EventDefinition.Delivery> deliveries,
      Broker broker,
      PresenceStore presence,
      Hooks hooks,
      Settings.RuntimeSettings runtime) {
    this.face = face;
    this.config = config;
    this.code = new RoomCode(config, runtime);
    this.roster = new Roster(this, lock, presence, deliveries);
    this.events =
        new RoomEvents(
            config.id(),
            lock,
            broker,
            roster::deliver,
            () -> roster.size() > 0,
            roster::broadcastPresence,
            code,
            hooks,
            face);
    this.lastActivity = System.nanoTime();
  }

  /** What the application and the hooks see of this room. */
  public Room face() {
    return face;
  }

  public String id() {
    return config.id();
  }

  public RoomConfig config() {
    return config;
  }

  public String epoch() {
    return events.epoch();
  }

  /** When the room last delivered an event or admitted a connection ({@link System#nanoTime()}). */
  long lastActivity() {
    return lastActivity;
  }

  int size() {
    return roster.size();
  }

  // ---- members ----

  boolean contains(ClientConnection connection) {
    return roster.contains(connection);
  }

  /**
   * Adds a connection. {@code onAdmitted} runs under the lock right after, so that whatever it
   * sends (the join reply) reaches the client before any event delivered after the join.
   */
  public Admission admit(
      Recipient connection, JoinSubscriptions subscriptions, Consumer<Admission> onAdmitted) {
    lock.lock();
    try {
      long offset = events.offset();
      if (deleted) {
        return new Admission(Outcome.GONE, offset, epoch(), null);
      }
      Membership existing = roster.get(connection.id());
      if (existing != null) {
        if (!existing.held()) {
          return new Admission(Outcome.ALREADY_IN, offset, epoch(), null);
        }
        // The answer (and the recovered events) go out before the member receives live again.
        Admission resumed = new Admission(Outcome.RESUMED, offset, epoch(), existing);
        onAdmitted.accept(resumed);
        existing.release(subscriptions.applyTo(existing.subscriptions()));
        return resumed;
      }
      if (config.maxSize() > 0 && !events.seat(connection.id(), config.maxSize(), roster.size())) {
        return new Admission(Outcome.FULL, offset, epoch(), null);
      }
      vacancy.occupied();
      lastActivity = System.nanoTime();
      Membership membership = roster.add(connection, subscriptions);
      Admission admission = new Admission(Outcome.ADMITTED, offset, epoch(), membership);
      onAdmitted.accept(admission);
      roster.present(connection);
      return admission;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Removes a connection; {@code onRemoved} runs under the lock with its former place. Returns
   * whether it was in the room.
   */
  boolean remove(ClientConnection connection, Consumer<Membership> onRemoved) {
    lock.lock();
    try {
      Membership membership = roster.remove(connection);
      if (membership == null) {
        return false;
      }
      onRemoved.accept(membership);
      if (config.maxSize() > 0) {
        events.unseat(connection.id());
      }
      roster.absent(connection);
      if (roster.isEmpty()) {
        vacated();
      }
      return true;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Holds {@code membership} if it is still this room's: its connection resumed after a drop, so it
   * keeps its seat and presence but receives no event until its client re-joins with {@code since}
   * (the admission's {@link Admission.Outcome#RESUMED}), which recovers what it missed in the same
   * step.
   */
  void hold(Membership membership) {
    lock.lock();
    try {
      if (roster.get(membership.connection.id()) == membership) {
        membership.hold();
      }
    } finally {
      lock.unlock();
    }
  }

  // ---- disposal when empty ----

  /**
   * From now on the room is disposed of by {@code disposal} each time it becomes empty; if it is
   * empty now, its grace starts now.
   */
  void disposeWhenEmpty(Vacancy.Rule disposal) {
    lock.lock();
    try {
      vacancy.rule(disposal);
      if (roster.isEmpty() && !deleted) {
        vacated();
      }
    } finally {
      lock.unlock();
    }
  }

  /** Under the lock: the room became empty. */
  private void vacated() {
    if (!deleted) {
      vacancy.emptied();
    }
  }

  /**
   * Deletes the room as {@link #delete} if it has stayed empty since the emptiness {@code vacancy};
   * returns the drained history, or null when someone joined meanwhile.
   */
  Map<String, List<EventMessage>> deleteIfVacant(long vacancy) {
    lock.lock();
    try {
      if (deleted || !this.vacancy.since(vacancy) || !roster.isEmpty()) {
        return null;
      }
      return delete(new ArrayList<>());
    } finally {
      lock.unlock();
    }
  }

  /** Marks the room deleted and empties it; returns the former members and the drained history. */
  Map<String, List<EventMessage>> delete(List<Membership> formerMembers) {
    lock.lock();
    try {
      deleted = true;
      vacancy.cancel();
      Map<String, List<EventMessage>> drained =
          events.delete(
              new DialogueException(ErrorCode.ROOM_NOT_FOUND, "Room '" + id() + "' was deleted"));
      roster.clear(formerMembers);
      return drained;
    } finally {
      lock.unlock();
    }
  }

  // ---- events ----

  /** The last offset shown to anyone. */
  long offset() {
    return events.offset();
  }

  /**
   * Publishes to the room's stream: the next offset (when {@code historyLimit > 0}), durable
   * history, then delivery to every subscribed member, encoding the envelope once (see {@link
   * Broker.Stream#publish}).
   */
  public Broker.Delivery deliver(EventMessage message, int historyLimit) {
    return deliver(message, historyLimit, null);
  }

  /**
   * Like {@link #deliver(EventMessage, int)}, and then {@code after} on the room's {@link
   * RoomCode#serial} executor once the event is shown: handed over under the lock, so the room's
   * events reach it in offset order. Never for an event that is not shown (storing failed, the room
   * went away).
   */
  Broker.Delivery deliver(
      EventMessage message, int historyLimit, BiConsumer<EventMessage, Broker.Shown> after) {
    lock.lock();
    try {
      if (deleted) {
        throw new DialogueException(ErrorCode.ROOM_NOT_FOUND, "Room '" + id() + "' does not exist");
      }
      lastActivity = System.nanoTime();
      return events.publish(message, historyLimit, after);
    } finally {
      lock.unlock();
    }
  }

  @Override
  public String toString() {
    return "RoomState{" + id() + "}";
  }
}
