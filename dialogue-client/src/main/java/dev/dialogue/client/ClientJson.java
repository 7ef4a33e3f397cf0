package dev.dialogue.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import org.json.JSONArray;
import org.json.JSONObject;
import org.json.JSONTokener;

/** JSON between Jackson (the API) and org.json (what socket.io-client-java speaks). */
final class ClientJson {
  static final ObjectMapper MAPPER =
      JsonMapper.builder().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

  private ClientJson() {}

  static JsonNode fromSocket(Object value) {
    if (value == null || value == JSONObject.NULL) {
      return MAPPER.nullNode();
    }
    try {
      if (value instanceof JSONObject || value instanceof JSONArray) {
        return MAPPER.readTree(value.toString());
      }
      return MAPPER.valueToTree(value);
    } catch (JsonProcessingException e) {
      throw new DialogueClientException(
          "PROTOCOL", "unreadable JSON from the server: " + e.getOriginalMessage());
    }
  }

  static Object toSocket(Object value) {
    try {
      return new JSONTokener(MAPPER.writeValueAsString(value)).nextValue();
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          "cannot encode " + value.getClass().getName() + " as JSON", e);
    }
  }

  static JsonNode tree(Object value) {
    return value == null
        ? MAPPER.nullNode()
        : value instanceof JsonNode n ? n : MAPPER.valueToTree(value);
  }

  static <T> T convert(JsonNode node, Class<T> type) {
    try {
      return MAPPER.treeToValue(node, type);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          "cannot read " + type.getSimpleName() + ": " + e.getOriginalMessage(), e);
    }
  }
}
