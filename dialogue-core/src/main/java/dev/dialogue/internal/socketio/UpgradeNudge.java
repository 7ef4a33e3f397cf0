package dev.dialogue.internal.socketio;

import com.corundumstudio.socketio.Transport;
import com.corundumstudio.socketio.handler.ClientHead;
import com.corundumstudio.socketio.protocol.Packet;
import com.corundumstudio.socketio.protocol.PacketType;
import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Answers a polling session's long poll every 100 ms while it upgrades to a WebSocket, as
 * Engine.IO's own server does.
 *
 * <p>An Engine.IO client that has its probe answered ({@code 3probe}) pauses polling and sends the
 * upgrade packet only once its pending poll has come back. netty-socketio answers the poll pending
 * at the probe with one noop, once. A client that reads that noop before the probe's answer (two
 * connections, two reader threads) has already sent its next poll when it pauses, and that poll
 * gets nothing until the next ping (25 s by default), while netty-socketio gives up on the upgrade
 * after 10 s and closes the whole session. socket.io-client-java and browsers' engine.io-client
 * both pause this way; BroadcastTest plays the sequence by hand.
 *
 * <p>Runs on the WebSocket's event loop and ends once the session has upgraded or closed, or the
 * WebSocket has. A noop is queued only when the polling queue is empty; one still queued when the
 * upgrade comes goes out over the WebSocket, where clients ignore it.
 */
final class UpgradeNudge implements Runnable {
  static final long INTERVAL_MILLIS = 100;

  private static final AttributeKey<Boolean> STARTED = AttributeKey.valueOf("dialogueUpgradeNudge");

  private final ClientHead head;
  private final Channel webSocket;
  private ScheduledFuture<?> task;

  private UpgradeNudge(ClientHead head, Channel webSocket) {
    this.head = head;
    this.webSocket = webSocket;
  }

  /**
   * Starts nudging {@code head}'s polling transport, once per WebSocket, if it is still polling.
   * Called on {@code webSocket}'s event loop as its probe arrives.
   */
  static void start(ClientHead head, Channel webSocket) {
    if (head.getCurrentTransport() != Transport.POLLING
        || webSocket.attr(STARTED).setIfAbsent(Boolean.TRUE) != null) {
      return;
    }
    UpgradeNudge nudge = new UpgradeNudge(head, webSocket);
    // Assigned before the first run: that runs on this same event loop, later.
    nudge.task =
        webSocket
            .eventLoop()
            .scheduleAtFixedRate(nudge, INTERVAL_MILLIS, INTERVAL_MILLIS, TimeUnit.MILLISECONDS);
  }

  @Override
  public void run() {
    if (head.getCurrentTransport() != Transport.POLLING
        || !head.isConnected()
        || !webSocket.isActive()) {
      task.cancel(false);
      return;
    }
    if (head.getPacketsQueue(Transport.POLLING).isEmpty()) {
      head.send(new Packet(PacketType.NOOP, head.getEngineIOVersion()), Transport.POLLING);
    }
  }
}
