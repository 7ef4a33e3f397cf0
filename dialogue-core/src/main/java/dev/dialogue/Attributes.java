package dev.dialogue;

import java.util.function.Supplier;

/**
 * Application values kept on a {@link Room} ({@link Room#attributes()}) or a {@link
 * ClientConnection} ({@link ClientConnection#attributes()}), by typed {@link AttributeKey}. Safe to
 * use from any thread. They live as long as their owner: a deleted room's and a closed connection's
 * attributes are cleared. They are never sent to clients.
 */
public interface Attributes {
  /** The value for {@code key}, or null. */
  <T> T get(AttributeKey<T> key);

  /**
   * Sets the value for {@code key} (null removes it); returns the previous one, or null.
   *
   * @throws ClassCastException if {@code value} is not of the key's type
   */
  <T> T set(AttributeKey<T> key, T value);

  /** The value for {@code key}, set from {@code create} first if there is none (atomically). */
  <T> T computeIfAbsent(AttributeKey<T> key, Supplier<? extends T> create);

  /** Removes the value for {@code key}; returns it, or null. */
  <T> T remove(AttributeKey<T> key);
}
