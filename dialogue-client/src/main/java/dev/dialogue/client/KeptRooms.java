package dev.dialogue.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dialogue.client.DialogueClientException.Fate;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rooms the client keeps, from their join (the application's, or one server code made for this
 * connection) until the application leaves them, the rooms whose join is on its way, and what a
 * {@link ClientRoom} asks of the client (requests, triggers, subscriptions, leaving). On every
 * identified connection each kept room is re-joined, asking for what it missed: a re-join cut by a
 * lost connection is asked again on the next one, a timed-out one again on this one; only a
 * refusal, a deletion or a leave by server code removes the room.
 *
 * <p>The rooms are added and removed from any thread (joins, leaves, {@code disconnect()} on the
 * application's; answers, deletions, refused re-joins and the server's joins and leaves on the
 * ordered executor); re-joins run on the ordered executor only.
 */
final class KeptRooms {
  // Under DialogueClient's name, as before the client was split into parts.
  private static final Logger log = LoggerFactory.getLogger(DialogueClient.class);

  private final ClientSettings config;
  private final Connection connection;
  private final Outbox outbox;
  private final Listeners listeners;
  private final OrderedExecutor loop;
  private final ScheduledExecutorService scheduler;
  private final Map<String, ClientRoom> rooms = new ConcurrentHashMap<>();
  // Joins on their way, by room: the room exists (handlers, kept events) before the answer.
  private final Map<String, Joining> joining = new ConcurrentHashMap<>();
  // Rooms the application is leaving: their last events may still arrive, unremarkably.
  private final Set<String> leaving = ConcurrentHashMap.newKeySet();
  // Rooms whose events arrived unknown and were logged once; the ordered executor's.
  private final Set<String> reportedUnknown = new HashSet<>();

  private final Rejoins rejoins;

  private record Joining(ClientRoom room, CompletableFuture<ClientRoom> answer) {}

  KeptRooms(
      ClientSettings config,
      Connection connection,
      Outbox outbox,
      Listeners listeners,
      OrderedExecutor loop,
      ScheduledExecutorService scheduler) {
    this.config = config;
    this.connection = connection;
    this.outbox = outbox;
    this.listeners = listeners;
    this.loop = loop;
    this.scheduler = scheduler;
    this.rejoins = new Rejoins(config, connection, listeners, loop, scheduler, this);
  }

  /**
   * The kept room, or a join that keeps it. {@code setup} (may be null) runs on the calling thread
   * with the room before the join is sent, or before the kept room is returned: the handlers it
   * registers see every event after the join answer, and the names they subscribe to go with the
   * join itself.
   */
  CompletableFuture<ClientRoom> join(String roomId, Consumer<ClientRoom> setup) {
    Joining fresh =
        new Joining(new ClientRoom(this, roomId, roomId, true), new CompletableFuture<>());
    ClientRoom existing;
    Joining pending;
    synchronized (this) { // against serverJoined: one room per id
      existing = rooms.get(roomId);
      pending = existing == null ? joining.putIfAbsent(roomId, fresh) : null;
    }
    if (existing != null) {
      return setUp(existing, setup, CompletableFuture.completedFuture(existing));
    }
    if (pending != null) {
      return setUp(pending.room(), setup, pending.answer());
    }
    ClientRoom room = fresh.room();
    try {
      if (setup != null) {
        setup.accept(room);
      }
    } catch (RuntimeException | Error e) {
      joining.remove(roomId, fresh);
      room.forgotten();
      throw e;
    }
    ObjectNode request = ClientJson.MAPPER.createObjectNode().put("roomId", roomId);
    // Applied with the admission, so no event they cover passes the new member by.
    Set<String> unsubscribe = room.unsubscribedNames();
    Set<String> subscribe = room.subscribedNames();
    if (!unsubscribe.isEmpty()) {
      unsubscribe.forEach(request.putArray("unsubscribe")::add);
    }
    if (!subscribe.isEmpty()) {
      subscribe.forEach(request.putArray("subscribe")::add);
    }
    connection
        .request("dialogue:join", request)
        .whenComplete(
            (result, error) -> {
              if (error != null) {
                joining.remove(roomId, fresh);
                room.forgotten();
                fresh.answer().completeExceptionally(error);
              } else {
                joined(fresh, result);
              }
            });
    return fresh.answer();
  }

  private CompletableFuture<ClientRoom> setUp(
      ClientRoom room, Consumer<ClientRoom> setup, CompletableFuture<ClientRoom> answer) {
    if (setup != null) {
      setup.accept(room);
    }
    return answer;
  }

