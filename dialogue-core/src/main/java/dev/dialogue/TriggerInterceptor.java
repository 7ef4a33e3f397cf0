package dev.dialogue;

/**
 * Decides on one event of one room before it is delivered, with the payload typed and validated and
 * the sender's connection at hand: the typed, scoped sibling of the global {@link
 * EventInterceptor}. Registered with {@link RoomConfig.Builder#intercept} or {@link
 * Room#intercept}.
 *
 * <pre>{@code
 * RoomConfig.builder("game-1", "Game")
 *     .events(MOVE)
 *     .intercept(MOVE, (context, move) -> {
 *       Game game = context.room().attributes().get(GAME);
 *       if (!game.isTurnOf(context.sender())) {
 *         throw new CommandException("NOT_YOUR_TURN", "Wait for your turn");
 *       }
 *       return move;
 *     })
 *     .build();
 * }</pre>
 *
 * <p>It runs on the thread of the trigger (a client's: its connection's serial executor), before
 * the global interceptors, for each trigger of that event in that room, clients' and server code's
 * alike; triggers from different connections may run it at the same time, so keep it free of
 * unguarded shared state (the room's handlers, which run one at a time, are the place for that).
 *
 * @param <T> the event's payload type
 */
@FunctionalInterface
public interface TriggerInterceptor<T> {
  /**
   * Returns the payload to deliver ({@code data} itself, or a replacement of the same type, which
   * is validated again), or refuses the trigger by throwing {@link CommandException}: the client
   * gets {@code {ok: false, error: {code, message, data}}} with the application's code. Any other
   * exception refuses it with {@code INTERNAL_ERROR} and is logged.
   */
  T beforeTrigger(TriggerContext context, T data);

  /**
   * An interceptor for events that only server code sends ({@code Room.trigger}, {@code
   * Dialogue.trigger}): a client's trigger is refused with {@code SERVER_ONLY} "'name' events are
   * sent by the server"; the server's pass unchanged. For read-only viewers, announcements, and
   * state the server computes (a game's board, an edit applied by a command).
   *
   * <pre>{@code
   * RoomConfig.builder("news", "News").events(HEADLINE).intercept(HEADLINE, TriggerInterceptor.serverOnly())
   * }</pre>
   */
  static <T> TriggerInterceptor<T> serverOnly() {
    return (context, data) -> {
      if (context.sender() != null) {
        throw new CommandException(
            "SERVER_ONLY", "'" + context.event() + "' events are sent by the server");
      }
      return data;
    };
  }
}
