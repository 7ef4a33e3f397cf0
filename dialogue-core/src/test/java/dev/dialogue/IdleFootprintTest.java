package dev.dialogue;

import static org.assertj.core.api.Assertions.assertThat;

import com.corundumstudio.socketio.HandshakeData;
import com.corundumstudio.socketio.SocketIOChannelInitializer;
import com.corundumstudio.socketio.SocketIONamespace;
import com.corundumstudio.socketio.Transport;
import com.corundumstudio.socketio.messages.PacketsMessage;
import com.corundumstudio.socketio.namespace.Namespace;
import com.corundumstudio.socketio.store.MemoryStore;
import com.corundumstudio.socketio.transport.NamespaceClient;
import dev.dialogue.internal.RealConnection;
import dev.dialogue.internal.Settings;
import dev.dialogue.internal.Wire;
import dev.dialogue.internal.socketio.Gate;
import dev.dialogue.internal.socketio.Headers;
import dev.dialogue.internal.socketio.Internals;
import dev.dialogue.internal.socketio.UpgradeGuard;
import dev.dialogue.testing.RawClient;
import dev.dialogue.testing.RawWebSocket;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What an idle connection keeps on the heap (docs/performance-idle-heap.md): nothing the transport
 * or the library no longer needs once the connection is established.
 */
@Timeout(60)
class IdleFootprintTest {
  private static final InetSocketAddress ADDRESS = new InetSocketAddress("127.0.0.1", 4000);

  @Test
  void handshakeHeaders_leaveTheTransportSession_butOrigin() {
    HttpHeaders http = new DefaultHttpHeaders();
    http.add("Host", "example.com");
    http.add("Origin", "https://app.example.com");
    http.add("Cookie", "a=1");
    http.add("X-Many", "1");
    http.add("X-Many", "2");
    http.add("X-Empty", "");
    Map<String, List<String>> params = new LinkedHashMap<>();
    params.put("EIO", new ArrayList<>(List.of("4")));
    params.put("transport", new ArrayList<>(List.of("websocket")));
    HandshakeData data = new HandshakeData(http, params, ADDRESS, ADDRESS, "/socket.io/", true);

    String compact = Headers.take(data);

    assertThat(data.getHttpHeaders().names()).containsExactly("Origin");
    assertThat(data.getHttpHeaders().get("origin")).isEqualTo("https://app.example.com");
    assertThat(data.getUrlParams()).isEmpty();
    Handshake handshake = Headers.handshake(compact, ADDRESS, Map.of());
    assertThat(handshake.headers())
        .containsOnly(
            Map.entry("host", List.of("example.com")),
            Map.entry("origin", List.of("https://app.example.com")),
            Map.entry("cookie", List.of("a=1")),
            Map.entry("x-many", List.of("1", "2")),
            Map.entry("x-empty", List.of("")));
    assertThat(handshake.remoteAddress()).isEqualTo(ADDRESS);
  }

  @Test
  void aSecondConnectOnTheSameTransportSession_seesTheSameHeaders() {
    List<Map<String, List<String>>> seen = new CopyOnWriteArrayList<>();
    try (Dialogue server =
            TestServers.builder()
                .authenticator(
                    h -> {
                      seen.add(h.headers());
                      return AuthResult.accept(h.authString("userId"));
                    })
                .build()
                .start();
        RawWebSocket ws = RawWebSocket.open(server.port())) {
      assertThat(ws.connect("{\"userId\":\"u1\"}")).startsWith("40{");
      ws.send("41");
      TestServers.awaitState("disconnected", () -> server.allClients().isEmpty());
      assertThat(ws.connect("{\"userId\":\"u1\"}")).startsWith("40{");
      assertThat(seen).hasSize(2);
      assertThat(seen.get(0)).containsKeys("host", "sec-websocket-key");
      assertThat(seen.get(1)).isEqualTo(seen.get(0));
    }
  }

