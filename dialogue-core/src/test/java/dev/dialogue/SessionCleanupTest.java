package dev.dialogue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dialogue.internal.Wire;
import dev.dialogue.testing.RawClient;
import dev.dialogue.testing.RawWebSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Nothing is left behind per connection: sessions, connections, memberships, presence. */
@Timeout(60)
class SessionCleanupTest {
  @Test
  void afterEveryKindOfClientLeaves_nothingIsTrackedAnyMore() {
    try (Dialogue server =
        TestServers.builder()
            .authenticator(
                h ->
                    "good".equals(h.authString("token"))
                        ? AuthResult.accept(h.authString("userId"))
                        : AuthResult.reject("bad token"))
            .build()
            .start()) {
      List<AutoCloseable> clients = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        RawClient accepted =
            RawClient.connect(server.port(), Map.of("token", "good", "userId", "u" + i));
        HistoryTest.ack(accepted, Wire.JOIN, Map.of("roomId", "chat"));
        clients.add(accepted);
      }
      for (int i = 0; i < 5; i++) {
        RawClient refused = RawClient.open(server.port(), Map.of("token", "bad"), true);
        assertThat(refused.connectError()).isEqualTo("bad token");
        clients.add(refused);
      }
      RawWebSocket silent = RawWebSocket.open(server.port());
      silent.send("42[\"dialogue:listRooms\"]");
      clients.add(silent);
      TestServers.awaitState("ten connected", () -> server.allClients().size() == 10);
      assertThat(server.room("chat").orElseThrow().presence()).hasSize(10);

      for (AutoCloseable c : clients) {
        try {
          c.close();
        } catch (Exception e) {
          throw new AssertionError(e);
        }
      }

      TestServers.awaitState("no connection left", () -> server.allClients().isEmpty());
      TestServers.awaitState("no session left", () -> server.trackedSessions() == 0);
      assertThat(server.room("chat").orElseThrow().size()).isZero();
      assertThat(server.room("chat").orElseThrow().presence()).isEmpty();
      assertThat(server.clientRooms("u1")).isEmpty();
    }
  }
}