  /** A join answered: keep the room, unless the application left it meanwhile. */
  private void joined(Joining join, JsonNode result) {
    ClientRoom room = join.room();
    boolean wanted;
    synchronized (this) {
      wanted = joining.remove(room.id(), join);
      if (wanted) {
        rooms.put(room.id(), room);
      }
    }
    if (!wanted) {
      // Left (or disconnect()) while the join was on its way: the server has it; take it back.
      sendLeave(room.id());
      join.answer().complete(room);
      return;
    }
    room.applyJoin(
        result.path("roomName").asText(room.id()),
        result.path("offset").asLong(0),
        result.path("epoch").asText(null));
    room.admitted();
    deliverJoinHistory(room.id(), result);
    // Again as requests, as after a re-join: for servers without subscriptions in the join, and for
    // those made after the request was built (the setup may have kept the room object).
    for (String name : room.unsubscribedNames()) {
      sendSubscription(room, name, false);
    }
    for (String name : room.subscribedNames()) {
      sendSubscription(room, name, true);
    }
    join.answer().complete(room);
  }

  ClientRoom get(String roomId) {
    return rooms.get(roomId);
  }

  /**
   * The room an event for {@code roomId} belongs to: a kept one, or one whose join is on its way
   * (server code may have joined the connection to it first); null, and logged, for any other.
   */
  ClientRoom receiving(String roomId, String what) {
    ClientRoom room = rooms.get(roomId);
    if (room == null) {
      Joining join = joining.get(roomId);
      room = join == null ? null : join.room();
    }
    if (room == null && leaving.contains(roomId)) {
      log.debug("Dropped {} for room '{}', which the application is leaving", what, roomId);
    } else if (room == null) {
      if (reportedUnknown.size() > 1_000) {
        reportedUnknown.clear();
      }
      if (reportedUnknown.add(roomId)) {
        log.warn(
            "Dropped {} for room '{}', which this client does not keep (left, or never joined);"
                + " logged once per room",
            what,
            roomId);
      } else {
        log.debug("Dropped {} for room '{}', which this client does not keep", what, roomId);
      }
    }
    return room;
  }

  /** The room was deleted on the server. */
  void deleted(String roomId) {
    ClientRoom room = rooms.remove(roomId);
    if (room != null) {
      room.removed(
          new DialogueClientException(
              "ROOM_NOT_FOUND", "Room '" + roomId + "' was deleted", Fate.REFUSED));
    }
  }

  /**
   * {@code dialogue:joined} without a request of ours: server code joined this connection to the
   * room. A room the client does not keep yet becomes one ({@code onJoined}); for a kept room, a
   * new connection was joined by the server before the client's re-join, so the events published
   * while the client was away cannot be recovered: that gap is reported.
   */
  void serverJoined(JsonNode data) {
    String roomId = data.path("roomId").asText(null);
    if (roomId == null) {
      return;
    }
    reportedUnknown.remove(roomId);
    String name = data.path("roomName").asText(roomId);
    long offset = data.path("offset").asLong(-1);
    String epoch = data.path("epoch").asText(null);
    ClientRoom kept;
    ClientRoom room = null;
    synchronized (this) {
      if (joining.containsKey(roomId)) {
        return; // our own join is on its way: its answer keeps the room
      }
      kept = rooms.get(roomId);
      if (kept == null) {
        room = new ClientRoom(this, roomId, name, false);
        if (epoch != null) {
          room.applyJoin(name, offset, epoch);
        }
        rooms.put(roomId, room);
      }
    }
    if (kept != null) {
      if (epoch != null && epoch.equals(kept.epoch()) && offset > kept.lastOffset()) {
        DialogueClientException gap =
            new DialogueClientException(
                "EVENTS_MISSED",
                "Room '"
                    + roomId
                    + "': server code joined the new connection to the room before the client's"
                    + " re-join, so the events after offset "
                    + kept.lastOffset()
                    + " up to "
                    + offset
                    + " published while it was away were not recovered",
                Fate.REFUSED);
        log.warn("{}", gap.getMessage());
        kept.applyJoin(name, offset, epoch);
        listeners.fire(listeners.error, l -> l.accept(gap));
      }
      return;
    }
    ClientRoom announced = room;
    listeners.fire(listeners.joined, l -> l.accept(announced));
  }

  /** {@code dialogue:left} without a request of ours: server code took the connection out. */
  void serverLeft(String roomId) {
    ClientRoom room = rooms.remove(roomId);
    if (room == null) {
      log.debug(
          "The server left room '{}' for this connection, which the client did not keep", roomId);
      return;
    }
    room.removed(
        new DialogueClientException(
            "NOT_IN_ROOM",
            "Server code took this connection out of room '" + roomId + "'",
            Fate.REFUSED));
    listeners.fire(listeners.left, l -> l.accept(room));
  }

  /** Events past the bound of a room's kept events: logged and reported once. */
  void eventsDropped(ClientRoom room, EventMessage first) {
    DialogueClientException e =
        new DialogueClientException(
            "EVENTS_DROPPED",
            "Room '"
                + room.id()
                + "': more than "
                + ClientRoom.MAX_KEPT
                + " events arrived before any handler took them; the oldest are dropped, from '"
                + first.event()
                + "'"
                + (first.offset() == null ? "" : " at offset " + first.offset())
                + " on. Register handlers in join(roomId, setup) or onJoined",
            Fate.REFUSED);
    log.warn("{}", e.getMessage());
    listeners.fire(listeners.error, l -> l.accept(e));
  }

