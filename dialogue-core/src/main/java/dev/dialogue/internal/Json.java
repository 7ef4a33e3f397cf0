package dev.dialogue.internal;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.RawValue;

/**
 * The one JSON mapping of the library: fields without a value are omitted, unknown ones dropped.
 */
public final class Json {
  public static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .defaultPropertyInclusion(
              JsonInclude.Value.construct(
                  JsonInclude.Include.NON_NULL, JsonInclude.Include.NON_NULL))
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
          .addModule(EncodedEvents.module())
          .build();

  static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private Json() {}

  public static String write(Object value) {
    try {
      return MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          "cannot encode " + value.getClass().getName() + " as JSON", e);
    }
  }

  /** Encodes once; the result is written verbatim into every packet that carries it. */
  public static RawValue raw(Object value) {
    return new RawValue(write(value));
  }

  public static JsonNode tree(Object value) {
    if (value == null) {
      return NODES.nullNode();
    }
    return value instanceof JsonNode node ? node : MAPPER.valueToTree(value);
  }

  public static ObjectNode object() {
    return NODES.objectNode();
  }

  public static <T> T convert(JsonNode node, Class<T> type) {
    try {
      return MAPPER.treeToValue(node, type);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          "cannot convert JSON to " + type.getName() + ": " + e.getOriginalMessage(), e);
    }
  }

  /** The JSON kind of a node, in the words error messages use. */
  static String kind(JsonNode node) {
    if (node == null || node.isMissingNode() || node.isNull()) {
      return "null";
    }
    if (node.isObject()) {
      return "object";
    }
    if (node.isArray()) {
      return "array";
    }
    if (node.isTextual()) {
      return "string";
    }
    if (node.isNumber()) {
      return "number";
    }
    if (node.isBoolean()) {
      return "boolean";
    }
    return node.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
  }
}
