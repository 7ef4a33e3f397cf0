package dev.dialogue;

import static org.assertj.core.api.Assertions.assertThat;

import com.corundumstudio.socketio.HandshakeData;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.net.InetSocketAddress;
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

    String compact = HeadSession.takeHeaders(data);

    assertThat(data.getHttpHeaders().names()).containsExactly("Origin");
    assertThat(data.getHttpHeaders().get("origin")).isEqualTo("https://app.example.com");
    assertThat(data.getUrlParams()).isEmpty();
    Handshake handshake = HeadSession.handshake(compact, ADDRESS, Map.of());
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
}
