package dev.dialogue.internal.socketio;

/**
 * One Socket.IO packet as the client sent it (the text after the Engine.IO message type {@code 4}):
 * {@code <type>[<attachments>-][<nsp>,][<ackId>][<json>]}. Parsed by hand so that every malformed
 * packet can be answered, which the transport library would drop or log.
 *
 * @param type the Socket.IO packet type, 0 to 6, or -1 if unreadable
 * @param namespace the namespace, {@code "/"} when absent
 * @param ackId the acknowledgement id, or null
 * @param body the JSON text after the header, possibly empty
 */
record InboundPacket(int type, String namespace, Long ackId, String body) {
  static final int CONNECT = 0;
  static final int DISCONNECT = 1;
  static final int EVENT = 2;
  static final int ACK = 3;
  static final int CONNECT_ERROR = 4;
  static final int BINARY_EVENT = 5;
  static final int BINARY_ACK = 6;

  private static final int MAX_ACK_DIGITS = 18;

  /** The same packet without its ack id: answered by {@code dialogue:error}. */
  InboundPacket withoutAck() {
    return new InboundPacket(type, namespace, null, body);
  }

  static InboundPacket parse(String text) {
    if (text.isEmpty() || text.charAt(0) < '0' || text.charAt(0) > '6') {
      return new InboundPacket(-1, "/", null, text);
    }
    int type = text.charAt(0) - '0';
    int i = 1;
    if (type == BINARY_EVENT || type == BINARY_ACK) {
      int dash = text.indexOf('-', i);
      if (dash > 0 && dash - i <= 9 && allDigits(text, i, dash)) {
        i = dash + 1;
      }
    }
    String namespace = "/";
    if (i < text.length() && text.charAt(i) == '/') {
      int comma = text.indexOf(',', i);
      int end = comma < 0 ? text.length() : comma;
      namespace = text.substring(i, end);
      i = comma < 0 ? end : comma + 1;
    }
    int digitsStart = i;
    while (i < text.length()
        && Character.isDigit(text.charAt(i))
        && i - digitsStart < MAX_ACK_DIGITS) {
      i++;
    }
    Long ackId = i > digitsStart ? Long.valueOf(text.substring(digitsStart, i)) : null;
    return new InboundPacket(type, namespace, ackId, text.substring(i));
  }

  /**
   * The event name of an EVENT body without parsing all of it, for answering oversized frames: the
   * first JSON string in the body, or null.
   */
  static String peekEventName(String body) {
    int start = body.indexOf('"');
    if (start < 0 || start > 8) {
      return null;
    }
    int end = body.indexOf('"', start + 1);
    return end < 0 || end - start > 200 ? null : body.substring(start + 1, end);
  }

  private static boolean allDigits(String s, int from, int to) {
    for (int k = from; k < to; k++) {
      if (!Character.isDigit(s.charAt(k))) {
        return false;
      }
    }
    return to > from;
  }
}
