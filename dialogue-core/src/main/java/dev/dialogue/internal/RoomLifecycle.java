package dev.dialogue.internal;

import dev.dialogue.DialogueException;
import dev.dialogue.ErrorCode;
import dev.dialogue.EventDefinition;
import dev.dialogue.EventMessage;
import dev.dialogue.RoomConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.slf4j.Logger;

/**
 * A room's life on the server (docs/lifecycle.md): its creation (the limit of client-created rooms,
 * the announcement), the disposal of an empty room once its grace is over (on the server's clock,
 * {@link Deadlines}), and the deletion sequence (the former members leave, history goes to the
 * cleanup hook, the announcement, {@code onRoomDeleted}). The rooms themselves are the {@link
 * Hub}'s registry, which this changes.
 */
final class RoomLifecycle {
  /** Makes a room (the {@link Hub} knows what a room is made of). */
  @FunctionalInterface
  interface Factory {
    RealRoom newRoom(RoomConfig config, boolean byClient);
  }

  private final Map<String, RealRoom> rooms;
  private final Factory factory;
  private final Settings settings;
  private final Hooks hooks;
  private final Histories histories;
  private final Connections connections;
  private final Deadlines deadlines;
  private final Logger log;
  private final AtomicInteger clientRoomCount = new AtomicInteger();

  /**
   * @param rooms the server's rooms by id, changed here on creation and deletion
   */
  RoomLifecycle(
      Map<String, RealRoom> rooms,
      Factory factory,
      Settings settings,
      Hooks hooks,
      Histories histories,
      Connections connections,
      Deadlines deadlines) {
    this.rooms = rooms;
    this.factory = factory;
    this.settings = settings;
    this.hooks = hooks;
    this.histories = histories;
    this.connections = connections;
    this.deadlines = deadlines;
    this.log = settings.runtime().logger();
  }

  /** The rooms of the builder's configuration, at start. */
  void createConfigured(List<RoomConfig> configured) {
    for (RoomConfig config : configured) {
      RealRoom room = factory.newRoom(config, false);
      room.configured = true;
      rooms.put(config.id(), room);
      disposeWhenEmpty(room, config.disposeWhenEmpty(), deadlines.now());
      hooks.notify("onRoomCreated", l -> l.onRoomCreated(room));
    }
  }

  /**
   * Creates a room and tells every connection. {@code creator} is the requesting connection (which
   * gets {@code reply} instead of the broadcast), or null for server code.
   */
  RealRoom createRoom(RoomConfig config, RealConnection creator, Reply reply) {
    if (creator != null && clientRoomCount.incrementAndGet() > settings.limits().maxClientRooms()) {
      clientRoomCount.decrementAndGet();
      throw new DialogueException(
          ErrorCode.PERMISSION_DENIED,
          "The server holds at most "
              + settings.limits().maxClientRooms()
              + " client-created rooms");
    }
    if (creator == null) {
      checkDefaultSubscriptions(config);
    }
    RealRoom room = factory.newRoom(config, creator != null);
    long createdAt = deadlines.now(); // its first grace runs from here, not from when it is armed
    if (rooms.putIfAbsent(config.id(), room) != null) {
      if (creator != null) {
        clientRoomCount.decrementAndGet();
      }
      throw new DialogueException(
          ErrorCode.ROOM_EXISTS, "Room '" + config.id() + "' already exists");
    }
    hooks.notify("onRoomCreated", l -> l.onRoomCreated(room));
    Wire.RoomCreated created = Wire.RoomCreated.of(config);
    connections.broadcast(Visibility.audience(room, log), Wire.ROOM_CREATED, created, creator);
    if (creator != null) {
      reply.ok(Wire.ROOM_CREATED, created, created);
    }
    // Last, so that even a grace of zero deletes the room only after everyone heard of it.
    Duration disposal = config.disposeWhenEmpty();
    disposeWhenEmpty(
        room,
        disposal == null && creator != null ? settings.lifecycle().clientRoomDisposal() : disposal,
        createdAt);
    return room;
  }

