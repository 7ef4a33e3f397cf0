package dev.dialogue;

/**
 * Answers one command with a result, synchronously. Registered with {@link
 * Dialogue.Builder#command}, {@link RoomConfig.Builder#command} or {@link Room#onCommand}; for a
 * result that is not ready at once, use {@link AsyncCommandHandler}.
 *
 * <p>Called on a hook-executor thread ({@link Dialogue.Builder#executor}), never on a network
 * thread, with a request that passed validation. While it runs, the sender's later requests wait
 * (each connection's requests are handled one at a time, in order); other connections' requests go
 * on in parallel, so a handler that touches shared state must guard it.
 *
 * <p>To refuse, throw a {@link CommandException} (an application code, message and data, sent to
 * the client as they are) or a {@link DialogueException} (one of the protocol's codes). Any other
 * exception is logged and answered {@code INTERNAL_ERROR} "Internal error", without its message.
 *
 * @param <Req> the request type
 * @param <Res> the result type; a {@code null} result is answered without a {@code result} field
 */
@FunctionalInterface
public interface CommandHandler<Req, Res> {
  /** Answers {@code request}. */
  Res handle(CommandContext context, Req request) throws Exception;
}
