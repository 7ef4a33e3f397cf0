package dev.dialogue.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dialogue.client.DialogueClientException.Fate;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rooms the client keeps, from their join until the application leaves them, and what a {@link
 * ClientRoom} asks of the client (requests, triggers, subscriptions, leaving). On every identified
 * connection each kept room is re-joined, asking for what it missed: a re-join cut by a lost
 * connection is asked again on the next one, a timed-out one again on this one; only a refusal
 * removes the room.
 *
 * <p>The rooms are added and removed from any thread (joins, leaves, {@code disconnect()} on the
 * application's; deletions and refused re-joins on the ordered executor); re-joins run on the
 * ordered executor only.
 */
final class KeptRooms {
  // Under DialogueClient's name, as before the client was split into parts.
  private static final Logger log = LoggerFactory.getLogger(DialogueClient.class);

  private final DialogueClient.Builder config;
  private final Connection connection;
  private final Outbox outbox;
  private final Listeners listeners;
  private final Executor loop;
  private final ScheduledExecutorService scheduler;
  private final Map<String, ClientRoom> rooms = new ConcurrentHashMap<>();

  KeptRooms(
      DialogueClient.Builder config,
      Connection connection,
      Outbox outbox,
      Listeners listeners,
      Executor loop,
      ScheduledExecutorService scheduler) {
    this.config = config;
    this.connection = connection;
    this.outbox = outbox;
    this.listeners = listeners;
    this.loop = loop;
    this.scheduler = scheduler;
  }

  /** The kept room, or a join that keeps it. */
  CompletableFuture<ClientRoom> join(String roomId) {
    ClientRoom existing = rooms.get(roomId);
    if (existing != null) {
      return CompletableFuture.completedFuture(existing);
    }
    ObjectNode request = ClientJson.MAPPER.createObjectNode().put("roomId", roomId);
    return connection
        .request("dialogue:join", request)
        .thenApply(
            result -> {
              ClientRoom room =
                  rooms.computeIfAbsent(
                      roomId, id -> new ClientRoom(this, id, result.path("roomName").asText(id)));
              room.applyJoin(
                  result.path("roomName").asText(roomId),
                  result.path("offset").asLong(0),
                  result.path("epoch").asText(null));
              deliverJoinHistory(roomId, result);
              return room;
            });
  }

  ClientRoom get(String roomId) {
    return rooms.get(roomId);
  }

  ClientRoom remove(String roomId) {
    return rooms.remove(roomId);
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
  }

  /** Identified on connection number {@code generation}: re-join every kept room on it. */
  void rejoinAll(long generation) {
    for (ClientRoom room : List.copyOf(rooms.values())) {
      rejoin(room, generation, 0);
    }
  }

  // ---- what a ClientRoom asks of the client ----

  /** Runs {@code task} on the ordered executor, in turn with deliveries. */
  void onLoop(Runnable task) {
    loop.execute(task);
  }

  CompletableFuture<JsonNode> request(String event, Object payload) {
    return connection.request(event, payload);
  }

  PendingTrigger trigger(String roomId, String event, JsonNode data, JsonNode meta) {
    String clientMessageId = UUID.randomUUID().toString();
    QueuedTrigger trigger = new QueuedTrigger(roomId, event, data, meta, clientMessageId);
    if (connection.closed) {
      return new PendingTrigger(
          clientMessageId,
          Connection.failed("CLOSED", "trigger: the client is closed", Fate.NOT_SENT),
          () -> false);
    }
    return outbox.trigger(trigger);
  }

  CompletableFuture<Void> sendSubscription(String roomId, String eventName, boolean subscribe) {
    if (connection.state() != ConnectionState.CONNECTED) {
      return CompletableFuture.completedFuture(null); // Restored on reconnect.
    }
    ObjectNode request = ClientJson.MAPPER.createObjectNode().put("roomId", roomId);
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
    rooms.remove(room.id(), room);
    if (connection.state() != ConnectionState.CONNECTED) {
      return CompletableFuture.completedFuture(null);
    }
    return connection
        .request("dialogue:leave", ClientJson.MAPPER.createObjectNode().put("roomId", room.id()))
        .handle(
            (r, e) -> {
              if (e != null
                  && !(e instanceof DialogueClientException dce
                      && dce.code().equals("NOT_IN_ROOM"))) {
                throw e instanceof RuntimeException re ? re : new IllegalStateException(e);
              }
              return null;
            });
  }

  // ---- re-joins, on the ordered executor ----

  /**
   * Re-joins a kept room on connection {@code generation}, asking for what it missed. Interrupted
   * by a lost connection, it is asked again on the next one; timed out, again on this one; only a
   * refusal removes the room.
   */
  private void rejoin(ClientRoom room, long generation, int retries) {
    ObjectNode request = ClientJson.MAPPER.createObjectNode().put("roomId", room.id());
    if (room.lastOffset() >= 0 && room.epoch() != null) {
      request.putObject("since").put("offset", room.lastOffset()).put("epoch", room.epoch());
    }
    // Applied with the admission, so no event subscribed to passes by before rejoined() restores
    // them again (for servers without this extension; both are idempotent).
    if (!room.unsubscribedNames().isEmpty()) {
      room.unsubscribedNames().forEach(request.putArray("unsubscribe")::add);
    }
    if (!room.subscribedNames().isEmpty()) {
      room.subscribedNames().forEach(request.putArray("subscribe")::add);
    }
    connection
        .request("dialogue:join", request)
        .whenComplete(
            (result, error) -> {
              if (rooms.get(room.id()) != room || connection.closed) {
                return; // left meanwhile
              }
              if (error == null) {
                rejoined(room, result);
                return;
              }
              Throwable cause = error instanceof CompletionException ce ? ce.getCause() : error;
              if (!(cause instanceof DialogueClientException e)) {
                log.warn("Re-joining room '{}' failed", room.id(), cause);
                return;
              }
              if (connection.generation != generation
                  || connection.state() != ConnectionState.CONNECTED) {
                return; // the next connection re-joins it
              }
              switch (e.code()) {
                case "NOT_CONNECTED", "DISCONNECTED", "CLOSED" -> {
                  // the connection is going; the next one re-joins it
                }
                case "TIMEOUT", "PROTOCOL" -> rejoin(room, generation, retries);
                default -> {
                  if (Retries.CODES.contains(e.code())) {
                    retryRejoin(room, generation, retries);
                  } else {
                    refused(room, e);
                  }
                }
              }
            });
  }

  private void retryRejoin(ClientRoom room, long generation, int retries) {
    long delay = Retries.delayMillis(config.reconnectDelay, config.reconnectDelayMax, retries);
    scheduler.schedule(
        () ->
            loop.execute(
                () -> {
                  if (connection.generation == generation && rooms.get(room.id()) == room) {
                    rejoin(room, generation, retries + 1);
                  }
                }),
        delay,
        TimeUnit.MILLISECONDS);
  }

  private void rejoined(ClientRoom room, JsonNode result) {
    for (JsonNode missed : result.path("missed")) {
      room.deliver(ClientJson.convert(missed, EventMessage.class));
    }
    room.applyJoin(
        result.path("roomName").asText(room.id()),
        result.path("offset").asLong(0),
        result.path("epoch").asText(null));
    if (!result.path("recovered").asBoolean(false)) {
      deliverJoinHistory(room.id(), result);
    }
    for (String name : room.unsubscribedNames()) {
      sendSubscription(room.id(), name, false);
    }
    for (String name : room.subscribedNames()) {
      sendSubscription(room.id(), name, true);
    }
  }

  private void refused(ClientRoom room, DialogueClientException e) {
    rooms.remove(room.id(), room);
    DialogueClientException reason =
        new DialogueClientException(
            e.code(),
            "re-joining room '" + room.id() + "' after a reconnect was refused: " + e.getMessage(),
            Fate.REFUSED);
    log.warn("{}", reason.getMessage());
    room.removed(reason);
    listeners.fire(listeners.error, l -> l.accept(reason));
  }

  private void deliverJoinHistory(String roomId, JsonNode result) {
    if (result.has("history")) {
      listeners.fireHistory(roomId, result.get("history"));
    }
  }
}
