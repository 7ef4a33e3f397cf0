package dev.dialogue;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dialogue.internal.Wire;
import dev.dialogue.internal.socketio.SocketIoTransport;
import dev.dialogue.testing.RawClient;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Native epoll by default where Netty has it, NIO when asked; both carry the same traffic. */
class NativeTransportTest {
  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void eitherTransport_joinsAndDelivers(boolean nativeTransport) {
    try (Dialogue server = TestServers.builder().nativeTransport(nativeTransport).build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      String expected = nativeTransport && SocketIoTransport.epollAvailable() ? "epoll" : "nio";
      assertThat(server.transportKind()).isEqualTo(expected);

      assertThat(alice.request(Wire.JOIN, Map.of("roomId", "chat")).path("ok").asBoolean())
          .isTrue();
      JsonNode ack =
          alice.request(
              Wire.TRIGGER,
              Map.of("roomId", "chat", "event", "message", "data", Map.of("text", "hi")));
      assertThat(ack.path("ok").asBoolean()).isTrue();
      assertThat(alice.take(Wire.EVENT).data().path("data").path("text").asText()).isEqualTo("hi");
    }
  }

  @Test
  void epoll_isAvailableExactlyOnLinuxWithNettysNatives() {
    boolean linux = System.getProperty("os.name").toLowerCase(Locale.ROOT).contains("linux");
    String arch = System.getProperty("os.arch");
    boolean natives = arch.equals("amd64") || arch.equals("x86_64") || arch.equals("aarch64");
    assertThat(SocketIoTransport.epollAvailable()).isEqualTo(linux && natives);
  }
}
