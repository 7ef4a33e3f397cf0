package dev.dialogue.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dialogue.client.DialogueClientException.Fate;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Re-joins of the kept rooms on every identified connection, asking for what each missed (by
 * offset) and restoring its subscriptions: a re-join cut by a lost connection is asked again on the
 * next one, a timed-out one again on this one, one the server asks to retry after a back-off (a
 * task the room cancels when it goes); only a refusal removes the room.
 *
 * <p>Runs on the client's ordered executor only.
 */
final class Rejoins {
  // Under DialogueClient's name, as before the client was split into parts.
  private static final Logger log = LoggerFactory.getLogger(DialogueClient.class);

  private final ClientSettings config;
  private final Connection connection;
  private final Listeners listeners;
  private final Executor loop;
  private final ScheduledExecutorService scheduler;
  private final KeptRooms rooms;

  Rejoins(
      ClientSettings config,
      Connection connection,
      Listeners listeners,
      Executor loop,
      ScheduledExecutorService scheduler,
      KeptRooms rooms) {
    this.config = config;
    this.connection = connection;
    this.listeners = listeners;
    this.loop = loop;
    this.scheduler = scheduler;
    this.rooms = rooms;
  }

  /**
   * Re-joins a kept room on connection {@code generation}, asking for what it missed. Interrupted
   * by a lost connection, it is asked again on the next one; timed out, again on this one; only a
   * refusal removes the room.
   */
  void rejoin(ClientRoom room, long generation, int retries) {
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
              if (!rooms.keeps(room) || connection.closed) {
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
    long delay = Retries.delayMillis(config.reconnectDelay(), config.reconnectDelayMax(), retries);
    room.retryTask(
        scheduler.schedule(
            () ->
                loop.execute(
                    () -> {
                      if (connection.generation == generation && rooms.keeps(room)) {
                        rejoin(room, generation, retries + 1);
                      }
                    }),
            delay,
            TimeUnit.MILLISECONDS));
  }

  private void rejoined(ClientRoom room, JsonNode result) {
    String epoch = result.path("epoch").asText(null);
    boolean sameEpoch = epoch != null && epoch.equals(room.epoch());
    int missedCount = 0;
    for (JsonNode missed : result.path("missed")) {
      room.deliver(ClientJson.convert(missed, EventMessage.class));
      missedCount++;
    }
    room.applyJoin(
        result.path("roomName").asText(room.id()),
        result.path("offset").asLong(0),
        result.path("epoch").asText(null));
    if (!result.path("recovered").asBoolean(false)) {
      rooms.deliverJoinHistory(room.id(), result);
    }
    for (String name : room.unsubscribedNames()) {
      rooms.sendSubscription(room, name, false);
    }
    for (String name : room.subscribedNames()) {
      rooms.sendSubscription(room, name, true);
    }
    room.rejoined(new Rejoin(result.path("recovered").asBoolean(false) && sameEpoch, missedCount));
  }

  private void refused(ClientRoom room, DialogueClientException e) {
    rooms.drop(room);
    DialogueClientException reason =
        new DialogueClientException(
            e.code(),
            "re-joining room '" + room.id() + "' after a reconnect was refused: " + e.getMessage(),
            Fate.REFUSED);
    log.warn("{}", reason.getMessage());
    room.removed(reason);
    listeners.fire(listeners.error, l -> l.accept(reason));
  }
}
