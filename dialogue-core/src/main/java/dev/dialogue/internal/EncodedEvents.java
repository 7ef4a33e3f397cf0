package dev.dialogue.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.SerializationConfig;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.BeanSerializerModifier;
import com.fasterxml.jackson.databind.ser.ResolvableSerializer;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import com.fasterxml.jackson.databind.util.TokenBuffer;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.dialogue.EventMessage;
import java.io.IOException;

/**
 * The JSON of recently delivered events, so that an event carried by many answers (5,000 clients
 * recovering the same 100 missed events, history pages, history on join) is encoded once, as its
 * broadcast already was. Keyed by identity and held weakly: an event that left memory drops out,
 * and the number of entries is bounded. Used only when writing JSON text; a JSON tree is always
 * built field by field.
 */
final class EncodedEvents {
  private static final int MAX_ENTRIES = 10_000;

  private static final Cache<EventMessage, String> JSON =
      // Maintenance on the calling thread: no hand-off to the common pool per delivered event.
      Caffeine.newBuilder().weakKeys().maximumSize(MAX_ENTRIES).executor(Runnable::run).build();

  private EncodedEvents() {}

  /** Encodes {@code event} and remembers its JSON for later answers. */
  static String encode(EventMessage event) {
    String json = Json.write(event);
    JSON.put(event, json);
    return json;
  }

  /** Registers the serializer that writes a remembered event's JSON verbatim. */
  static SimpleModule module() {
    SimpleModule module = new SimpleModule("dialogue-encoded-events");
    module.setSerializerModifier(
        new BeanSerializerModifier() {
          @Override
          @SuppressWarnings("unchecked")
          public JsonSerializer<?> modifySerializer(
              SerializationConfig config, BeanDescription bean, JsonSerializer<?> serializer) {
            return bean.getBeanClass() == EventMessage.class
                ? new Remembered((JsonSerializer<Object>) serializer)
                : serializer;
          }
        });
    return module;
  }

  /** Whether {@code event}'s JSON is remembered (for tests). */
  static boolean remembered(EventMessage event) {
    return JSON.getIfPresent(event) != null;
  }

  private static final class Remembered extends StdSerializer<EventMessage>
      implements ResolvableSerializer {
    private static final long serialVersionUID = 1L;
    private final transient JsonSerializer<Object> encoder;

    Remembered(JsonSerializer<Object> encoder) {
      super(EventMessage.class);
      this.encoder = encoder;
    }

    @Override
    public void resolve(SerializerProvider provider) throws JsonMappingException {
      if (encoder instanceof ResolvableSerializer resolvable) {
        resolvable.resolve(provider);
      }
    }

    @Override
    public void serialize(EventMessage event, JsonGenerator out, SerializerProvider provider)
        throws IOException {
      String json = out instanceof TokenBuffer ? null : JSON.getIfPresent(event);
      if (json != null) {
        out.writeRawValue(json);
      } else {
        encoder.serialize(event, out, provider);
      }
    }
  }
}
