package dev.dialogue.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.type.LogicalType;
import dev.dialogue.DialogueException;
import dev.dialogue.ErrorCode;
import dev.dialogue.EventDefinition;
import dev.dialogue.EventDefinition.UnknownProperties;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.ElementKind;
import jakarta.validation.Path;
import jakarta.validation.Validation;
import jakarta.validation.Validator;
import jakarta.validation.ValidatorFactory;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Turns a JSON payload into the event's type and checks its Bean Validation constraints. The error
 * message has the original's shape: {@code Event '<name>' validation failed: <path>: <msg>, ...}.
 */
public final class PayloadValidator implements AutoCloseable {
  /**
   * Payload conversion refuses scalar coercion (a number where a string is declared, a string where
   * a number is, a fraction where an integer is) and a missing or null value for a primitive (which
   * Jackson would otherwise turn into 0 or false): the declared type is the contract, as a schema
   * validator would hold it.
   */
  private static final ObjectMapper STRICT = strictMapper();

  /** Conversion for {@link UnknownProperties#IGNORE}: unknown properties are dropped. */
  private static final ObjectReader IGNORING =
      STRICT.reader().without(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  /** Conversion for {@link UnknownProperties#REJECT}: the first unknown property fails. */
  private static final ObjectReader REJECTING =
      STRICT.reader().with(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private static ObjectMapper strictMapper() {
    ObjectMapper mapper = Json.MAPPER.copy();
    mapper.disable(MapperFeature.ALLOW_COERCION_OF_SCALARS);
    mapper.enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
    mapper.disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);
    mapper
        .coercionConfigFor(LogicalType.Textual)
        .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
        .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
        .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
    return mapper;
  }

  private final ValidatorFactory factory;
  private final Validator validator;

  public PayloadValidator() {
    this.factory = Validation.buildDefaultValidatorFactory();
    this.validator = factory.getValidator();
  }

  /**
   * Returns the payload as the server parsed it: unknown fields dropped (or refused, as the
   * definition's {@link UnknownProperties} says), null fields omitted.
   *
   * @throws DialogueException with {@code VALIDATION_FAILED}
   */
  public JsonNode validate(EventDefinition<?> definition, String eventName, JsonNode data) {
    JsonNode input = data == null || data.isMissingNode() ? Json.NODES.nullNode() : data;
    if (definition == null || definition.type() == JsonNode.class) {
      return input;
    }
    return STRICT.valueToTree(bind(definition, "Event", eventName, input));
  }

  /**
   * Returns the payload converted to the definition's type and validated (for {@code JsonNode}: the
   * payload itself).
   *
   * @param what what the payload is, for the message: {@code "Event"}, {@code "Command"}
   * @throws DialogueException with {@code VALIDATION_FAILED}: "{what} '{name}' validation failed:
   *     ..."
   */
  public <T> T bind(EventDefinition<T> definition, String what, String name, JsonNode data) {
    JsonNode input = data == null || data.isMissingNode() ? Json.NODES.nullNode() : data;
    Class<T> type = definition.type();
    if (type == JsonNode.class) {
      return type.cast(input);
    }
    T value;
    try {
      ObjectReader reader =
          definition.unknownProperties() == UnknownProperties.REJECT ? REJECTING : IGNORING;
      value = reader.forType(type).readValue(input);
    } catch (JsonProcessingException e) {
      throw failed(what, name, List.of(describe(e, input)));
    } catch (IOException | IllegalArgumentException e) {
      throw failed(what, name, List.of(": " + rootMessage(e)));
    }
    if (value == null) {
      throw failed(
          what,
          name,
          List.of(": Expected " + expectedKind(type) + ", received " + Json.kind(input)));
    }
    Set<ConstraintViolation<Object>> violations = validator.validate(value);
    if (!violations.isEmpty()) {
      List<String> issues =
          violations.stream()
              .map(v -> dottedPath(v.getPropertyPath()) + ": " + v.getMessage())
              .sorted()
              .collect(Collectors.toList());
      throw failed(what, name, issues);
    }
    return value;
  }

  /**
   * The path the way the original (Zod) writes it, and the way type errors here already do: names
   * and indices joined with dots ({@code tags.1}, {@code authors.0.name}), not Hibernate's {@code
   * tags[1].<list element>}.
   */
  private static String dottedPath(Path path) {
    List<String> parts = new ArrayList<>();
    for (Path.Node node : path) {
      if (node.getIndex() != null) {
        parts.add(node.getIndex().toString());
      } else if (node.getKey() != null) {
        parts.add(node.getKey().toString());
      }
      if (node.getKind() != ElementKind.CONTAINER_ELEMENT && node.getName() != null) {
        parts.add(node.getName());
      }
    }
    return String.join(".", parts);
  }

  private static DialogueException failed(String what, String name, List<String> issues) {
    return new DialogueException(
        ErrorCode.VALIDATION_FAILED,
        what + " '" + name + "' validation failed: " + String.join(", ", issues));
  }

  private static String describe(JsonProcessingException e, JsonNode input) {
    if (!(e instanceof JsonMappingException jme)) {
      return ": " + rootMessage(e);
    }
    List<String> path = new ArrayList<>();
    JsonNode at = input;
    boolean absent = false;
    for (JsonMappingException.Reference ref : jme.getPath()) {
      if (ref.getFieldName() != null) {
        path.add(ref.getFieldName());
        absent = at == null || !at.has(ref.getFieldName());
        at = at == null ? null : at.get(ref.getFieldName());
      } else if (ref.getIndex() >= 0) {
        path.add(Integer.toString(ref.getIndex()));
        absent = at == null || !at.has(ref.getIndex());
        at = at == null ? null : at.get(ref.getIndex());
      }
    }
    if (e instanceof UnrecognizedPropertyException unknown) {
      // The way Zod's strict objects say it: the path is the object, the message names the key.
      String object = String.join(".", path.subList(0, Math.max(0, path.size() - 1)));
      return object + ": Unrecognized key(s) in object: '" + unknown.getPropertyName() + "'";
    }
    String where = String.join(".", path);
    if (e instanceof MismatchedInputException mie && mie.getTargetType() != null) {
      return where + ": " + mismatch(mie.getTargetType(), at, absent);
    }
    return where + ": " + rootMessage(e);
  }

  /** Zod's words for a value that does not fit the declared type. */
  private static String mismatch(Class<?> type, JsonNode value, boolean absent) {
    if (absent) {
      return "Required";
    }
    if (type.isEnum() && value != null && value.isTextual()) {
      StringBuilder accepted = new StringBuilder();
      for (Object constant : type.getEnumConstants()) {
        accepted.append(accepted.length() == 0 ? "'" : " | '").append(constant).append('\'');
      }
      return "Invalid enum value. Expected " + accepted + ", received '" + value.textValue() + "'";
    }
    if (isIntegral(type) && value != null && value.isFloatingPointNumber()) {
      return "Expected integer, received float";
    }
    return "Expected " + expectedKind(type) + ", received " + Json.kind(value);
  }

  private static boolean isIntegral(Class<?> type) {
    return type == int.class
        || type == long.class
        || type == short.class
        || type == byte.class
        || type == Integer.class
        || type == Long.class
        || type == Short.class
        || type == Byte.class
        || type == java.math.BigInteger.class;
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    String message =
        t instanceof JsonProcessingException jpe ? jpe.getOriginalMessage() : t.getMessage();
    return message == null ? t.getClass().getSimpleName() : message;
  }

  private static String expectedKind(Class<?> type) {
    if (type == String.class || type == Character.class || type == char.class || type.isEnum()) {
      return "string";
    }
    if (type == Boolean.class || type == boolean.class) {
      return "boolean";
    }
    if (Number.class.isAssignableFrom(type) || (type.isPrimitive() && type != void.class)) {
      return "number";
    }
    if (type.isArray() || Collection.class.isAssignableFrom(type)) {
      return "array";
    }
    if (Map.class.isAssignableFrom(type)) {
      return "object";
    }
    return "object";
  }

  @Override
  public void close() {
    factory.close();
  }
}
