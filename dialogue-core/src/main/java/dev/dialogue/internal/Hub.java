package dev.dialogue.internal;

import dev.dialogue.DialogueException;
import dev.dialogue.ErrorCode;
import dev.dialogue.EventDefinition;
import dev.dialogue.EventMessage;
import dev.dialogue.RoomConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.slf4j.Logger;

/**
 * The server's state and the operations on it, shared by the wire handlers and the server API: the
 * rooms and the connections, by id and by user; joining ({@link Joins}) and publishing ({@link
 * Publisher}) are the jobs of their own classes.
 */
public final class Hub implements RealConnection.ServerSide {
  private final Settings settings;
  private final Hooks hooks;
  private final Logger log;
  private final PayloadValidator validator = new PayloadValidator();
  private final Broker broker;
  private final PresenceStore presence = new MemoryPresence();
  private final Histories histories;
  private final Publisher publisher;
  private final Joins joins;
  private final Map<String, RealRoom> rooms = new ConcurrentHashMap<>();
  private final AtomicLong roomSequence = new AtomicLong();
  private final AtomicInteger clientRoomCount = new AtomicInteger();
  private final Connections connections = new Connections();
  private final Deadlines deadlines;

  public Hub(Settings settings) {
    this.settings = settings;
    this.hooks = new Hooks(settings.hooks(), settings.runtime().logger());
    this.log = settings.runtime().logger();
    this.broker = new MemoryBroker(settings.history(), settings.runtime());
    this.histories = new Histories(settings.history(), broker, hooks);
    this.publisher = new Publisher(settings, hooks, histories, broker, validator, this::roomStates);
    this.joins = new Joins(settings.hooks().joinPolicy(), settings.limits(), hooks, histories);
    this.deadlines =
        new Deadlines(
            settings.runtime().clock(), settings.runtime().executor(), settings.runtime().logger());
    for (RoomConfig config : settings.rooms().configured()) {
      RealRoom room = newRoom(config, false);
      room.state().markConfigured();
      rooms.put(config.id(), room);
      disposeWhenEmpty(room, config.disposeWhenEmpty(), deadlines.now());
      hooks.notify("onRoomCreated", l -> l.onRoomCreated(room));
    }
  }

  Settings settings() {
    return settings;
  }

  /** Checks event payloads and command requests. */
  PayloadValidator validator() {
    return validator;
  }

  public Hooks hooks() {
    return hooks;
  }

  /** Where events are numbered, kept and read back. */
  Broker broker() {
    return broker;
  }

  /** Joining and leaving rooms. */
  Joins joins() {
    return joins;
  }

  /** The trigger pipeline. */
  Publisher publisher() {
    return publisher;
  }

  private Collection<RoomState> roomStates() {
    List<RoomState> states = new ArrayList<>(rooms.size());
    for (RealRoom room : rooms.values()) {
      states.add(room.state());
    }
    return states;
  }

  /** A room continues where durable history says it stands: same epoch, next offset. */
  private RealRoom newRoom(RoomConfig config, boolean byClient) {
    return new RealRoom(
        config,
        roomSequence.incrementAndGet(),
        byClient,
        broker,
        presence,
        hooks,
        settings.runtime(),
        publisher,
        histories);
  }

  // ---- rooms ----

  public RealRoom room(String roomId) {
    return roomId == null ? null : rooms.get(roomId);
  }

  public RealRoom requireRoom(String roomId) {
    RealRoom room = room(roomId);
    if (room == null) {
      throw Visibility.notFound(roomId);
    }
    return room;
  }

  /** A room {@code viewer} may see; one it may not is answered exactly as a missing one. */
  RealRoom requireRoom(String roomId, RealConnection viewer) {
    RealRoom room = room(roomId);
    if (room == null || !Visibility.canSee(room, viewer, log)) {
      throw Visibility.notFound(roomId);
    }
    return room;
  }

  /** Whether {@code viewer} may know that {@code room} exists (listing, announcements). */
  boolean canSee(RealRoom room, RealConnection viewer) {
    return Visibility.canSee(room, viewer, log);
  }

  public List<RealRoom> rooms() {
    List<RealRoom> list = new ArrayList<>(rooms.values());
    list.sort(Comparator.comparingLong(r -> r.state().sequence()));
    return list;
  }

