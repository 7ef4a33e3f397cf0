package dev.dialogue.examples.spring;

import dev.dialogue.CommandDefinition;
import dev.dialogue.EventDefinition;
import dev.dialogue.RoomConfig;
import dev.dialogue.spring.DialogueCommand;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;

/** The example's rooms, event and command, as beans the starter picks up. */
@Configuration(proxyBeanMethods = false)
public class ChatBeans {
  /** The payload of a {@code message} event. */
  public record Message(@NotBlank @Size(max = 2000) String text) {}

  /** The request of {@code whoami}: no fields. */
  public record WhoAmI() {}

  /** The answer of {@code whoami}. */
  public record Identity(String userId, boolean admin) {}

  /** A chat message; the newest 100 of each room are kept. */
  public static final EventDefinition<Message> MESSAGE =
      EventDefinition.builder("message", Message.class)
          .description("A chat message")
          .history(100)
          .build();

  /** Who the sender is, as the server sees it. */
  public static final CommandDefinition<WhoAmI, Identity> WHOAMI =
      CommandDefinition.of("whoami", WhoAmI.class, Identity.class);

  /** A global definition: rooms that accept any event validate "message" against it. */
  @Bean
  EventDefinition<Message> message() {
    return MESSAGE;
  }

  /** Everyone's room; listed first. */
  @Bean
  @Order(1)
  RoomConfig chat() {
    return RoomConfig.builder("chat", "Chat")
        .description("Everyone")
        .events(MESSAGE)
        .defaultSubscriptions("message")
        .syncHistoryOnJoin(20)
        .presence(true)
        .build();
  }

  /** The admins' room: {@link AdminsOnly} turns everyone else away. */
  @Bean
  @Order(2)
  RoomConfig ops() {
    return RoomConfig.builder("ops", "Ops")
        .description("Admins only")
        .anyEvent()
        .defaultSubscriptions("*")
        .build();
  }

  @Bean
  DialogueCommand whoami() {
    return DialogueCommand.of(
        WHOAMI,
        (context, request) ->
            new Identity(
                context.sender().userId(),
                Boolean.TRUE.equals(context.sender().claims().get("admin"))));
  }
}
