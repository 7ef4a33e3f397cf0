package dev.dialogue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.corundumstudio.socketio.Transport;
import com.corundumstudio.socketio.handler.ClientHead;
import com.corundumstudio.socketio.handler.TransportState;
import dev.dialogue.internal.Wire;
import dev.dialogue.testing.RawPolling;
import dev.dialogue.testing.RawWebSocket;
import io.netty.channel.Channel;
import java.lang.reflect.Field;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A session on HTTP long-polling whose move to a WebSocket fails goes on over polling, as with
 * Engine.IO's own server; netty-socketio alone ended the session.
 */
class UpgradeTest {
  private static final String LIST_ROOMS = "421[\"" + Wire.LIST_ROOMS + "\"]";

  @Test
  void aWebSocketClosedBeforeTheUpgrade_leavesTheSessionOnPolling() throws Exception {
    try (Dialogue server = TestServers.builder().build().start()) {
      RawPolling polling = connected(server, "pat");
      ClientHead head = TestServers.sessionHead(server, polling.sid());

      Channel probe;
      try (RawWebSocket ws = RawWebSocket.probe(server.port(), polling.sid())) {
        probe = webSocketOf(head);
      } // closed without a close handshake, as a dropped connection
      awaitClosedOnTheServer(probe);

      assertThat(head.isConnected()).isTrue();
      assertThat(server.allClients()).extracting(ClientConnection::userId).containsExactly("pat");
      polling.send(LIST_ROOMS);
      assertThat(polling.takePrefix("431[")).contains("rooms");
    }
  }

  @Test
  void aWebSocketNotUpgradedInTime_isClosed_andTheSessionGoesOnOverPolling_andMayUpgradeLater()
      throws Exception {
    try (Dialogue server =
        TestServers.builder().upgradeTimeout(Duration.ofMillis(300)).build().start()) {
      RawPolling polling = connected(server, "kim");
      ClientHead head = TestServers.sessionHead(server, polling.sid());

      try (RawWebSocket ws = RawWebSocket.probe(server.port(), polling.sid())) {
        Channel probe = webSocketOf(head);
        assertThat(ws.awaitClosed()).isEqualTo(1000);
        awaitClosedOnTheServer(probe);
      }

      assertThat(head.isConnected()).isTrue();
      assertThat(head.getCurrentTransport()).isEqualTo(Transport.POLLING);
      polling.send(LIST_ROOMS);
      assertThat(polling.takePrefix("431[")).contains("rooms");

      try (RawWebSocket ws = RawWebSocket.upgrade(server.port(), polling.sid())) {
        TestServers.awaitState(
            "the session on WebSocket", () -> head.getCurrentTransport() == Transport.WEBSOCKET);
        ws.send("422[\"" + Wire.LIST_ROOMS + "\"]");
        assertThat(ws.takePrefix("432[")).contains("rooms");
      }
    }
  }

  @Test
  void upgradeTimeout_outside100MillisToOneMinute_isRefused_sayingWhy() {
    for (Duration bad : new Duration[] {Duration.ofMillis(99), Duration.ofSeconds(61)}) {
      assertThatThrownBy(() -> Dialogue.builder().upgradeTimeout(bad))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("upgradeTimeout must be between 100 ms and 1 min but was " + bad);
    }
    assertThatThrownBy(() -> Dialogue.builder().upgradeTimeout(null))
        .isInstanceOf(NullPointerException.class);
    assertThat(Dialogue.builder().upgradeTimeout(Duration.ofMinutes(1))).isNotNull();
  }

  /** A polling session that connected as {@code userId} and got {@code dialogue:connected}. */
  private static RawPolling connected(Dialogue server, String userId) throws Exception {
    RawPolling polling = RawPolling.open(server.port());
    assertThat(polling.send("40{\"userId\":\"" + userId + "\"}")).isEqualTo(200);
    polling.takePrefix("40{");
    polling.takePrefix("42[\"" + Wire.CONNECTED + "\"");
    return polling;
  }

  /** The session's WebSocket channel on the server, which netty-socketio does not expose. */
  @SuppressWarnings("unchecked")
  private static Channel webSocketOf(ClientHead head) throws ReflectiveOperationException {
    Field channels = ClientHead.class.getDeclaredField("channels");
    channels.setAccessible(true);
    return ((Map<Transport, TransportState>) channels.get(head))
        .get(Transport.WEBSOCKET)
        .getChannel();
  }

  /**
   * Waits until the server has closed {@code channel} and its pipeline has seen it go inactive
   * (fired in a task after the close, so a task queued after the close runs after it).
   */
  private static void awaitClosedOnTheServer(Channel channel) throws Exception {
    channel.closeFuture().get(RawPolling.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    channel.eventLoop().submit(() -> {}).get(RawPolling.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
  }
}
