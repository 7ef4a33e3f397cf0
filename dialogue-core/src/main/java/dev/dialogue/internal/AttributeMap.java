package dev.dialogue.internal;

import static java.util.Objects.requireNonNull;

import dev.dialogue.AttributeKey;
import dev.dialogue.Attributes;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * {@link Attributes} in a map created on the first value, so that an owner that keeps none (most
 * idle connections) holds no table.
 */
final class AttributeMap implements Attributes {
  private volatile Map<AttributeKey<?>, Object> values;

  private Map<AttributeKey<?>, Object> values() {
    Map<AttributeKey<?>, Object> map = values;
    if (map == null) {
      synchronized (this) {
        map = values;
        if (map == null) {
          map = new ConcurrentHashMap<>(4);
          values = map;
        }
      }
    }
    return map;
  }

  @Override
  public <T> T get(AttributeKey<T> key) {
    requireNonNull(key, "key == null");
    Map<AttributeKey<?>, Object> map = values;
    return map == null ? null : key.type().cast(map.get(key));
  }

  @Override
  public <T> T set(AttributeKey<T> key, T value) {
    requireNonNull(key, "key == null");
    if (value == null) {
      return remove(key);
    }
    return key.type().cast(values().put(key, key.type().cast(value)));
  }

  @Override
  public <T> T computeIfAbsent(AttributeKey<T> key, Supplier<? extends T> create) {
    requireNonNull(key, "key == null");
    requireNonNull(create, "create == null");
    return key.type().cast(values().computeIfAbsent(key, k -> key.type().cast(create.get())));
  }

  @Override
  public <T> T remove(AttributeKey<T> key) {
    requireNonNull(key, "key == null");
    Map<AttributeKey<?>, Object> map = values;
    return map == null ? null : key.type().cast(map.remove(key));
  }

  /** Forgets every value (the owner is gone). */
  void clear() {
    values = null;
  }
}
