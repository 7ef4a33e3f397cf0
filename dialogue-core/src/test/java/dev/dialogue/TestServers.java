package dev.dialogue;

import com.corundumstudio.socketio.handler.ClientHead;
import com.corundumstudio.socketio.transport.NamespaceClient;
import com.fasterxml.jackson.databind.JsonNode;
import dev.dialogue.internal.socketio.Internals;
import dev.dialogue.testing.Await;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.util.List;
import java.util.UUID;
import java.util.function.BooleanSupplier;

/** Servers for tests: always 127.0.0.1 and port 0. */
public final class TestServers {
  private TestServers() {}

  record Message(@NotBlank @Size(max = 2000) String text) {}

  record Typing(@NotNull Boolean isTyping) {}

  record Author(@NotBlank String name) {}

  record Post(@NotNull @Valid Author author, @Size(max = 3) List<@NotBlank String> tags) {}

  static final EventDefinition<Message> MESSAGE =
      EventDefinition.builder("message", Message.class).history(100).build();
  static final EventDefinition<Typing> TYPING = EventDefinition.of("typing", Typing.class);
  static final EventDefinition<Post> POST = EventDefinition.of("post", Post.class);
  static final EventDefinition<JsonNode> PING = EventDefinition.untyped("ping");

  /**
   * Polls server-side state that has no wire signal (e.g. bookkeeping right after a disconnect)
   * until it holds, failing after {@link Await#TIMEOUT}.
   */
  public static void awaitState(String description, BooleanSupplier condition) {
    Await.until(description, condition);
  }

  /**
   * The Engine.IO session {@code sid} (e.g. a {@link dev.dialogue.testing.RawPolling}'s) on {@code
   * server}'s side, as netty-socketio keeps it, once it is registered: netty-socketio may answer
   * the handshake before it registers the session's client.
   */
  public static ClientHead sessionHead(Dialogue server, String sid) {
    UUID id = UUID.fromString(sid);
    awaitState(
        "the session registered",
        () -> Internals.transport(server).socketIoServer().getClient(id) != null);
    return ((NamespaceClient) Internals.transport(server).socketIoServer().getClient(id))
        .getBaseClient();
  }

  /** A builder on loopback, port 0, with the reference server's rooms and no hooks. */
  public static Dialogue.Builder builder() {
    return Dialogue.builder()
        .host("127.0.0.1")
        .port(0)
        .room(
            RoomConfig.builder("chat", "Chat")
                .events(MESSAGE, TYPING, POST, PING)
                .defaultSubscriptions("message")
                .syncHistoryOnJoin(50)
                .presence(true)
                .build(),
            RoomConfig.builder("tiny", "Tiny").maxSize(1).anyEvent().build(),
            RoomConfig.builder("lobby", "Lobby").anyEvent().defaultSubscriptions("*").build());
  }
}
