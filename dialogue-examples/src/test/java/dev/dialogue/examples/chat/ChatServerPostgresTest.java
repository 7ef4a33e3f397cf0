package dev.dialogue.examples.chat;

import dev.dialogue.test.DialogueServerExtension;
import dev.dialogue.testing.TestPostgres;
import java.sql.SQLException;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link ChatServerContract} on PostgreSQL (embedded binaries, a fresh schema): the app's tables,
 * the history store and the PostgreSQL search index.
 */
class ChatServerPostgresTest extends ChatServerContract {
  @RegisterExtension
  static final DialogueServerExtension SERVER =
      DialogueServerExtension.ofApplication(
          () ->
              ChatServer.start(
                  new ChatOptions(0, "127.0.0.1", ChatServerH2Test.tempDir(), database(), false)),
          ChatServer::dialogue);

  @Override
  DialogueServerExtension server() {
    return SERVER;
  }

  private static String database() {
    TestPostgres postgres = TestPostgres.shared();
    String schema = "chat_" + Long.toHexString(System.nanoTime());
    try {
      postgres.createSchema(schema);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
    return postgres.url(schema);
  }
}
