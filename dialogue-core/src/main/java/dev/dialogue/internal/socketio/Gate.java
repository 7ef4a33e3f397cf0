package dev.dialogue.internal.socketio;

import com.corundumstudio.socketio.Transport;
import com.corundumstudio.socketio.handler.ClientHead;
import com.corundumstudio.socketio.messages.PacketsMessage;
import dev.dialogue.ErrorCode;
import dev.dialogue.Handshake;
import dev.dialogue.internal.Hooks;
import dev.dialogue.internal.Hub;
import dev.dialogue.internal.Json;
import dev.dialogue.internal.Quotas;
import dev.dialogue.internal.RealConnection;
import dev.dialogue.internal.Reply;
import dev.dialogue.internal.Requests;
import dev.dialogue.internal.Settings;
import dev.dialogue.internal.Wire;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;

/**
 * Sits in front of netty-socketio's packet handler and owns the Socket.IO layer: it passes
 * Engine.IO packets (ping, pong, upgrade) through, and takes every Socket.IO packet itself. That
 * way a CONNECT is answered only after our authenticator ran on the hook executor (also when it
 * carries no {@code auth}, which netty-socketio would let through), nothing reaches an
 * unauthenticated session, and every malformed or oversized request can be answered.
 *
 * <p>Runs on Netty event loops: it only splits and routes text, never runs user code.
 */
@Sharable
public final class Gate extends ChannelInboundHandlerAdapter {
  private static final char RECORD_SEPARATOR = '\u001e';

  /** The Engine.IO upgrade packet and the start of a Socket.IO CONNECT packet. */
  private static final String UPGRADE = "5";

  private static final String CONNECT = "40";

  /** The Engine.IO ping a client sends over a new WebSocket before it upgrades to it. */
  private static final String PROBE = "2probe";

  /** The key of a CONNECT's auth payload that carries a resumption token; not shown to hooks. */
  private static final String RESUME = "resume";

  private static final String REJOIN = "rejoin";

  /** Most room ids {@code auth.rejoin} may name. */
  static final int MAX_REJOIN = 1_000;

  private final Settings.TransportSettings transport;
  private final Settings.RuntimeSettings runtime;

  /** The event loops' flushers of this server's WebSocket frames. */
  private final Flushers flushers;

  private final Hub hub;
  private final Requests requests;
  private final Logger log;
  private final Map<UUID, SessionState> sessions = new ConcurrentHashMap<>();
  private volatile boolean stopping;

