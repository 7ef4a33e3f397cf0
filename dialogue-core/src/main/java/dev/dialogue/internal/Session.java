package dev.dialogue.internal;

import com.fasterxml.jackson.databind.util.RawValue;

/** The transport side of one connection: what the core needs to write to it. */
public interface Session {
  /**
   * Adds this session to {@code event}'s recipients (the event is written when the caller sends
   * it); never blocks. Returns false if the session is closed.
   */
  boolean sendEvent(OutboundEvent event);

  /** Queues the acknowledgement of the client's request {@code ackId}. */
  void sendAck(long ackId, RawValue data);

  /** Tells the client it is disconnected (it will not reconnect) and closes the transport. */
  void close();

  /**
   * The transport the session is on now, {@code websocket} or {@code polling} (for metrics); {@code
   * other} for a session that does not say.
   */
  default String transport() {
    return "other";
  }
}
