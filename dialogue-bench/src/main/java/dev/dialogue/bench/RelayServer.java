package dev.dialogue.bench;

import com.corundumstudio.socketio.AckMode;
import com.corundumstudio.socketio.AckRequest;
import com.corundumstudio.socketio.AuthTokenResult;
import com.corundumstudio.socketio.Configuration;
import com.corundumstudio.socketio.SocketIOClient;
import com.corundumstudio.socketio.SocketIOServer;
import com.corundumstudio.socketio.Transport;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.SignedJWT;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.epoll.Epoll;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The transport's ceiling: netty-socketio with the knobs Dialogue uses (one boss thread, workers =
 * cores, no compression, random session ids, manual acks, same heartbeat) and no Dialogue layer.
 * {@code dialogue:join} joins a netty-socketio room, {@code dialogue:trigger} broadcasts a {@code
 * dialogue:event} envelope to it; nothing is validated, stored or hooked.
 */
final class RelayServer {
  private static final String USER = "userId";

  private final AtomicLong ids = new AtomicLong();
  private final byte[] secret;
  private final CompletableFuture<Integer> boundPort = new CompletableFuture<>();
  private SocketIOServer server;

  private RelayServer(String secret) {
    this.secret = secret == null ? null : secret.getBytes(StandardCharsets.UTF_8);
  }

  public static void main(String[] args) throws Exception {
    ServerArgs options = ServerArgs.parse(args);
    RelayServer relay = new RelayServer(options.jwtSecret());
    int port = relay.start(options.port());
    ServerArgs.serve(port, relay.server::stop);
  }

  private int start(int port) throws Exception {
    Configuration config = new Configuration();
    config.setHostname("127.0.0.1");
    config.setPort(port);
    config.setBossThreads(1);
    // The transport Dialogue uses by default: the relay stays the ceiling of the same stack.
    config.setUseLinuxNativeEpoll(Epoll.isAvailable());
    config.setWorkerThreads(Math.max(2, Runtime.getRuntime().availableProcessors()));
    config.setTransports(Transport.WEBSOCKET);
    config.setRandomSession(true);
    config.setAckMode(AckMode.MANUAL);
    config.setWebsocketCompression(false);
    config.setHttpCompression(false);
    config.setPingInterval(25_000);
    config.setPingTimeout(20_000);
    config.setMaxFramePayloadLength(1 << 20);
    config.setMaxHttpContentLength(1 << 20);
    config.getSocketConfig().setReuseAddress(true);
    server =
        new SocketIOServer(config) {
          @Override
          protected void applyConnectionOptions(ServerBootstrap bootstrap) {
            super.applyConnectionOptions(bootstrap);
            // netty-socketio does not expose the port it bound when asked for port 0.
            bootstrap.handler(
                new ChannelInboundHandlerAdapter() {
                  @Override
                  public void channelActive(ChannelHandlerContext ctx) {
                    boundPort.complete(
                        ((InetSocketAddress) ctx.channel().localAddress()).getPort());
                    ctx.fireChannelActive();
                  }
                });
          }
        };
    if (secret != null) {
      server.getNamespace("").addAuthTokenListener((token, client) -> authenticate(token, client));
    }
    server.addConnectListener(this::onConnect);
    server.addEventListener("dialogue:join", Map.class, this::onJoin);
    server.addEventListener("dialogue:leave", Map.class, this::onLeave);
    server.addEventListener("dialogue:trigger", Map.class, this::onTrigger);
    server.start();
    return boundPort.get(10, TimeUnit.SECONDS);
  }

  private AuthTokenResult authenticate(Object token, SocketIOClient client) {
    try {
      Object raw = token instanceof Map<?, ?> map ? map.get("token") : null;
      SignedJWT jwt = SignedJWT.parse(String.valueOf(raw));
      String subject = jwt.getJWTClaimsSet().getSubject();
      if (jwt.getHeader().getAlgorithm().equals(JWSAlgorithm.HS256)
          && jwt.verify(new MACVerifier(secret))
          && subject != null) {
        client.set(USER, subject);
        return AuthTokenResult.AuthTokenResultSuccess;
      }
    } catch (Exception e) {
      // Any unreadable token is refused like a bad signature.
    }
    return new AuthTokenResult(false, Map.of("message", "Authentication failed"));
  }

  private void onConnect(SocketIOClient client) {
    if (secret != null && !client.has(USER)) {
      client.disconnect(); // netty-socketio lets a CONNECT without auth data skip the check
      return;
    }
    if (!client.has(USER)) {
      Object auth = client.getHandshakeData().getAuthToken();
      Object user = auth instanceof Map<?, ?> map ? map.get(USER) : null;
      client.set(USER, user instanceof String s ? s : "anon-" + UUID.randomUUID());
    }
    client.sendEvent(
        "dialogue:connected",
        Map.of("clientId", client.getSessionId().toString(), USER, client.get(USER)));
  }

  private void onJoin(SocketIOClient client, Map<?, ?> request, AckRequest ack) {
    String roomId = String.valueOf(request.get("roomId"));
    client.joinRoom(roomId);
    reply(client, ack, "dialogue:joined", Map.of("roomId", roomId, "roomName", roomId));
  }

  private void onLeave(SocketIOClient client, Map<?, ?> request, AckRequest ack) {
    String roomId = String.valueOf(request.get("roomId"));
    client.leaveRoom(roomId);
    reply(client, ack, "dialogue:left", Map.of("roomId", roomId));
  }

  private void onTrigger(SocketIOClient client, Map<?, ?> request, AckRequest ack) {
    String roomId = String.valueOf(request.get("roomId"));
    if (!client.getAllRooms().contains(roomId)) {
      client.sendEvent(
          "dialogue:error", Map.of("code", "NOT_IN_ROOM", "message", "Join room first"));
      return;
    }
    Map<String, Object> envelope = new LinkedHashMap<>();
    envelope.put("event", request.get("event"));
    envelope.put("roomId", roomId);
    envelope.put("data", request.get("data"));
    envelope.put("from", client.get(USER));
    envelope.put("timestamp", System.currentTimeMillis());
    envelope.put("id", "r" + ids.incrementAndGet());
    server.getRoomOperations(roomId).sendEvent("dialogue:event", envelope);
    if (ack.isAckRequested()) {
      ack.sendAckData(Map.of("ok", true, "id", envelope.get("id")));
    }
  }

  private static void reply(SocketIOClient client, AckRequest ack, String event, Map<?, ?> body) {
    if (ack.isAckRequested()) {
      Map<Object, Object> result = new LinkedHashMap<>(body);
      result.put("ok", true);
      ack.sendAckData(result);
    } else {
      client.sendEvent(event, body);
    }
  }
}
