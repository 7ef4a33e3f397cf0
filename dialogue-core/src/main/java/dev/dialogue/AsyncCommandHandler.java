package dev.dialogue;

import java.util.concurrent.CompletionStage;

/**
 * Answers one command with a result that may complete later: the answer is sent when the stage
 * completes. Registered with {@link Dialogue.Builder#commandAsync}, {@link
 * RoomConfig.Builder#commandAsync} or {@link Room#onCommandAsync}.
 *
 * <p>Called like a {@link CommandHandler} (a hook-executor thread, a validated request). Once it
 * has returned its stage, the sender's later requests are handled while the stage is pending, and
 * their answers do not wait for it. A stage that fails with a {@link CommandException} or a {@link
 * DialogueException} is answered with that error, any other failure {@code INTERNAL_ERROR}. The
 * server sets no deadline: a stage that never completes is never answered, and the client's own
 * request timeout ends the wait on its side.
 *
 * @param <Req> the request type
 * @param <Res> the result type
 */
@FunctionalInterface
public interface AsyncCommandHandler<Req, Res> {
  /** Starts answering {@code request}; must not return {@code null}. */
  CompletionStage<Res> handle(CommandContext context, Req request) throws Exception;
}