  /** Deletes a room on the server; the client stops keeping it. */
  CompletableFuture<Void> delete(String roomId) {
    return connection
        .request("dialogue:deleteRoom", ClientJson.MAPPER.createObjectNode().put("roomId", roomId))
        .thenAccept(
            r -> {
              ClientRoom room = rooms.remove(roomId);
              if (room != null) {
                room.forgotten();
              }
            });
  }

  /** {@code disconnect()} and {@code close()}: no room is kept any longer. */
  void forgetAll() {
    for (ClientRoom room : rooms.values()) {
      room.forgotten();
    }
    rooms.clear();
    for (Joining join : joining.values()) {
      join.room().forgotten();
    }
    joining.clear(); // their answers (DISCONNECTED, CLOSED, or a late success) leave no room
  }

  /** Identified on connection number {@code generation}: re-join every kept room on it. */
  void rejoinAll(long generation) {
    for (ClientRoom room : List.copyOf(rooms.values())) {
      rejoins.rejoin(room, generation, 0);
    }
  }

  /** The ids of the kept rooms: the ones re-joined after the next (re)connect. */
  List<String> keptIds() {
    return List.copyOf(rooms.keySet());
  }

  /** Whether {@code room} is the one the client keeps under its id. */
  boolean keeps(ClientRoom room) {
    return rooms.get(room.id()) == room;
  }

  /** A re-join was refused: the room is no longer kept. */
  boolean drop(ClientRoom room) {
    return rooms.remove(room.id(), room);
  }

  // ---- what a ClientRoom asks of the client ----

  /** Runs {@code task} in turn with deliveries: now on the ordered executor, else queued there. */
  void onLoop(Runnable task) {
    if (loop.inLoop()) {
      task.run();
    } else {
      loop.execute(task);
    }
  }

  CompletableFuture<JsonNode> request(String event, Object payload) {
    return connection.request(event, payload);
  }

  PendingTrigger trigger(
      String roomId, String event, JsonNode data, JsonNode meta, String chosenId) {
    String clientMessageId = chosenId != null ? chosenId : UUID.randomUUID().toString();
    QueuedTrigger trigger = new QueuedTrigger(roomId, event, data, meta, clientMessageId);
    if (connection.closed) {
      return new PendingTrigger(
          clientMessageId,
          Connection.failed("CLOSED", "trigger: the client is closed", Fate.NOT_SENT),
          () -> false);
    }
    return outbox.trigger(trigger);
  }

  CompletableFuture<Void> sendSubscription(ClientRoom room, String eventName, boolean subscribe) {
    if (connection.state() != ConnectionState.CONNECTED || room.joining()) {
      return CompletableFuture.completedFuture(null); // Sent with the (re-)join.
    }
    ObjectNode request = ClientJson.MAPPER.createObjectNode().put("roomId", room.id());
    if (!eventName.equals("*") || !subscribe) {
      request.put("eventName", eventName);
    }
    String event =
        !subscribe
            ? "dialogue:unsubscribe"
            : eventName.equals("*") ? "dialogue:subscribeAll" : "dialogue:subscribe";
    return connection.request(event, request).thenAccept(r -> {});
  }

  CompletableFuture<Void> leave(ClientRoom room) {
    leaving.add(room.id()); // before the room goes: its events may arrive until the answer
    rooms.remove(room.id(), room);
    Joining join = joining.get(room.id());
    if (join != null && join.room() == room) {
      joining.remove(room.id(), join); // the answer takes it back on the server
      leaving.remove(room.id());
      return CompletableFuture.completedFuture(null);
    }
    CompletableFuture<Void> left = sendLeave(room.id());
    if (left.isDone()) {
      leaving.remove(room.id());
    }
    return left;
  }

  private CompletableFuture<Void> sendLeave(String roomId) {
    if (connection.state() != ConnectionState.CONNECTED) {
      return CompletableFuture.completedFuture(null);
    }
    leaving.add(roomId);
    return connection
        .request("dialogue:leave", ClientJson.MAPPER.createObjectNode().put("roomId", roomId))
        .handle(
            (r, e) -> {
              leaving.remove(roomId);
              if (e != null
                  && !(e instanceof DialogueClientException dce
                      && dce.code().equals("NOT_IN_ROOM"))) {
                throw e instanceof RuntimeException re ? re : new IllegalStateException(e);
              }
              return null;
            });
  }

  void deliverJoinHistory(String roomId, JsonNode result) {
    if (result.has("history")) {
      listeners.fireHistory(roomId, result.get("history"));
    }
  }
}
