package dev.dialogue.examples.chat;

import dev.dialogue.test.DialogueServerExtension;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link ChatServerContract} on the default database: embedded H2 in a temporary directory. */
class ChatServerH2Test extends ChatServerContract {
  @RegisterExtension
  static final DialogueServerExtension SERVER =
      DialogueServerExtension.ofApplication(
          () -> ChatServer.start(new ChatOptions(0, "127.0.0.1", tempDir(), null, false)),
          ChatServer::dialogue);

  @Override
  DialogueServerExtension server() {
    return SERVER;
  }

  static java.nio.file.Path tempDir() {
    try {
      return Files.createTempDirectory("chat-h2-test");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
