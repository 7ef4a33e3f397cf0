package dev.dialogue.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** The shape of a command on the wire: {@code dialogue:request {command, roomId?, data}}. */
final class CommandRequests {
  static final String EVENT = "dialogue:request";

  private CommandRequests() {}

  /** The request; {@code roomId} null for a global command, {@code payload} null for none. */
  static ObjectNode body(String command, String roomId, Object payload) {
    if (command.isEmpty()) {
      throw new IllegalArgumentException("command is empty");
    }
    ObjectNode body = ClientJson.MAPPER.createObjectNode().put("command", command);
    if (roomId != null) {
      body.put("roomId", roomId);
    }
    if (payload != null) {
      body.set("data", ClientJson.tree(payload));
    }
    return body;
  }

  /** The answer's {@code result} as {@code type}; null when the server sent none. */
  static <T> T result(JsonNode answer, Class<T> type) {
    JsonNode result = answer.get("result");
    return result == null || result.isNull() ? null : ClientJson.convert(result, type);
  }
}
