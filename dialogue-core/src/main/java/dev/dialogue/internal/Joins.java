package dev.dialogue.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dialogue.Decision;
import dev.dialogue.DialogueException;
import dev.dialogue.DialogueObserver;
import dev.dialogue.ErrorCode;
import dev.dialogue.EventMessage;
import dev.dialogue.HistoryStore;
import dev.dialogue.JoinPolicy;
import java.util.ArrayList;
import java.util.List;

/**
 * The join algorithm: the join policy, the per-connection room limit, admission under the room's
 * lock together with the recovery of missed events or the history cut, and the answer's order; and
 * leaving. Runs on the requesting connection's serial executor (or the caller's thread for joins
 * made by server code).
 */
public final class Joins {
  private final JoinPolicy joinPolicy;
  private final int maxRoomsPerConnection;
  private final Quotas quotas;
  private final Hooks hooks;
  private final Histories histories;
  private final Broker.Directory directory;
  private final DialogueObserver observer;

  /**
   * @param joinPolicy the application's, or null
   * @param directory a cluster's directory of connections, told of each join, or null
   */
  Joins(
      JoinPolicy joinPolicy,
      Settings.LimitSettings limits,
      Quotas quotas,
      Hooks hooks,
      Histories histories,
      Broker.Directory directory,
      DialogueObserver observer) {
    this.directory = directory;
    this.observer = observer;
    this.joinPolicy = joinPolicy;
    this.maxRoomsPerConnection = limits.maxRoomsPerConnection();
    this.quotas = quotas;
    this.hooks = hooks;
    this.histories = histories;
  }

  /**
   * Joins {@code connection} to {@code room}. With {@code viaClient} the join policy decides first.
   * Order for the client: joined (or the ack), then whatever onJoined sends, then history.
   */
  void join(RealConnection connection, RoomState room, Reply reply, boolean viaClient) {
    join(connection, room, reply, viaClient, null, JoinSubscriptions.NONE);
  }

  /**
   * Joins {@code connection} to {@code room}. With {@code viaClient} the join policy decides first.
   * Order for the client: joined (or the ack), recovered events, then whatever onJoined sends, then
   * history.
   *
   * @param since where a rejoining client stood (the epoch and the last offset it saw), or null;
   *     the events it missed are delivered in the same step as the admission, so none is lost or
   *     repeated against live delivery
   * @param subscriptions applied to the room's default subscriptions for the new member
   */
  void join(
      RealConnection connection,
      RoomState room,
      Reply reply,
      boolean viaClient,
      HistoryStore.Position since,
      JoinSubscriptions subscriptions) {
    Membership current = connection.membership(room.id());
    boolean held = current != null && current.held();
    if (!held && room.contains(connection)) {
      answerJoined(reply, room, room.offset(), null, since == null ? null : Boolean.FALSE, null);
      return;
    }
    // A held member (its connection resumed) re-joins a room it kept: no policy, no limit, no
    // onJoined; what it missed is recovered with the admission, exact against live delivery.
    if (!held && viaClient && joinPolicy != null) {
      Decision decision =
          hooks.answer("joinPolicy", () -> joinPolicy.beforeJoin(connection, room.face()));
      if (!decision.allowed()) {
        throw new DialogueException(ErrorCode.JOIN_DENIED, decision.reason());
      }
    }
    if (!held && connection.roomCount() >= maxRoomsPerConnection) {
      throw new DialogueException(
          ErrorCode.PERMISSION_DENIED,
          "A connection may be in at most " + maxRoomsPerConnection + " rooms");
    }
    // The user's place in the room is taken first, so that concurrent joins of the user's other
    // connections see it; given back below unless the connection was admitted (then by detach).
    boolean counted = !held && quotas.countsRooms();
    if (counted) {
      quotas.joining(connection.userId(), room.id());
    }
    boolean[] attached = {false};
    try {
      admit(connection, room, reply, since, subscriptions, attached);
    } finally {
      if (counted && !attached[0]) {
        quotas.roomLeft(connection.userId(), room.id());
      }
    }
  }

