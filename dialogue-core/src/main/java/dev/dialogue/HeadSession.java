package dev.dialogue;

import com.corundumstudio.socketio.handler.ClientHead;
import com.corundumstudio.socketio.protocol.Packet;
import com.corundumstudio.socketio.protocol.PacketType;
import com.fasterxml.jackson.databind.util.RawValue;
import io.netty.channel.ChannelFuture;
import io.netty.handler.codec.http.HttpHeaders;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes Socket.IO packets for our namespace to one netty-socketio session. {@link ClientHead#send}
 * only enqueues and is safe from any thread.
 */
final class HeadSession implements Session {
  private static final Logger LOG = LoggerFactory.getLogger(HeadSession.class);

  private final ClientHead head;
  private final String wireNamespace;
  private final int maxUnflushed;

  /** Packets sent since the transport stopped being writable: the outbound backlog. */
  private final AtomicInteger unflushed = new AtomicInteger();

  private final AtomicBoolean cutOff = new AtomicBoolean();

  HeadSession(ClientHead head, String namespace, int maxUnflushed) {
    this.head = head;
    this.wireNamespace = wire(namespace);
    this.maxUnflushed = maxUnflushed;
  }

  /** netty-socketio writes the default namespace as "". */
  private static String wire(String namespace) {
    return namespace.equals("/") ? "" : namespace;
  }

  @Override
  public boolean sendEvent(String eventName, RawValue data) {
    if (!head.isConnected() || cutOff.get()) {
      return false;
    }
    Packet packet = packet(head, wireNamespace, PacketType.EVENT);
    packet.setName(eventName);
    packet.setData(List.of(data));
    return track(head.send(packet));
  }

  @Override
  public void sendAck(long ackId, RawValue data) {
    Packet packet = packet(head, wireNamespace, PacketType.ACK);
    packet.setAckId(ackId);
    packet.setData(List.of(data));
    track(head.send(packet));
  }

  /**
   * Bounds the outbound backlog. netty-socketio queues without limit, so a client that stops
   * reading would grow the heap: once its transport is no longer writable (Netty's buffer is above
   * its high-water mark), every further packet counts, and at {@code maxUnflushed} the client is
   * cut off. It reconnects and recovers what it missed by offset. A writable transport resets the
   * count.
   */
  private boolean track(ChannelFuture write) {
    if (head.isWritable()) {
      unflushed.set(0);
      return true;
    }
    if (unflushed.incrementAndGet() > maxUnflushed && cutOff.compareAndSet(false, true)) {
      LOG.warn(
          "Closing session {}: {} packets sent while its transport was full (limit {}); the client does not read",
          head.getSessionId(),
          unflushed.get(),
          maxUnflushed);
      head.disconnect();
    }
    return true;
  }

  void connectAck(String socketId) {
    Packet packet = packet(head, wireNamespace, PacketType.CONNECT);
    packet.setData(Map.of("sid", socketId));
    head.send(packet);
  }

  @Override
  public void close() {
    if (!wireNamespace.isEmpty()) {
      head.send(packet(head, wireNamespace, PacketType.DISCONNECT));
    }
    head.disconnect();
  }

  static void connectError(ClientHead head, String namespace, String message) {
    Packet packet = packet(head, wire(namespace), PacketType.ERROR);
    packet.setData(Map.of("message", message));
    head.send(packet);
  }

  private static Packet packet(ClientHead head, String wireNamespace, PacketType subType) {
    Packet packet = new Packet(PacketType.MESSAGE, head.getEngineIOVersion());
    packet.setSubType(subType);
    packet.setNsp(wireNamespace);
    return packet;
  }

  static Handshake handshake(ClientHead head, Map<String, Object> auth) {
    Map<String, List<String>> headers = new HashMap<>();
    HttpHeaders http = head.getHandshakeData().getHttpHeaders();
    if (http != null) {
      for (Map.Entry<String, String> e : http) {
        headers
            .computeIfAbsent(e.getKey().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
            .add(e.getValue());
      }
    }
    InetSocketAddress address = head.getHandshakeData().getAddress();
    return new Handshake(auth, headers, address);
  }
}
