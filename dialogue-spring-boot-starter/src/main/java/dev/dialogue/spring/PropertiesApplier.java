package dev.dialogue.spring;

import dev.dialogue.Dialogue;
import java.util.function.Consumer;

/**
 * Copies the {@code dialogue.*} properties that are set onto a builder; an unset one leaves the
 * builder's default. A bad value fails in the builder's setter, with its message.
 */
final class PropertiesApplier {
  private PropertiesApplier() {}

  static void apply(DialogueProperties p, Dialogue.Builder b) {
    set(p.getPort(), b::port);
    set(p.getHost(), b::host);
    set(p.getPath(), b::path);
    if (!p.getAllowedOrigins().isEmpty()) {
      b.allowedOrigins(p.getAllowedOrigins().toArray(String[]::new));
    }
    if (p.getBrowserClientPath() != null) {
      b.browserClientPath(p.getBrowserClientPath().isEmpty() ? null : p.getBrowserClientPath());
    }
    set(p.getDisconnectGrace(), b::disconnectGrace);
    set(p.getDisposeEmptyClientRooms(), b::disposeEmptyClientRooms);
    heartbeat(p.getHeartbeat(), b);
    limits(p.getLimits(), b);
  }

  private static void heartbeat(DialogueProperties.Heartbeat h, Dialogue.Builder b) {
    if (h.getInterval() == null && h.getTimeout() == null) {
      return;
    }
    if (h.getInterval() == null || h.getTimeout() == null) {
      throw new IllegalStateException(
          "set both dialogue.heartbeat.interval and dialogue.heartbeat.timeout, or neither");
    }
    b.heartbeat(h.getInterval(), h.getTimeout());
  }

  private static void limits(DialogueProperties.Limits l, Dialogue.Builder b) {
    set(l.getMaxPayloadBytes(), b::maxPayloadBytes);
    set(l.getMaxMetaBytes(), b::maxMetaBytes);
    if (l.getHistoryRequests() != null || l.getHistoryWindow() != null) {
      if (l.getHistoryRequests() == null || l.getHistoryWindow() == null) {
        throw new IllegalStateException(
            "set both dialogue.limits.history-requests and dialogue.limits.history-window,"
                + " or neither");
      }
      b.historyRateLimit(l.getHistoryRequests(), l.getHistoryWindow());
    }
    set(l.getMaxHistoryPage(), b::maxHistoryPage);
    set(l.getMaxRoomsPerConnection(), b::maxRoomsPerConnection);
    set(l.getMaxClientRooms(), b::maxClientRooms);
    set(l.getMaxPendingRequests(), b::maxPendingRequests);
    set(l.getMaxOutboundPackets(), b::maxOutboundPackets);
    set(l.getMaxOutboundBytes(), b::maxOutboundBytes);
    set(l.getMaxEventsInMemory(), b::maxEventsInMemory);
    set(l.getMaxRecoveryEvents(), b::maxRecoveryEvents);
  }

  private static <T> void set(T value, Consumer<T> setter) {
    if (value != null) {
      setter.accept(value);
    }
  }
}