  /**
   * Creates a room and tells every connection. {@code creator} is the requesting connection (which
   * gets {@code reply} instead of the broadcast), or null for server code.
   */
  public RealRoom createRoom(RoomConfig config, RealConnection creator, Reply reply) {
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
    RealRoom room = newRoom(config, creator != null);
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
    broadcastTo(Visibility.audience(room, log), Wire.ROOM_CREATED, created, creator);
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
  public boolean deleteRoom(String roomId, RealConnection requester, Reply reply) {
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
            (state, vacancy) -> {
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
    if (state.createdByClient()) {
      clientRoomCount.decrementAndGet();
    }
    history.forEach(
        (eventName, events) -> hooks.cleanupAsync(room, state.cleanups, eventName, events));
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
        state.runSerially(
            () -> {
              for (Membership m : former) {
                hooks.notify("onLeft", l -> l.onLeft(m.connection, room));
              }
              broadcastTo(audience, Wire.ROOM_DELETED, deleted, requester);
              if (requester != null) {
                reply.ok(Wire.ROOM_DELETED, deleted, deleted);
              }
              hooks.notify("onRoomDeleted", l -> l.onRoomDeleted(room));
              state.attributes.clear();
            });
    if (requester != null) {
      requester.serial.holdUntil(done);
    }
  }

  /** A room may only subscribe its joiners by default to events it accepts. */
  public static void checkDefaultSubscriptions(RoomConfig room) {
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

  // ---- connections ----

  /**
   * A connection for an accepted handshake; not yet visible to broadcasts, see {@link #connected}.
   */
  public RealConnection newConnection(Session session, Hooks.Identity identity) {
    return new RealConnection(
        this, session, identity.userId(), identity.meta(), identity.claims(), settings.runtime());
  }

  /**
   * Runs on the connection's serial executor, after the Socket.IO CONNECT reply: the connection is
   * registered (so that server code finds it once its client has {@code connected}), then {@code
   * connected} is sent, and only then do broadcasts to every connection include it (so none
   * overtakes {@code connected}), then the hook.
   */
  public void connected(RealConnection connection) {
    boolean resumed;
    // Under the connection's lock: a send by server code that found it meanwhile waits for it
    // (RealConnection#emit), and so cannot overtake connected.
    synchronized (connection) {
      resumed = connection.life() == RealConnection.Life.RESUMING;
      if (resumed) {
        connection.reopen();
      }
      connections.add(connection);
      String token = settings.lifecycle().graceOn() ? connections.issueToken(connection) : null;
      connection.emit(
          Wire.CONNECTED,
          new Wire.Connected(
              connection.id(),
              connection.userId(),
              token,
              resumed ? Boolean.TRUE : null,
              resumed ? List.copyOf(connection.rooms()) : null));
      connection.announced();
    }
    if (resumed) {
      hooks.notify("onResumed", l -> l.onResumed(connection));
    } else {
      hooks.notify("onConnected", l -> l.onConnected(connection));
    }
  }

  /**
   * The connection {@code token} resumes for {@code userId}, claimed for a new session (see {@link
   * #resume}); null when the token is not honoured (unknown, used, another user's, off).
   */
  public RealConnection resumable(String token, String userId) {
    if (token == null || !settings.lifecycle().graceOn()) {
      return null;
    }
    return connections.claim(token, userId);
  }

  /**
   * Runs on the connection's serial executor: moves a claimed connection to {@code session}. Each
   * room it is in holds it (seat and presence kept, no event sent) until its client re-joins, which
   * recovers what it missed ({@link Joins}); then the session the client gave up is closed. False
   * if the connection ended meanwhile (the server is stopping, or the application disconnected it).
   */
  public boolean resume(RealConnection connection, Session session) {
    if (connection.life() != RealConnection.Life.RESUMING) {
      return false;
    }
    if (connection.endRequested()) {
      end(connection, "disconnected by the server"); // disconnect() came as the client came back
      return false;
    }
    connection.graceEnd(null);
    for (String roomId : connection.rooms()) {
      Membership m = connection.membership(roomId);
      if (m != null) {
        m.room.hold(m);
      }
    }
    Session previous = connection.rebind(session);
    if (previous != session) {
      previous.close(); // already closed when it dropped; its client gave up on it otherwise
    }
    return true;
  }

  /**
   * Runs on the connection's serial executor when {@code session} closed. With a disconnect grace,
   * a transport that dropped ({@code mayResume}) leaves the connection waiting for its client; a
   * session already replaced by a resume is ignored.
   */
  public void disconnected(
      RealConnection connection, Session session, String reason, boolean mayResume) {
    if (connection.session() != session) {
      return;
    }
    if (mayResume
        && settings.lifecycle().graceOn()
        && !connection.endRequested()
        && connection.move(RealConnection.Life.LIVE, RealConnection.Life.DROPPED)) {
      connection.markClosed();
      long due = deadlines.now() + settings.lifecycle().disconnectGrace().toMillis();
      connection.graceEnd(
          deadlines.at(due, () -> connection.serial.execute(() -> graceOver(connection, reason))));
      hooks.notify("onDropped", l -> l.onDropped(connection, reason));
      return;
    }
    if (connection.life() == RealConnection.Life.RESUMING) {
      return; // the session was given up; the resume takes the connection over
    }
    end(connection, reason);
  }

  private void graceOver(RealConnection connection, String reason) {
    if (connection.life() == RealConnection.Life.DROPPED) {
      end(connection, reason);
    }
  }

  @Override
  public void endDropped(RealConnection connection) {
    connection.serial.execute(() -> end(connection, "disconnected by the server"));
  }

  /**
   * On the connection's serial executor: the hook sees the rooms, then the connection leaves each
   * (onLeft fires) and is forgotten. A dropped connection is gone first.
   */
  private void end(RealConnection connection, String reason) {
    RealConnection.Life was = connection.end();
    if (was == null) {
      return;
    }
    connection.markClosed();
    connection.graceEnd(null);
    if (was == RealConnection.Life.DROPPED) {
      hooks.notify("onGone", l -> l.onGone(connection));
    }
    hooks.notify("onDisconnected", l -> l.onDisconnected(connection, reason));
    List<CompletableFuture<Void>> left = new ArrayList<>();
    for (String roomId : connection.rooms()) {
      Membership m = connection.membership(roomId);
      if (m != null && m.room.remove(connection, connection::detach)) {
        left.add(
            m.room.runSerially(
                () -> hooks.notify("onLeft", l -> l.onLeft(connection, m.room.face()))));
      }
    }
    // Forgotten once every onLeft ran (on the rooms' executors): endAll waits for that.
    CompletableFuture<Void> all = CompletableFuture.allOf(left.toArray(CompletableFuture[]::new));
    connection.serial.holdUntil(all);
    all.whenComplete(
        (ok, failed) -> {
          connections.remove(connection);
          connection.clearAttributes();
        });
  }

  @Override
  public void join(RealConnection connection, String roomId) {
    RoomState room = requireRoom(roomId).state();
    if (room.contains(connection)) {
      return; // Documented as a no-op: unlike a client's repeated join, nothing is sent.
    }
    joins.join(connection, room, Reply.toEvents(connection), false);
  }

  @Override
  public boolean leave(RealConnection connection, Membership membership) {
    return joins.leave(connection, membership.room, Reply.toEvents(connection));
  }

  public Collection<RealConnection> clients(String userId) {
    return connections.ofUser(userId);
  }

  public Collection<RealConnection> allClients() {
    return connections.all();
  }

  public Set<String> clientRooms(String userId) {
    return connections.roomsOf(userId);
  }

  public boolean isInRoom(String userId, String roomId) {
    return connections.isInRoom(userId, roomId);
  }

  /**
   * Ends every connection (the transport is already closed, so clients reconnect elsewhere or
   * later) and waits up to {@code timeoutMillis} until their disconnected and left hooks have run.
   */
  public void endAll(String reason, long timeoutMillis) {
    deadlines.close();
    for (RealConnection c : allClients()) {
      c.serial.execute(() -> end(c, reason));
    }
    connections.awaitEmpty(timeoutMillis, log);
  }

  /**
   * Flushes the store (its last commits release the events that waited for them), then hands
   * everything still in memory to the cleanup hook and waits for it.
   */
  public void shutdown() {
    deadlines.close();
    broker.close();
    for (RealRoom room : rooms()) {
      Map<String, List<EventMessage>> drained = room.state().drainHistory();
      histories.left(drained);
      drained.forEach((eventName, events) -> hooks.cleanupNow(room.id(), eventName, events));
    }
    validator.close();
  }

  /**
   * Sends to the authenticated connections in {@code audience} but {@code except}, encoding once.
   */
  private void broadcastTo(
      Predicate<RealConnection> audience, String eventName, Object payload, RealConnection except) {
    OutboundEvent broadcast = new OutboundEvent(eventName, Json.raw(payload), connections.size());
    for (RealConnection c : connections.live()) {
      if (c != except && c.isAnnounced() && audience.test(c)) {
        c.emit(broadcast);
      }
    }
    broadcast.send();
  }
}