  private void admit(
      RealConnection connection,
      RoomState room,
      Reply reply,
      HistoryStore.Position since,
      JoinSubscriptions subscriptions,
      boolean[] attached) {
    room.events.warm();
    boolean sameEpoch = since != null && room.epoch().equals(since.epoch());
    // Store reads happen before the lock; memory and the switch to live happen under it.
    List<EventMessage> stored = sameEpoch ? histories.storedAfter(room, since.offset()) : List.of();
    int sync = room.config().syncHistoryOnJoin();
    List<List<EventMessage>> cut = new ArrayList<>(1);
    boolean[] caughtUp = new boolean[1];
    RoomState.Admission admission =
        room.admit(
            connection,
            subscriptions,
            a -> {
              connection.attach(a.membership());
              if (directory != null) {
                directory.update(connection.userId(), connection.id(), connection.rooms());
              }
              attached[0] = true;
              List<EventMessage> missed =
                  sameEpoch ? histories.missed(room, since.offset(), a.offset(), stored) : null;
              // History is cut under the room lock at admission: exactly what came before the
              // join, so nothing in it is also delivered live.
              List<EventMessage> history =
                  missed == null && sync > 0 ? room.events.newest(sync) : List.of();
              cut.add(history);
              Boolean recovered = since == null ? null : missed != null;
              caughtUp[0] = missed != null;
              answerJoined(
                  reply,
                  room,
                  a.offset(),
                  reply.acked() ? history : null,
                  recovered,
                  reply.acked() ? missed : null);
              if (missed != null && !reply.acked()) {
                for (EventMessage m : missed) {
                  connection.emit(Wire.EVENT, m);
                }
              }
            });
    switch (admission.outcome()) {
      case GONE ->
          throw new DialogueException(
              ErrorCode.ROOM_NOT_FOUND, "Room '" + room.id() + "' does not exist");
      case FULL ->
          throw new DialogueException(
              ErrorCode.ROOM_FULL, "Room '" + room.id() + "' is at capacity");
      case ALREADY_IN ->
          answerJoined(
              reply, room, admission.offset(), null, since == null ? null : Boolean.FALSE, null);
      case ADMITTED, RESUMED -> {
        observer.onJoined(room.id());
        if (since != null) {
          observer.onRecovery(room.id(), caughtUp[0]);
        }
        // On the room's serial executor, like the room's other application code: two joins never
        // run onJoined at once; history follows whatever onJoined sends. A resumed connection's
        // re-join fires no onJoined.
        List<EventMessage> history = cut.get(0);
        boolean admitted = admission.outcome() == RoomState.Outcome.ADMITTED;
        // The connection's next request waits for it, so its listener calls keep request order.
        connection.serial.holdUntil(
            room.code.runSerially(
                () -> {
                  if (admitted) {
                    hooks.notify("onJoined", l -> l.onJoined(connection, room.face()));
                  }
                  if (!reply.acked() && !history.isEmpty()) {
                    connection.emit(Wire.HISTORY, new Wire.History(room.id(), history));
                  }
                }));
      }
    }
  }

  private static void answerJoined(
      Reply reply,
      RoomState room,
      long offset,
      List<EventMessage> history,
      Boolean recovered,
      List<EventMessage> missed) {
    List<EventMessage> h = history == null || history.isEmpty() ? null : history;
    JsonNode metadata = room.config().metadata();
    // The event form carries the position too (an extension): a client told of a join made by
    // server code learns where it starts, for recovery after a reconnect.
    reply.ok(
        Wire.JOINED,
        new Wire.JoinResult(
            room.id(), room.config().name(), offset, room.epoch(), null, null, null, metadata),
        new Wire.JoinResult(
            room.id(), room.config().name(), offset, room.epoch(), h, recovered, missed, metadata));
  }

  /** Removes the connection from the room; returns whether it was in it. */
  boolean leave(RealConnection connection, RoomState room, Reply reply) {
    Wire.RoomRef ref = new Wire.RoomRef(room.id());
    boolean removed =
        room.remove(
            connection,
            m -> {
              connection.detach(m);
              reply.ok(Wire.LEFT, ref, ref);
            });
    if (removed) {
      observer.onLeft(room.id(), "leave");
      connection.serial.holdUntil(
          room.code.runSerially(
              () -> hooks.notify("onLeft", l -> l.onLeft(connection, room.face()))));
    }
    return removed;
  }
}
