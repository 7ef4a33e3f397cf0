package dev.dialogue.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dialogue.DialogueException;
import dev.dialogue.ErrorCode;

/**
 * Reads request fields, answering a malformed request with INVALID_REQUEST that names the field.
 */
final class Fields {
  private Fields() {}

  static DialogueException invalid(String message) {
    return new DialogueException(ErrorCode.INVALID_REQUEST, message);
  }

  /** The payload as an object; {@code shape} describes what was expected, e.g. {@code {roomId}}. */
  static ObjectNode object(JsonNode payload, String request, String shape) {
    if (payload instanceof ObjectNode object) {
      return object;
    }
    throw invalid(request + " expects an object like " + shape + ", got " + Json.kind(payload));
  }

  static String requiredString(JsonNode payload, String field) {
    JsonNode value = payload.get(field);
    if (value == null || value.isNull()) {
      throw invalid(field + " is required");
    }
    if (!value.isTextual()) {
      throw invalid(field + " must be a string, got " + Json.kind(value));
    }
    if (value.textValue().isEmpty()) {
      throw invalid(field + " must not be empty");
    }
    return value.textValue();
  }

  /** A string field that may be absent (or null); wrong types are still refused. */
  static String optionalString(JsonNode payload, String field) {
    JsonNode value = payload.get(field);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isTextual()) {
      throw invalid(field + " must be a string, got " + Json.kind(value));
    }
    return value.textValue();
  }

  /** An integer field with a default; refuses fractions, strings and values outside int. */
  static int optionalInt(JsonNode payload, String field, int defaultValue) {
    JsonNode value = payload.get(field);
    if (value == null || value.isNull()) {
      return defaultValue;
    }
    if (!value.isIntegralNumber() || !value.canConvertToInt()) {
      throw invalid(
          field
              + " must be an integer, got "
              + (value.isNumber() ? value.asText() : Json.kind(value)));
    }
    return value.intValue();
  }

  /** A long field with a default; {@code name} is how messages call it (e.g. since.offset). */
  static long optionalLong(JsonNode payload, String name, String field, long defaultValue) {
    JsonNode value = payload.get(field);
    if (value == null || value.isNull()) {
      return defaultValue;
    }
    if (!value.isIntegralNumber() || !value.canConvertToLong()) {
      throw invalid(
          name
              + " must be an integer, got "
              + (value.isNumber() ? value.asText() : Json.kind(value)));
    }
    return value.longValue();
  }

  static ObjectNode optionalObject(JsonNode payload, String field) {
    JsonNode value = payload.get(field);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!(value instanceof ObjectNode object)) {
      throw invalid(field + " must be an object, got " + Json.kind(value));
    }
    return object;
  }
}
