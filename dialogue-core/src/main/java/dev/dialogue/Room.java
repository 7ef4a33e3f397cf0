package dev.dialogue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * A live room: its configuration, participants, history and presence, and the server-side way to
 * publish into it and listen to it. Obtained from {@link Dialogue#room} or {@link Dialogue#rooms}.
 *
 * <p>Thread-safe. Every participant sees the room's events in one order.
 */
public interface Room {
  String id();

  String name();

  /** The description, or {@code null}. */
  String description();

  RoomConfig config();

  /** The user id of the client that created the room, or {@code null} for server rooms. */
  String createdById();

  /**
   * Publishes an event from the server, as {@code "system"}. Runs the full pipeline (allow check,
   * validation, interceptor, delivery, history, handlers) on the calling thread.
   *
   * @return the envelope, with its offset; with a {@link HistoryStore} it is delivered once the
   *     store has committed it, after this returns
   * @throws DialogueException with {@code ROOM_NOT_FOUND}, {@code EVENT_NOT_ALLOWED}, {@code
   *     VALIDATION_FAILED} or {@code EVENT_REJECTED}
   */
  default EventMessage trigger(String eventName, Object data) {
    return trigger(eventName, data, "system", null);
  }

  /** Publishes an event from the server with the sender name {@code from}. */
  default EventMessage trigger(String eventName, Object data, String from) {
    return trigger(eventName, data, from, null);
  }

  /** Publishes an event from the server with a sender name and a {@code meta} object. */
  EventMessage trigger(String eventName, Object data, String from, Map<String, ?> meta);

  /** Publishes a typed event from the server, as {@code "system"}. */
  default <T> EventMessage trigger(EventDefinition<T> event, T data) {
    return trigger(event.name(), data, "system", null);
  }

  /**
   * Calls {@code handler} after each delivered event named {@code event.name()} in this room. Close
   * the returned registration to stop.
   */
  <T> Registration on(EventDefinition<T> event, EventHandler<T> handler);

  /** Like {@link #on(EventDefinition, EventHandler)} with the raw JSON payload. */
  Registration on(String eventName, EventHandler<JsonNode> handler);

  /**
   * Decides on each trigger of {@code event} in this room before delivery, from now until the
   * returned registration is closed; runs after the interceptors of the room's configuration
   * ({@link RoomConfig.Builder#intercept}). See {@link TriggerInterceptor}.
   */
  <T> Registration intercept(EventDefinition<T> event, TriggerInterceptor<T> interceptor);

  /**
   * The application's values kept on this room (never sent to clients), cleared when the room is
   * deleted. For what clients may see, use {@link RoomConfig.Builder#metadata}.
   */
  Attributes attributes();

  /**
   * Handles {@code command} sent to this room ({@code dialogue:request} with this room's id) by its
   * members, from now until the returned registration is closed. See {@link CommandHandler} for the
   * thread and the errors.
   *
   * @throws IllegalArgumentException if the room already handles a command of that name (from its
   *     configuration or an earlier registration still open)
   */
  default <Req, Res> Registration onCommand(
      CommandDefinition<Req, Res> command, CommandHandler<Req, Res> handler) {
    Objects.requireNonNull(handler, "handler == null");
    return onCommandAsync(
        command,
        (context, request) -> CompletableFuture.completedFuture(handler.handle(context, request)));
  }

  /** Like {@link #onCommand} with a handler whose result may complete later. */
  <Req, Res> Registration onCommandAsync(
      CommandDefinition<Req, Res> command, AsyncCommandHandler<Req, Res> handler);

  /**
   * Runs {@code task} once on this room's serial executor when {@code delay} has passed on the
   * server's clock ({@link Dialogue.Builder#clock}): one at a time with the room's handlers,
   * command handlers, {@code onJoined} and {@code onLeft}, so it may change the room's state
   * without a lock. A turn clock, a game tick, a timeout. It is measured like the lifecycle graces
   * (a clock a test moves makes it due within about 50 ms of the move; see docs/lifecycle.md).
   *
   * <p>Close the returned registration to cancel it: closed from the room's own code (a handler, a
   * command, another scheduled task) before it started, it never runs. It never runs once the room
   * is deleted or the server stopped. An exception it throws is logged. To repeat, schedule again
   * from the task.
   *
   * @throws IllegalArgumentException if {@code delay} is negative
   */
  Registration schedule(Duration delay, Runnable task);

  /** The number of connections in the room. */
  int size();

  /** Whether the room has a {@code maxSize} and has reached it. */
  boolean isFull();

  /** The connections in the room, in join order. */
  List<ClientConnection> participants();

  /**
   * A page of history for one event name, newest first: index 0 is the newest, {@code end} is
   * exclusive. Memory first, then the {@link HistoryLoader} for what memory does not hold.
   */
  List<EventMessage> history(String eventName, int start, int end);

  /** The users present (with at least one connection in the room). */
  Set<String> presence();

  /**
   * The offset of the newest event delivered; 0 when none has been. With a {@link HistoryStore},
   * only committed events are delivered, so this may trail offsets assigned to events still on
   * their way to the store.
   */
  long offset();

  /** The room's epoch: changes whenever its offsets restart. */
  String epoch();

  /**
   * Runs {@code task} on this room's serial executor, after what is queued there already: the
   * {@code onTriggered} listeners and {@code on} handlers of the events delivered before this call,
   * {@code onJoined}/{@code onLeft}, the room's commands. One at a time with them, so it may read
   * or change what they keep without a lock. The future completes once it ran (exceptionally with
   * what it threw; with {@link java.util.concurrent.RejectedExecutionException} once the server
   * stopped).
   *
   * <p>For code outside the room that must see the effect of events already delivered: a command
   * that pages an application table {@code onTriggered} writes, answered right after a client saw
   * the event, waits for {@code room.execute(() -> {})} first.
   */
  CompletableFuture<Void> execute(Runnable task);
}
