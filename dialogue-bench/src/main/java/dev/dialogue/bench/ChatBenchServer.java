package dev.dialogue.bench;

import dev.dialogue.examples.chat.ChatOptions;
import dev.dialogue.examples.chat.ChatServer;
import java.nio.file.Path;

/**
 * The chat scenario's server: the flagship chat example ({@link ChatServer}, H2 in {@code --data
 * DIR}, the default store) on 127.0.0.1, with the harness's control channel ({@link
 * ServerArgs#serve}: {@code READY <port>}, {@code gc}, stop on end of input).
 *
 * <pre>ChatBenchServer --port N --data DIR</pre>
 */
final class ChatBenchServer {
  private ChatBenchServer() {}

  public static void main(String[] args) {
    int port = 0;
    Path data = null;
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--port" -> port = Integer.parseInt(args[i + 1]);
        case "--data" -> data = Path.of(args[i + 1]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    if (data == null) {
      throw new IllegalArgumentException("--data DIR is required");
    }
    ChatServer server = ChatServer.start(new ChatOptions(port, "127.0.0.1", data, null, false));
    ServerArgs.serve(server.port(), server::close);
  }
}
