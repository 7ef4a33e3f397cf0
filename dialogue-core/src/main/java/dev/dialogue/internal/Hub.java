package dev.dialogue.internal;

import dev.dialogue.ClientConnection;
import dev.dialogue.EventDefinition;
import dev.dialogue.EventMessage;
import dev.dialogue.RoomConfig;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;

/**
 * The server's state and the operations on it, shared by the wire handlers and the server API: the
 * rooms and the connections, by id and by user; joining ({@link Joins}) and publishing ({@link
 * Publisher}) are the jobs of their own classes, and so are the lives of rooms ({@link
 * RoomLifecycle}: creation, disposal once empty, deletion) and of connections ({@link
 * ConnectionLifecycle}: announcement, disconnect grace, resumption, end).
 */
public final class Hub implements RealConnection.ServerSide {
  private final Settings settings;
  private final Hooks hooks;
  private final Logger log;
  private final PayloadValidator validator = new PayloadValidator();
  private final Broker broker;
  private final PresenceStore presence;
  private final Histories histories;
  private final Publisher publisher;
  private final Joins joins;
  private final Map<String, RealRoom> rooms = new ConcurrentHashMap<>();
  private final AtomicLong roomSequence = new AtomicLong();
  private final Connections connections = new Connections();
  private final Traffic traffic;
  private final Deadlines deadlines;
  private final RoomLifecycle roomLifecycle;
  private final ConnectionLifecycle connectionLifecycle;
  private final Quotas quotas;

  public Hub(Settings settings) {
    this.settings = settings;
    this.traffic = new Traffic(settings.runtime().observer());
    this.hooks =
        new Hooks(settings.hooks(), settings.runtime().logger(), settings.runtime().observer());
    this.log = settings.runtime().logger();
    this.broker =
        settings.history().broker() == null
            ? new MemoryBroker(settings.history(), settings.runtime())
            : ((Broker.Factory) settings.history().broker())
                .open(
                    new Broker.Server() {
                      @Override
                      public Settings.HistorySettings history() {
                        return settings.history();
                      }

                      @Override
                      public Settings.RuntimeSettings runtime() {
                        return settings.runtime();
                      }

                      @Override
                      public ClientConnection connection(String connectionId) {
                        return connections.byId(connectionId);
                      }
                    });
    this.presence = broker.presence() != null ? broker.presence() : new MemoryPresence();
    this.histories = new Histories(settings.history(), broker, hooks);
    this.publisher =
        new Publisher(settings, hooks, histories, broker, validator, traffic, this::roomStates);
    this.quotas = new Quotas(settings.limits(), settings.runtime().clock());
    this.joins =
        new Joins(
            settings.hooks().joinPolicy(),
            settings.limits(),
            quotas,
            hooks,
            histories,
            broker.directory(),
            settings.runtime().observer());
    this.deadlines =
        new Deadlines(
            settings.runtime().clock(), settings.runtime().executor(), settings.runtime().logger());
    this.roomLifecycle =
        new RoomLifecycle(rooms, this::newRoom, settings, hooks, histories, connections, deadlines);
    this.connectionLifecycle =
        new ConnectionLifecycle(
            settings.lifecycle(),
            hooks,
            connections,
            quotas,
            deadlines,
            broker.directory(),
            settings.runtime().observer());
    roomLifecycle.createConfigured(settings.rooms().configured());
  }

  Settings settings() {
    return settings;
  }

  /** The traffic counters; the transport records delivery latencies in them. */
  public Traffic traffic() {
    return traffic;
  }

  /** The counters with the connections and rooms now. */
  public dev.dialogue.DialogueStats stats() {
    return traffic.snapshot(connections.size(), rooms.size());
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

  /** The abuse controls: rate limits, connections and rooms per user. */
  public Quotas quotas() {
    return quotas;
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
        deliveries(config),
        roomSequence.incrementAndGet(),
        byClient,
        broker,
        presence,
        hooks,
        settings.runtime(),
        publisher,
        histories,
        deadlines);
  }

  /**
   * The events {@code config} allows, its own or global ones, whose delivery is not reliable, with
   * their policy.
   */
  private Map<String, EventDefinition.Delivery> deliveries(RoomConfig config) {
    Map<String, EventDefinition.Delivery> names = new HashMap<>();
    for (EventDefinition<?> event : config.events()) {
      if (event.delivery() != EventDefinition.Delivery.RELIABLE) {
        names.put(event.name(), event.delivery());
      }
    }
    if (config.anyEvent()) {
      for (EventDefinition<?> event : settings.rooms().globalEvents().values()) {
        if (event.delivery() != EventDefinition.Delivery.RELIABLE
            && config.event(event.name()) == null) {
          names.put(event.name(), event.delivery());
        }
      }
    }
    return names.isEmpty() ? Map.of() : Map.copyOf(names);
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
    list.sort(Comparator.comparingLong(r -> r.sequence));
    return list;
  }

