package dev.dialogue.internal;

import dev.dialogue.AsyncCommandHandler;
import dev.dialogue.CommandDefinition;
import dev.dialogue.EventDefinition;

/** A command paired with its handler (the generics keep them matched). */
public final class CommandRoute<Req, Res> {
  private final CommandDefinition<Req, Res> definition;
  private final AsyncCommandHandler<Req, Res> handler;

  /** The request's type as the payload validator takes it; messages name the command. */
  private final EventDefinition<Req> payload;

  public CommandRoute(
      CommandDefinition<Req, Res> definition, AsyncCommandHandler<Req, Res> handler) {
    this.definition = definition;
    this.handler = handler;
    this.payload = EventDefinition.of("request", definition.requestType());
  }

  /** A room configuration's pair; {@code RoomConfig.Builder#commandAsync} matched the types. */
  @SuppressWarnings("unchecked")
  static <Req, Res> CommandRoute<Req, Res> of(
      CommandDefinition<Req, Res> definition, AsyncCommandHandler<?, ?> handler) {
    return new CommandRoute<>(definition, (AsyncCommandHandler<Req, Res>) handler);
  }

  String name() {
    return definition.name();
  }

  CommandDefinition<Req, Res> definition() {
    return definition;
  }

  AsyncCommandHandler<Req, Res> handler() {
    return handler;
  }

  EventDefinition<Req> payload() {
    return payload;
  }
}
