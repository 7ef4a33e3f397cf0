package dev.dialogue.internal.socketio;

import dev.dialogue.Dialogue;
import dev.dialogue.internal.Hub;
import dev.dialogue.internal.Settings;

/**
 * How code outside {@code dev.dialogue} (the engine's own tests, the benchmarks) reaches the engine
 * behind a {@link Dialogue}, which keeps it private: the public class hands over an {@link Access}
 * when it is loaded, so that its API shows no internal type.
 */
public final class Internals {
  /** What a {@link Dialogue} is made of. Implemented once, by {@link Dialogue}. */
  public interface Access {
    Hub hub(Dialogue server);

    Settings settings(Dialogue server);

    SocketIoTransport transport(Dialogue server);
  }

  private static volatile Access access;

  private Internals() {}

  /** Called once, by {@link Dialogue}'s static initializer. */
  public static void install(Access dialogueAccess) {
    if (access != null) {
      throw new IllegalStateException("already installed");
    }
    access = dialogueAccess;
  }

  /** {@code server}'s rooms and connections. */
  public static Hub hub(Dialogue server) {
    return access.hub(server);
  }

  /** The configuration {@code server} was built with. */
  public static Settings settings(Dialogue server) {
    return access.settings(server);
  }

  /** {@code server}'s Socket.IO transport. */
  public static SocketIoTransport transport(Dialogue server) {
    return access.transport(server);
  }
}
