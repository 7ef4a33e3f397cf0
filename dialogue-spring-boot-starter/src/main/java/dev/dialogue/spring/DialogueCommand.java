package dev.dialogue.spring;

import static java.util.Objects.requireNonNull;

import dev.dialogue.AsyncCommandHandler;
import dev.dialogue.CommandDefinition;
import dev.dialogue.CommandHandler;
import dev.dialogue.Dialogue;
import java.util.concurrent.CompletableFuture;

/**
 * A global command and its handler as one bean: the auto-configuration registers every bean of this
 * type with {@link Dialogue.Builder#commandAsync}. A command of one room belongs to its {@link
 * dev.dialogue.RoomConfig} instead ({@code RoomConfig.Builder.command}).
 *
 * <pre>{@code
 * @Bean
 * DialogueCommand sum() {
 *   return DialogueCommand.of(SUM, (context, request) -> new Sum(request.a() + request.b()));
 * }
 * }</pre>
 *
 * <p>The handler runs as {@link CommandHandler} describes: on a hook-executor thread, never on a
 * network thread.
 */
public final class DialogueCommand {
  private final Registrar registrar;
  private final String name;

  private DialogueCommand(String name, Registrar registrar) {
    this.name = name;
    this.registrar = registrar;
  }

  /** A command answered synchronously by {@code handler}. */
  public static <Req, Res> DialogueCommand of(
      CommandDefinition<Req, Res> command, CommandHandler<Req, Res> handler) {
    requireNonNull(command, "command == null");
    requireNonNull(handler, "handler == null");
    return async(
        command,
        (context, request) -> CompletableFuture.completedFuture(handler.handle(context, request)));
  }

  /** A command whose {@code handler} may complete its result later. */
  public static <Req, Res> DialogueCommand async(
      CommandDefinition<Req, Res> command, AsyncCommandHandler<Req, Res> handler) {
    requireNonNull(command, "command == null");
    requireNonNull(handler, "handler == null");
    return new DialogueCommand(command.name(), builder -> builder.commandAsync(command, handler));
  }

  /** The command's name. */
  public String name() {
    return name;
  }

  void register(Dialogue.Builder builder) {
    registrar.register(builder);
  }

  @Override
  public String toString() {
    return "DialogueCommand{" + name + "}";
  }

  /** Keeps the definition's and the handler's type parameters together until registration. */
  @FunctionalInterface
  private interface Registrar {
    void register(Dialogue.Builder builder);
  }
}