  @Test
  void aChannelThatBecameAWebSocket_dropsTheHttpOnlyHandlers() {
    try (Dialogue server = TestServers.builder().build()) {
      Settings settings = Internals.settings(server);
      Gate gate = new Gate(settings.transport(), settings.runtime(), Internals.hub(server));
      List<String> httpOnly =
          List.of(
              SocketIOChannelInitializer.AUTHORIZE_HANDLER,
              SocketIOChannelInitializer.XHR_POLLING_TRANSPORT,
              SocketIOChannelInitializer.WRONG_URL_HANDLER,
              "dialogueBrowserScript",
              UpgradeGuard.NAME);

      EmbeddedChannel polling = channel(gate, httpOnly);
      polling.writeInbound(engineIo("5", Transport.POLLING));
      assertThat(polling.pipeline().names()).containsAll(httpOnly);

      EmbeddedChannel upgraded = channel(gate, httpOnly);
      upgraded.writeInbound(engineIo("2probe", Transport.WEBSOCKET));
      assertThat(upgraded.pipeline().names()).containsAll(httpOnly);
      upgraded.writeInbound(engineIo("5", Transport.WEBSOCKET));
      assertThat(upgraded.pipeline().names()).doesNotContainAnyElementsOf(httpOnly);
      assertThat(upgraded.pipeline().names()).contains("dialogueGate", "other");
      for (EmbeddedChannel c : List.of(polling, upgraded)) {
        for (Object m = c.readInbound(); m != null; m = c.readInbound()) {
          ((PacketsMessage) m).getContent().release();
        }
      }
    }
  }

  private static EmbeddedChannel channel(Gate gate, List<String> httpOnly) {
    EmbeddedChannel channel = new EmbeddedChannel();
    channel.pipeline().addLast("dialogueGate", gate);
    for (String name : httpOnly) {
      channel.pipeline().addLast(name, new Passing());
    }
    channel.pipeline().addLast("other", new Passing());
    return channel;
  }

  private static PacketsMessage engineIo(String text, Transport transport) {
    return new PacketsMessage(null, Unpooled.copiedBuffer(text, StandardCharsets.UTF_8), transport);
  }

  @ChannelHandler.Sharable
  private static final class Passing extends ChannelInboundHandlerAdapter {}

  @Test
  void netty_socketio_keepsNoRoomsAndNoStoreMapPerSession() {
    try (Dialogue server = TestServers.builder().build().start();
        RawWebSocket ws = RawWebSocket.open(server.port())) {
      assertThat(ws.connect("{\"userId\":\"u1\"}")).startsWith("40{");
      TestServers.awaitState("connected", () -> server.allClients().size() == 1);
      SocketIONamespace ns =
          Internals.transport(server).socketIoServer().getNamespace(Namespace.DEFAULT_NAME);
      assertThat(ns.getAllClients()).hasSize(1);
      NamespaceClient client = (NamespaceClient) ns.getAllClients().iterator().next();
      assertThat(client.getAllRooms()).isEmpty();
      assertThat(client.getBaseClient().getStore()).isNotInstanceOf(MemoryStore.class);
      client.set("k", "v");
      assertThat(client.<String>get("k")).isEqualTo("v");
    }
  }

  @Test
  void idleConnections_shareTheRoomsDefaults_andHoldNoQueueOrEmptyMeta() {
    try (Dialogue server = TestServers.builder().build().start();
        RawClient a = RawClient.connectAs(server.port(), "a");
        RawClient b = RawClient.connectAs(server.port(), "b")) {
      HistoryTest.ack(a, Wire.JOIN, Map.of("roomId", "chat"));
      HistoryTest.ack(b, Wire.JOIN, Map.of("roomId", "chat"));
      RealConnection ca = Internals.hub(server).clients("a").iterator().next();
      RealConnection cb = Internals.hub(server).clients("b").iterator().next();

      assertThat(ca.subscriptions("chat")).containsExactly("message");
      assertThat(ca.subscriptions("chat")).isSameAs(cb.subscriptions("chat"));
      assertThat(ca.meta()).isSameAs(Map.of());
      TestServers.awaitState(
          "queues released", () -> !ca.serial.holdsQueue() && !cb.serial.holdsQueue());

      HistoryTest.ack(a, Wire.SUBSCRIBE, Map.of("roomId", "chat", "eventName", "typing"));
      assertThat(ca.subscriptions("chat")).containsExactlyInAnyOrder("message", "typing");
      assertThat(cb.subscriptions("chat")).containsExactly("message");
      HistoryTest.ack(a, Wire.UNSUBSCRIBE, Map.of("roomId", "chat", "eventName", "typing"));
      assertThat(ca.subscriptions("chat")).containsExactly("message");
    }
  }
}
