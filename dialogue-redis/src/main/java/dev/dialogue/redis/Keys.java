package dev.dialogue.redis;

/**
 * The Redis keys and channel of one room. Every key carries the room id as its hash tag ({@code
 * {roomId}}), so that a room's keys sit in one slot of a Redis Cluster and its script may touch
 * them all.
 */
record Keys(
    String epoch,
    String offset,
    String stream,
    String names,
    String historyPrefix,
    String idPrefix,
    String channel,
    String presentConnections,
    String connectionUsers,
    String presentUsers,
    String seats) {

  static Keys of(String prefix, String roomId) {
    String tag = prefix + ":{" + roomId + "}:";
    return new Keys(
        tag + "epoch",
        tag + "offset",
        tag + "stream",
        tag + "names",
        tag + "h:",
        tag + "id:",
        tag + "events",
        tag + "p:connections",
        tag + "p:connection-users",
        tag + "p:users",
        tag + "seats");
  }

  /** The presence keys, in the order the presence scripts take them. */
  String[] presence() {
    return new String[] {presentConnections, connectionUsers, presentUsers};
  }

  /** The list of one event name's newest events, newest first. */
  String history(String eventName) {
    return historyPrefix + eventName;
  }

  /**
   * A user's client message id; the user id's length first, so that no two (user, id) pairs share a
   * key.
   */
  String id(String userId, String clientMessageId) {
    return idPrefix + userId.length() + ":" + userId + ":" + clientMessageId;
  }
}
