package dev.dialogue.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dialogue.ClientConnection;
import dev.dialogue.CommandContext;
import dev.dialogue.CommandException;
import dev.dialogue.DialogueException;
import dev.dialogue.ErrorCode;
import dev.dialogue.Room;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;

/**
 * Commands ({@code dialogue:request}): finds the handler (global, or the room's), validates the
 * request, calls the handler and answers with its result or its error. The one place a command
 * handler is called is {@link #run}. The commands themselves are {@link CommandRoute}s: global ones
 * in the settings, a room's in its {@link RoomCommands}.
 */
public final class Commands {
  /** What a handler is told of its request. */
  private record Call(String command, ClientConnection sender, Room room)
      implements CommandContext {}

  private final Hub hub;
  private final Map<String, CommandRoute<?, ?>> global;
  private final PayloadValidator validator;
  private final Logger log;

  Commands(Hub hub) {
    this.hub = hub;
    this.global = hub.settings().hooks().commands();
    this.validator = hub.validator();
    this.log = hub.settings().runtime().logger();
  }

  /**
   * Handles {@code dialogue:request {command, roomId?, data}} on the sender's serial executor.
   *
   * @throws DialogueException for a malformed request, an unknown command or room, a sender not in
   *     the room, or a request that fails validation: answered by the caller
   */
  void request(RealConnection sender, JsonNode payload, Reply reply) {
    ObjectNode request = Fields.object(payload, Wire.REQUEST, "{command, roomId?, data}");
    String name = Fields.requiredString(request, "command");
    String roomId = Fields.optionalString(request, "roomId");
    RealRoom room = null;
    CommandRoute<?, ?> route;
    if (roomId == null) {
      route = global.get(name);
      if (route == null) {
        throw notFound("Command '" + name + "' does not exist");
      }
    } else {
      if (roomId.isEmpty()) {
        throw Fields.invalid("roomId must not be empty");
      }
      room = hub.requireRoom(roomId, sender);
      if (!room.state().contains(sender)) {
        throw new DialogueException(ErrorCode.NOT_IN_ROOM, "Join room '" + roomId + "' first");
      }
      route = room.commands.route(room.config(), name);
      if (route == null) {
        throw notFound("Command '" + name + "' does not exist in room '" + roomId + "'");
      }
    }
    call(route, new Call(name, sender, room), request.get("data"), reply);
  }

  private static DialogueException notFound(String message) {
    return new DialogueException(ErrorCode.COMMAND_NOT_FOUND, message);
  }

  private <Req, Res> void call(
      CommandRoute<Req, Res> route, Call call, JsonNode data, Reply reply) {
    Req request = bind(route, call.command(), data);
    run((RealRoom) call.room(), () -> invoke(route, call, request, reply));
  }

  /**
   * Where a command's handler runs: a global command's on the sender's serial executor (so a
   * connection's commands are handled in the order it sent them), a room's on the room's serial
   * executor, one at a time with the room's other application code (docs/concurrency.md).
   */
  private static void run(RealRoom room, Runnable invocation) {
    if (room == null) {
      invocation.run();
    } else {
      room.state().code.runSerially(invocation);
    }
  }

  /** The request converted and validated as an event's payload is; VALIDATION_FAILED if not. */
  private <Req> Req bind(CommandRoute<Req, ?> route, String name, JsonNode data) {
    if (route.definition().requestType() == Void.class) {
      return null;
    }
    return validator.bind(route.payload(), "Command", name, data);
  }

  private <Req, Res> void invoke(
      CommandRoute<Req, Res> route, Call call, Req request, Reply reply) {
    CompletionStage<Res> stage;
    try {
      stage = route.handler().handle(call, request);
      if (stage == null) {
        throw new IllegalStateException("the handler returned null instead of a CompletionStage");
      }
    } catch (Exception | Error e) {
      refuse(call, reply, e);
      return;
    }
    stage.whenComplete(
        (result, failure) -> {
          if (failure != null) {
            refuse(call, reply, unwrap(failure));
          } else {
            answer(call, reply, result);
          }
        });
  }

  /** {@code {ok: true, result}}; nothing without an ack (a command's success has no event). */
  private void answer(Call call, Reply reply, Object result) {
    JsonNode tree;
    try {
      tree = result == null ? null : Json.tree(result);
    } catch (IllegalArgumentException e) {
      log.error(
          "Command {} from {}: its result cannot be encoded", call.command(), call.sender(), e);
      reply.error(ErrorCode.INTERNAL_ERROR, "Internal error");
      return;
    }
    reply.ok(null, null, new Wire.CommandResult(tree));
  }

  private void refuse(Call call, Reply reply, Throwable failure) {
    if (failure instanceof CommandException refusal) {
      reply.refuse(refusal, log, "Command " + call.command() + " from " + call.sender());
    } else if (failure instanceof DialogueException refusal) {
      reply.error(refusal);
    } else {
      log.error("Command {} from {} failed", call.command(), call.sender(), failure);
      reply.error(ErrorCode.INTERNAL_ERROR, "Internal error");
    }
  }

  private static Throwable unwrap(Throwable failure) {
    Throwable t = failure;
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}
