package dev.dialogue.jdbc;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.dialogue.EventMessage;

/**
 * The stored form of an event: its JSON envelope, exactly as clients receive it in {@code
 * dialogue:event}. The mapping is the core's own (fields without a value omitted, unknown ones
 * dropped), configured here rather than borrowed from the engine, so that every database written so
 * far stays readable byte for byte whatever the engine does with its JSON.
 */
final class Envelopes {
  private static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .defaultPropertyInclusion(
              JsonInclude.Value.construct(
                  JsonInclude.Include.NON_NULL, JsonInclude.Include.NON_NULL))
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
          .build();

  private Envelopes() {}

  static String write(EventMessage event) {
    try {
      return MAPPER.writeValueAsString(event);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("cannot encode the event as JSON", e);
    }
  }

  static EventMessage read(String envelope) throws JsonProcessingException {
    return MAPPER.readValue(envelope, EventMessage.class);
  }
}
