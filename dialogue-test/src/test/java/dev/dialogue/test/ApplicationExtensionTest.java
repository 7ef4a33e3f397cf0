package dev.dialogue.test;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dialogue.Dialogue;
import dev.dialogue.RoomConfig;
import dev.dialogue.test.ChatApp.Message;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link DialogueServerExtension#ofApplication}: an application that starts its own server and does
 * more after the start (here: creates a room at runtime, as a chat creates its channels from its
 * database) is run and stopped by the kit, and its clients work as with {@code of(builder)}.
 */
@Timeout(60)
class ApplicationExtensionTest {
  static final AtomicInteger STARTS = new AtomicInteger();
  static final AtomicInteger STOPS = new AtomicInteger();

  /** A tiny application: its own start, a runtime room, its own close. */
  static final class App implements AutoCloseable {
    final Dialogue dialogue;

    App() {
      dialogue =
          ChatApp.builder(TestClock.atFixedStart()).host("127.0.0.1").port(0).build().start();
      dialogue.createRoom(RoomConfig.builder("made-at-start", "Made at start").anyEvent().build());
      STARTS.incrementAndGet();
    }

    @Override
    public void close() {
      dialogue.stop();
      STOPS.incrementAndGet();
    }
  }

  static App app;

  @RegisterExtension
  static DialogueServerExtension server =
      DialogueServerExtension.ofApplication(() -> app = new App(), a -> a.dialogue);

  @Test
  void theApplicationsOwnStartRuns_andItsClientsTalk() {
    assertThat(STARTS).hasValue(1);
    assertThat(server.dialogue()).isSameAs(app.dialogue);
    assertThat(server.dialogue().room("made-at-start")).isPresent();
    TestRoom alice = server.client("alice").join("made-at-start");
    Recorder<Message> bobSees =
        server.client("bob").join("made-at-start").record("message", Message.class);
    alice.send("message", new Message("hello"));
    assertThat(bobSees.next().text()).isEqualTo("hello");
  }

  @AfterAll
  static void theKitClosedTheApplication() {
    // The extension's afterAll runs after this method; close() is idempotent, so calling it here
    // shows the application's own close is what stops the server.
    server.close();
    assertThat(STOPS).hasValue(1);
  }
}
