package dev.dialogue;

import com.corundumstudio.socketio.handler.ClientHead;
import com.corundumstudio.socketio.protocol.Packet;
import com.corundumstudio.socketio.protocol.PacketType;
import com.fasterxml.jackson.databind.util.RawValue;
import io.netty.handler.codec.http.HttpHeaders;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes Socket.IO packets for our namespace to one netty-socketio session. {@link ClientHead#send}
 * only enqueues and is safe from any thread.
 */
final class HeadSession implements Session {
  private final ClientHead head;
  private final String wireNamespace;

  HeadSession(ClientHead head, String namespace) {
    this.head = head;
    this.wireNamespace = wire(namespace);
  }

  /** netty-socketio writes the default namespace as "". */
  private static String wire(String namespace) {
    return namespace.equals("/") ? "" : namespace;
  }

  @Override
  public boolean sendEvent(String eventName, RawValue data) {
    if (!head.isConnected()) {
      return false;
    }
    Packet packet = packet(head, wireNamespace, PacketType.EVENT);
    packet.setName(eventName);
    packet.setData(List.of(data));
    head.send(packet);
    return true;
  }

  @Override
  public void sendAck(long ackId, RawValue data) {
    Packet packet = packet(head, wireNamespace, PacketType.ACK);
    packet.setAckId(ackId);
    packet.setData(List.of(data));
    head.send(packet);
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