  public Gate(Settings.TransportSettings transport, Settings.RuntimeSettings runtime, Hub hub) {
    this.transport = transport;
    this.runtime = runtime;
    this.flushers =
        new Flushers(transport.maxFlushDelay(), transport.maxFlushDelayUnderLoad(), hub.traffic());
    this.hub = hub;
    this.requests = new Requests(hub);
    this.log = runtime.logger();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof PacketsMessage message)) {
      ctx.fireChannelRead(msg);
      return;
    }
    ByteBuf content = message.getContent();
    if (content.isReadable() && !isText(content.getByte(content.readerIndex()))) {
      log.debug(
          "Dropped a binary frame from session {}: binary payloads are not supported",
          message.getClient().getSessionId());
      return;
    }
    String text = content.toString(StandardCharsets.UTF_8);
    boolean websocket = message.getTransport() == Transport.WEBSOCKET;
    StringBuilder passThrough = null;
    boolean consumedAny = false;
    boolean webSocketForGood = false;
    int from = 0;
    while (from <= text.length()) {
      // The record separator joins packets in a long-polling payload only: a WebSocket frame is
      // one packet, whatever it contains (split, a request was lost without an answer).
      int end = websocket ? -1 : text.indexOf(RECORD_SEPARATOR, from);
      if (end < 0) {
        end = text.length();
      }
      String segment = text.substring(from, end);
      if (websocket && (segment.equals(UPGRADE) || segment.startsWith(CONNECT))) {
        // The channel is a WebSocket for good: a direct one sends CONNECT first, an upgraded
        // polling session sends the upgrade packet over it.
        SocketIoTransport.dropHttpHandlers(ctx.pipeline());
        webSocketForGood = true;
      } else if (websocket && segment.equals(PROBE) && message.getClient() != null) {
        UpgradeNudge.start(message.getClient(), ctx.channel());
      }
      if (!segment.isEmpty() && segment.charAt(0) == '4') {
        consumedAny = true;
        onSocketIoPacket(message.getClient(), segment.substring(1));
      } else if (!segment.isEmpty() && !knownPacketType(segment.charAt(0))) {
        // netty-socketio logged each one at ERROR with the whole frame and a stack trace: about
        // 1 MB of log per 1 MiB frame, before any credentials. One short line, and the transport
        // is closed, as Engine.IO servers do on a parse error.
        FrameGuard.HOSTILE.warn(
            "Closing {}: not an Engine.IO packet ({} chars, starting {})",
            ctx.channel().remoteAddress(),
            segment.length(),
            quoted(segment));
        SocketIoTransport.close(ctx.channel(), WebSocketCloseStatus.PROTOCOL_ERROR);
        return;
      } else if (!segment.isEmpty()) {
        passThrough =
            passThrough == null ? new StringBuilder() : passThrough.append(RECORD_SEPARATOR);
        passThrough.append(segment);
      }
      from = end + 1;
    }
    if (webSocketForGood && message.getClient() != null) {
      // The upgrade can overtake the CONNECT a client sent over polling just before (another
      // channel, maybe another event loop): the session's state is made here then, or the
      // session would never learn its WebSocket.
      state(message.getClient()).session.onWebSocket(ctx.channel(), flushers);
    }
    if (!consumedAny) {
      ctx.fireChannelRead(msg);
    } else if (passThrough != null) {
      ByteBuf rest = Unpooled.copiedBuffer(passThrough, StandardCharsets.UTF_8);
      ctx.fireChannelRead(new PacketsMessage(message.getClient(), rest, message.getTransport()));
    }
  }

  /** Engine.IO packet types 0 (open) to 6 (noop), and {@code b}, base64 binary over polling. */
  private static boolean knownPacketType(char type) {
    return (type >= '0' && type <= '6') || type == 'b';
  }

  /** The first 40 characters, control characters escaped, in quotes. */
  static String quoted(String text) {
    StringBuilder out = new StringBuilder("\"");
    int n = Math.min(text.length(), 40);
    for (int i = 0; i < n; i++) {
      char c = text.charAt(i);
      if (c < 0x20 || c == 0x7f || c == '"' || c == '\\') {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.append(text.length() > n ? "\"…" : "\"").toString();
  }

  private static boolean isText(byte first) {
    return (first >= '0' && first <= '9') || first == 'b';
  }

  /** The transport closed the session: the connection ends. */
  void onEngineClosed(UUID sessionId) {
    SessionState state = sessions.remove(sessionId);
    if (state != null) {
      state.closed(stopping ? "server shutting down" : "transport close");
    }
  }

  /** From now on, closed sessions are ended with the reason "server shutting down". */
  void stopping() {
    stopping = true;
  }

  /** Sessions that sent a Socket.IO packet or upgraded, and are not closed yet. */
  int sessionCount() {
    return sessions.size();
  }

  private SessionState state(ClientHead head) {
    return sessions.computeIfAbsent(head.getSessionId(), id -> new SessionState(head));
  }

  private void onSocketIoPacket(ClientHead head, String text) {
    // Counting UTF-8 bytes copies the text; a text of at most a quarter of the limit in chars
    // cannot exceed it (at most 3 bytes per char), so only longer ones are counted exactly.
    int bytes =
        text.length() > transport.maxPayloadBytes() / 4
            ? text.getBytes(StandardCharsets.UTF_8).length
            : text.length();
    InboundPacket packet =
        InboundPacket.parse(
            bytes > transport.maxPayloadBytes()
                ? text.substring(0, Math.min(text.length(), 256))
                : text);
    String ours = transport.namespace();
    if (!packet.namespace().equals(ours)) {
      if (packet.type() == InboundPacket.CONNECT) {
        HeadSession.connectError(head, packet.namespace(), "Invalid namespace");
      }
      return;
    }
    SessionState state = state(head);
    if (bytes > transport.maxPayloadBytes()) {
      state.oversized(packet, bytes);
      return;
    }
    if (packet.ackId() != null && packet.ackId() > Integer.MAX_VALUE) {
      // netty-socketio's encoder cannot write a larger ack id, so it could never be answered.
      state.refuse(
          packet.withoutAck(),
          ErrorCode.INVALID_REQUEST,
          "Ack ids are at most " + Integer.MAX_VALUE + "; got " + packet.ackId());
      return;
    }
    switch (packet.type()) {
      case InboundPacket.CONNECT -> state.connect(packet.body());
      case InboundPacket.DISCONNECT -> state.clientDisconnect();
      case InboundPacket.EVENT -> state.event(packet);
      case InboundPacket.BINARY_EVENT ->
          state.refuse(
              packet,
              ErrorCode.INVALID_REQUEST,
              "Binary payloads are not supported; send base64 text inside JSON");
      default ->
          log.debug(
              "Ignored Socket.IO packet type {} from session {}",
              packet.type(),
              head.getSessionId());
    }
  }

  /** The room ids of {@code auth.rejoin} (an array, or one encoded as a string), or null. */
  static List<String> rejoinIds(Object value) {
    Object parsed = value;
    if (value instanceof String text) {
      try {
        parsed = Json.MAPPER.readValue(text, List.class);
      } catch (Exception e) {
        return null;
      }
    }
    if (!(parsed instanceof List<?> list) || list.size() > MAX_REJOIN) {
      return null;
    }
    List<String> ids = new ArrayList<>(list.size());
    for (Object id : list) {
      if (!(id instanceof String s) || s.isEmpty()) {
        return null;
      }
      ids.add(s);
    }
    return ids;
  }

  /** One transport session's Socket.IO state: new, authenticating, connected, closed. */
  private final class SessionState {
    private final ClientHead head;
    private final HeadSession session;

    /** The handshake request's headers, in {@link Headers#take}' compact form. */
    private final String headers;

    private boolean authenticating;
    private boolean closed;
    private volatile RealConnection connection;

    /** The CONNECT's {@code auth.resume}, or null: a connection to resume (docs/lifecycle.md). */
    private String resumeToken;

    /** The CONNECT's {@code auth.rejoin}: the rooms the client re-joins (protocol.md, 12). */
    private List<String> rejoin = List.of();

    SessionState(ClientHead head) {
      this.head = head;
      this.session =
          new HeadSession(
              head,
              transport.namespace(),
              transport.maxOutboundPackets(),
              transport.maxOutboundBytes(),
              transport.frameLimit(),
              hub.traffic().observer());
      this.headers = Headers.take(head.getHandshakeData());
    }

    synchronized void connect(String authJson) {
      if (authenticating || connection != null || closed) {
        log.debug("Ignored a repeated CONNECT from session {}", head.getSessionId());
        return;
      }
      Map<String, Object> auth;
      try {
        auth =
            authJson.isBlank()
                ? Map.of()
                : Json.MAPPER.readerForMapOf(Object.class).readValue(authJson);
      } catch (Exception e) {
        hub.traffic().observer().onHandshakeRefused("invalid_auth");
        HeadSession.connectError(
            head, transport.namespace(), "Invalid auth payload: expected a JSON object");
        return;
      }
      if (auth != null && auth.containsKey(RESUME)) {
        auth = new HashMap<>(auth);
        Object token = auth.remove(RESUME);
        if (token != null && !(token instanceof String)) {
          hub.traffic().observer().onHandshakeRefused("invalid_auth");
          HeadSession.connectError(
              head, transport.namespace(), "Invalid auth payload: resume must be a string");
          return;
        }
        resumeToken = (String) token;
      }
      if (auth != null && auth.containsKey(REJOIN)) {
        auth = new HashMap<>(auth);
        List<String> ids = rejoinIds(auth.remove(REJOIN));
        if (ids == null) {
          hub.traffic().observer().onHandshakeRefused("invalid_auth");
          HeadSession.connectError(
              head,
              transport.namespace(),
              "Invalid auth payload: rejoin must be a JSON array of at most "
                  + MAX_REJOIN
                  + " room ids (strings), or such an array encoded as a string");
          return;
        }
        rejoin = ids;
      }
      if (refused(hub.quotas().connectFrom(address()))) {
        return;
      }
      authenticating = true;
      Handshake handshake =
          Headers.handshake(
              headers, head.getHandshakeData().getAddress(), auth == null ? Map.of() : auth);
      runtime.executor().execute(() -> authenticate(handshake));
    }

    private void authenticate(Handshake handshake) {
      Hooks.Identity identity = hub.hooks().authenticate(handshake);
      synchronized (this) {
        authenticating = false;
        if (closed) {
          return;
        }
        if (!identity.accepted()) {
          hub.traffic().observer().onHandshakeRefused("unauthenticated");
          HeadSession.connectError(head, transport.namespace(), identity.reason());
          return;
        }
        if (refused(hub.quotas().connectAs(identity.userId()))) {
          return;
        }
        RealConnection resumed = hub.resumable(resumeToken, identity.userId());
        if (resumed != null) {
          connection = resumed;
          resumed.serial.execute(
              () -> {
                if (hub.resume(resumed, session)) {
                  session.connectAck(resumed.id());
                  hub.connected(resumed);
                } else {
                  session.close(); // ended meanwhile: stopping, or disconnected by the app
                }
              });
          return;
        }
        // A resumption takes the place its connection has; a new connection takes one more.
        if (refused(hub.quotas().newConnection(identity.userId()))) {
          return;
        }
        RealConnection c = hub.newConnection(session, identity);
        c.rejoining(rejoin);
        connection = c;
        c.serial.execute(
            () -> {
              session.connectAck(c.id());
              hub.connected(c);
            });
      }
    }

    /** The remote address of the handshake, without its port. */
    private String address() {
      InetSocketAddress remote = head.getHandshakeData().getAddress();
      return remote == null
          ? null
          : remote.getAddress() == null
              ? remote.getHostString()
              : remote.getAddress().getHostAddress();
    }

    /** Refuses the CONNECT if {@code refusal} says so: {@code {message, data: {code, ...}}}. */
    private boolean refused(Quotas.Refusal refusal) {
      if (refusal == null) {
        return false;
      }
      Map<String, Object> data = new HashMap<>();
      data.put("code", refusal.code().name());
      if (refusal.retryAfterMs() > 0) {
        data.put("retryAfterMs", refusal.retryAfterMs());
      }
      log.debug("Refused a CONNECT of session {}: {}", head.getSessionId(), refusal.message());
      HeadSession.connectError(head, transport.namespace(), refusal.message(), data);
      return true;
    }

    void event(InboundPacket packet) {
      RealConnection c = connection;
      if (c == null) {
        log.debug("Dropped an event from unauthenticated session {}", head.getSessionId());
        return;
      }
      int pending = c.serial.pending() + c.unanswered();
      if (pending >= 2 * transport.maxPendingRequests()) {
        log.warn("Closing {}: {} requests waiting, twice the limit", c, pending);
        c.disconnect();
        return;
      }
      if (pending >= transport.maxPendingRequests()) {
        // Refused in turn, so answers keep the order of the requests; the refusal costs no hook.
        requests.refused(InboundPacket.peekEventName(packet.body()), ErrorCode.RATE_LIMITED.name());
        c.serial.execute(
            () ->
                Reply.of(c, session, packet.ackId())
                    .error(
                        ErrorCode.RATE_LIMITED,
                        "Too many requests waiting (limit "
                            + transport.maxPendingRequests()
                            + "); wait for answers before sending more"));
        return;
      }
      c.serial.execute(() -> dispatch(c, packet));
    }

    private void dispatch(RealConnection c, InboundPacket packet) {
      if (c.session() != session) {
        return; // a session its client gave up, taken over by a resume
      }
      Reply reply = Reply.of(c, session, packet.ackId());
      com.fasterxml.jackson.databind.JsonNode array;
      try {
        array = Json.MAPPER.readTree(packet.body());
      } catch (Exception e) {
        reply.error(
            ErrorCode.INVALID_REQUEST, "Malformed event packet: the body is not valid JSON");
        return;
      }
      if (array == null || !array.isArray() || array.isEmpty() || !array.get(0).isTextual()) {
        reply.error(
            ErrorCode.INVALID_REQUEST, "Malformed event packet: expected [\"eventName\", payload]");
        return;
      }
      String eventName = array.get(0).textValue();
      if (!requests.knows(eventName) && !eventName.startsWith(Wire.PREFIX) && !reply.acked()) {
        return; // An application event nobody listens to: ignored, as Socket.IO does.
      }
      requests.handle(c, eventName, array.size() > 1 ? array.get(1) : null, reply);
    }

    void refuse(InboundPacket packet, ErrorCode code, String message) {
      RealConnection c = connection;
      if (c != null) {
        requests.refused(InboundPacket.peekEventName(packet.body()), code.name());
        c.serial.execute(() -> Reply.of(c, session, packet.ackId()).error(code, message));
      }
    }

    void oversized(InboundPacket packet, int bytes) {
      String message =
          "Payload of "
              + bytes
              + " bytes exceeds the limit of "
              + transport.maxPayloadBytes()
              + " bytes";
      if (packet.type() == InboundPacket.CONNECT) {
        HeadSession.connectError(head, transport.namespace(), message);
        return;
      }
      String eventName = InboundPacket.peekEventName(packet.body());
      log.debug("Refused {} from session {}: {}", eventName, head.getSessionId(), message);
      refuse(packet, ErrorCode.PAYLOAD_TOO_LARGE, message);
    }

    synchronized void clientDisconnect() {
      RealConnection c = connection;
      connection = null;
      if (c != null) {
        c.serial.execute(() -> hub.disconnected(c, session, "client namespace disconnect", false));
      }
    }

    synchronized void closed(String reason) {
      closed = true;
      RealConnection c = connection;
      connection = null;
      if (c != null) {
        // A transport that closed may come back within the disconnect grace; a stop may not.
        c.serial.execute(() -> hub.disconnected(c, session, reason, !stopping));
      }
    }
  }
}