  /**
   * Creates a room and tells every connection. {@code creator} is the requesting connection (which
   * gets {@code reply} instead of the broadcast), or null for server code.
   */
  public RealRoom createRoom(RoomConfig config, RealConnection creator, Reply reply) {
    return roomLifecycle.createRoom(config, creator, reply);
  }

  /**
   * Deletes a room: every participant leaves it (onLeft fires), remaining history goes to the
   * cleanup hook, every connection but {@code requester} is told. Returns false if it did not
   * exist.
   */
  public boolean deleteRoom(String roomId, RealConnection requester, Reply reply) {
    return roomLifecycle.deleteRoom(roomId, requester, reply);
  }

  /** A room may only subscribe its joiners by default to events it accepts. */
  public static void checkDefaultSubscriptions(RoomConfig room) {
    RoomLifecycle.checkDefaultSubscriptions(room);
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
    connectionLifecycle.connected(connection);
  }

  /**
   * The connection {@code token} resumes for {@code userId}, claimed for a new session (see {@link
   * #resume}); null when the token is not honoured (unknown, used, another user's, off).
   */
  public RealConnection resumable(String token, String userId) {
    return connectionLifecycle.resumable(token, userId);
  }

  /**
   * Runs on the connection's serial executor: moves a claimed connection to {@code session}. Each
   * room it is in holds it (seat and presence kept, no event sent) until its client re-joins, which
   * recovers what it missed ({@link Joins}); then the session the client gave up is closed. False
   * if the connection ended meanwhile (the server is stopping, or the application disconnected it).
   */
  public boolean resume(RealConnection connection, Session session) {
    return connectionLifecycle.resume(connection, session);
  }

  /**
   * Runs on the connection's serial executor when {@code session} closed. With a disconnect grace,
   * a transport that dropped ({@code mayResume}) leaves the connection waiting for its client; a
   * session already replaced by a resume is ignored.
   */
  public void disconnected(
      RealConnection connection, Session session, String reason, boolean mayResume) {
    connectionLifecycle.disconnected(connection, session, reason, mayResume);
  }

  @Override
  public void endDropped(RealConnection connection) {
    connectionLifecycle.endDropped(connection);
  }

  @Override
  public void left(RealConnection connection, String roomId) {
    quotas.roomLeft(connection.userId(), roomId);
    Broker.Directory directory = broker.directory();
    if (directory != null) {
      directory.update(connection.userId(), connection.id(), connection.rooms());
    }
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

  /** The user's connections on this node. */
  public Collection<RealConnection> clients(String userId) {
    return connections.ofUser(userId);
  }

  /** The user's connections: this node's, then (in a cluster) the other nodes'. */
  public Collection<? extends ClientConnection> clientsOnEveryNode(String userId) {
    Collection<RealConnection> here = connections.ofUser(userId);
    Broker.Directory directory = broker.directory();
    if (directory == null) {
      return here;
    }
    List<ClientConnection> all = new ArrayList<>(here);
    for (Broker.Remote remote : directory.elsewhere(userId)) {
      all.add(new RemoteConnection(remote, directory));
    }
    return all;
  }

  public Collection<RealConnection> allClients() {
    return connections.all();
  }

  public Set<String> clientRooms(String userId) {
    Broker.Directory directory = broker.directory();
    if (directory == null) {
      return connections.roomsOf(userId);
    }
    Set<String> rooms = new LinkedHashSet<>(connections.roomsOf(userId));
    directory.elsewhere(userId).forEach(r -> rooms.addAll(r.rooms()));
    return Set.copyOf(rooms);
  }

  public boolean isInRoom(String userId, String roomId) {
    if (connections.isInRoom(userId, roomId)) {
      return true;
    }
    Broker.Directory directory = broker.directory();
    return directory != null
        && directory.elsewhere(userId).stream().anyMatch(r -> r.rooms().contains(roomId));
  }

  /** This node's connection with that id, or null (for a cluster's directory). */
  RealConnection connection(String connectionId) {
    return connections.byId(connectionId);
  }

  /**
   * Ends every connection (the transport is already closed, so clients reconnect elsewhere or
   * later) and waits up to {@code timeoutMillis} until their disconnected and left hooks have run.
   */
  public void endAll(String reason, long timeoutMillis) {
    deadlines.close();
    connectionLifecycle.endAll(reason);
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
      Map<String, List<EventMessage>> drained = room.state().events.drain();
      histories.left(drained);
      drained.forEach((eventName, events) -> hooks.cleanupNow(room.id(), eventName, events));
    }
    validator.close();
  }
}
