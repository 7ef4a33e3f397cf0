package dev.dialogue.test;

import dev.dialogue.CommandDefinition;
import dev.dialogue.CommandException;
import dev.dialogue.Dialogue;
import dev.dialogue.EventDefinition;
import dev.dialogue.RoomConfig;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.time.Clock;

/** A small application, as a user of the kit would have one: a chat room and a command. */
final class ChatApp {
  record Message(@NotBlank String text) {}

  record Half(@NotNull Integer n) {}

  record Halved(int half) {}

  static final EventDefinition<Message> MESSAGE =
      EventDefinition.builder("message", Message.class).history(100).build();

  static final CommandDefinition<Half, Halved> HALVE =
      CommandDefinition.builder("halve", Half.class, Halved.class).build();

  private ChatApp() {}

  /** The production builder: the port and host are the application's, the kit replaces them. */
  static Dialogue.Builder builder(Clock clock) {
    return Dialogue.builder()
        .port(3000)
        .host("0.0.0.0")
        .clock(clock)
        .room(
            RoomConfig.builder("chat", "Chat")
                .events(MESSAGE)
                .defaultSubscriptions(MESSAGE.name())
                .presence(true)
                .build(),
            RoomConfig.builder("lobby", "Lobby").anyEvent().build())
        .command(
            HALVE,
            (context, request) -> {
              if (request.n() % 2 != 0) {
                throw new CommandException("ODD", request.n() + " is odd");
              }
              return new Halved(request.n() / 2);
            });
  }
}