  /**
   * Deletes a room: every participant leaves it (onLeft fires), remaining history goes to the
   * cleanup hook, every connection but {@code requester} is told. Returns false if it did not
   * exist.
   */
  boolean deleteRoom(String roomId, RealConnection requester, Reply reply) {
    RealRoom room = rooms.remove(roomId);
    if (room == null) {
      return false;
    }
    Predicate<RealConnection> audience = Visibility.audience(room, log);
    List<Membership> former = new ArrayList<>();
    Map<String, List<EventMessage>> history = room.state().delete(former);
    deleted(room, audience, former, history, requester, reply);
    return true;
  }

  /**
   * From now on {@code room} is deleted once it has been empty for {@code grace} (null: never),
   * measured on the server's clock. If it is empty now, it has been since {@code emptySince}: the
   * rule is armed after the creator's answer, and a clock may move between the two.
   */
  private void disposeWhenEmpty(RealRoom room, Duration grace, long emptySince) {
    if (grace == null) {
      return;
    }
    long[] firstVacancy = {emptySince}; // read and cleared under the room's lock
    room.state()
        .disposeWhenEmpty(
            vacancy -> {
              long since = firstVacancy[0] >= 0 ? firstVacancy[0] : deadlines.now();
              firstVacancy[0] = -1;
              return deadlines.at(since + grace.toMillis(), () -> disposeIfVacant(room, vacancy));
            });
  }

  /** The grace of an empty room is over: deletes it unless someone joined meanwhile. */
  private void disposeIfVacant(RealRoom room, long vacancy) {
    if (rooms.get(room.id()) != room) {
      return;
    }
    Predicate<RealConnection> audience = Visibility.audience(room, log);
    Map<String, List<EventMessage>> history = room.state().deleteIfVacant(vacancy);
    if (history == null || !rooms.remove(room.id(), room)) {
      return;
    }
    log.debug("Room '{}' was empty for its grace: deleted", room.id());
    deleted(room, audience, List.of(), history, null, null);
  }

  /** What follows a deletion: hooks, the history hand-over, the announcements. */
  private void deleted(
      RealRoom room,
      Predicate<RealConnection> audience,
      List<Membership> former,
      Map<String, List<EventMessage>> history,
      RealConnection requester,
      Reply reply) {
    String roomId = room.id();
    RoomState state = room.state();
    state.code.cancelScheduled();
    if (room.createdByClient) {
      clientRoomCount.decrementAndGet();
    }
    history.forEach(
        (eventName, events) -> hooks.cleanupAsync(room, state.code.cleanups, eventName, events));
    histories.deleted(roomId, history);
    for (Membership m : former) {
      if (m.connection instanceof RealConnection c) {
        c.detach(m);
      }
    }
    Wire.RoomRef deleted = new Wire.RoomRef(roomId);
    // On the room's serial executor, in this order: the former members' onLeft, then the
    // announcement and the answer (whoever learns of the deletion finds onLeft done), then
    // onRoomDeleted. The requester's next request waits for it.
    CompletableFuture<Void> done =
        state.code.runSerially(
            () -> {
              for (Membership m : former) {
                hooks.notify("onLeft", l -> l.onLeft(m.connection, room));
              }
              connections.broadcast(audience, Wire.ROOM_DELETED, deleted, requester);
              if (requester != null) {
                reply.ok(Wire.ROOM_DELETED, deleted, deleted);
              }
              hooks.notify("onRoomDeleted", l -> l.onRoomDeleted(room));
              state.code.attributes.clear();
            });
    if (requester != null) {
      requester.serial.holdUntil(done);
    }
  }

  /** A room may only subscribe its joiners by default to events it accepts. */
  static void checkDefaultSubscriptions(RoomConfig room) {
    for (String sub : room.defaultSubscriptions()) {
      if (!sub.equals(EventDefinition.ANY) && !room.allows(sub)) {
        throw new IllegalArgumentException(
            "room '"
                + room.id()
                + "' subscribes by default to '"
                + sub
                + "', which it does not allow");
      }
    }
  }
}
