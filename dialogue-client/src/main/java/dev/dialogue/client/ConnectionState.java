package dev.dialogue.client;

/** Where a {@link DialogueClient}'s connection stands. */
public enum ConnectionState {
  /**
   * Not connected, and not trying: before {@code connect()}, after {@code disconnect()}, or
   * refused.
   */
  DISCONNECTED,
  /** The first connection attempt is under way. */
  CONNECTING,
  /** Connected and identified ({@code dialogue:connected} received). */
  CONNECTED,
  /** The connection was lost; the client is reconnecting with back-off. */
  RECONNECTING
}
