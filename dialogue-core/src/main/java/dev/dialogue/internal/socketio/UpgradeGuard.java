package dev.dialogue.internal.socketio;

import com.corundumstudio.socketio.Transport;
import com.corundumstudio.socketio.handler.ClientHead;
import dev.dialogue.internal.Settings;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.util.AttributeKey;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;

/**
 * Keeps a session on HTTP long-polling when its upgrade to a WebSocket fails, as Engine.IO's own
 * server does. netty-socketio ends the whole session when a WebSocket opened for it closes before
 * the upgrade packet, and when the upgrade has not finished within its upgrade timeout; the client
 * then reconnects, and tries the same upgrade again.
 *
 * <p>Sits in front of netty-socketio's WebSocket transport. A WebSocket request for an existing
 * session ({@code sid}) starts a timer of {@link Settings#upgradeTimeout}: if the session has not
 * moved to that WebSocket by then, the WebSocket is closed (status 1000). When such a WebSocket
 * closes while its session is still connected and has not moved to it, the close stops here:
 * netty-socketio's transport would end the session (and send it a DISCONNECT); its upgrade timer
 * for the session is cancelled instead. Once a WebSocket carries its session for good, {@link Gate}
 * removes this handler from its pipeline.
 */
@Sharable
public final class UpgradeGuard extends ChannelInboundHandlerAdapter {
  public static final String NAME = "dialogueUpgradeGuard";

  private static final AttributeKey<UUID> SESSION = AttributeKey.valueOf("dialogueUpgradeSession");
  private static final AttributeKey<ScheduledFuture<?>> TIMER =
      AttributeKey.valueOf("dialogueUpgradeTimer");

  private final Function<UUID, ClientHead> sessions;
  private final Consumer<UUID> cancelTransportTimer;
  private final Duration timeout;
  private final Logger log;

  /**
   * @param sessions the session of an id, or null once it is gone
   * @param cancelTransportTimer cancels netty-socketio's upgrade timer of a session
   */
  UpgradeGuard(
      Function<UUID, ClientHead> sessions,
      Consumer<UUID> cancelTransportTimer,
      Duration timeout,
      Logger log) {
    this.sessions = sessions;
    this.cancelTransportTimer = cancelTransportTimer;
    this.timeout = timeout;
    this.log = log;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof HttpRequest request
        && request
            .headers()
            .containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true)) {
      UUID session = sessionOf(request.uri());
      Channel channel = ctx.channel();
      if (session != null && channel.attr(SESSION).setIfAbsent(session) == null) {
        channel
            .attr(TIMER)
            .set(
                ctx.executor()
                    .schedule(
                        () -> expire(channel, session), timeout.toMillis(), TimeUnit.MILLISECONDS));
      }
    }
    ctx.fireChannelRead(msg);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    Channel channel = ctx.channel();
    ScheduledFuture<?> timer = channel.attr(TIMER).getAndSet(null);
    if (timer != null) {
      timer.cancel(false);
    }
    UUID session = channel.attr(SESSION).get();
    ClientHead head = session == null ? null : sessions.apply(session);
    if (head != null && head.isConnected() && !carries(head, channel)) {
      cancelTransportTimer.accept(session);
      log.debug("Session {} stays on polling: its WebSocket closed before the upgrade", session);
      return;
    }
    ctx.fireChannelInactive();
  }

  private void expire(Channel channel, UUID session) {
    ClientHead head = sessions.apply(session);
    if (!channel.isActive() || (head != null && carries(head, channel))) {
      return;
    }
    log.debug("Closing the WebSocket of session {}: no upgrade within {}", session, timeout);
    SocketIoTransport.close(channel, WebSocketCloseStatus.NORMAL_CLOSURE);
  }

  /** Whether {@code channel} is the WebSocket the session has moved to. */
  private static boolean carries(ClientHead head, Channel channel) {
    return head.getCurrentTransport() == Transport.WEBSOCKET
        && head.isTransportChannel(channel, Transport.WEBSOCKET);
  }

  /** The {@code sid} of a WebSocket request for an existing session, or null. */
  private static UUID sessionOf(String uri) {
    List<String> sid = new QueryStringDecoder(uri).parameters().get("sid");
    if (sid == null || sid.isEmpty()) {
      return null;
    }
    try {
      return UUID.fromString(sid.get(0));
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
