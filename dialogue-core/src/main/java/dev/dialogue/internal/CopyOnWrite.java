package dev.dialogue.internal;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Updates of immutable sets and maps that are replaced on every change: state read often and
 * changed rarely (subscriptions, a connection's rooms, a user's connections), where an immutable
 * copy is both lock-free to read and smaller than a concurrent collection.
 */
final class CopyOnWrite {
  private CopyOnWrite() {}

  /** {@code set} with {@code element}; {@code set} itself if it already holds it. */
  static <T> Set<T> plus(Set<T> set, T element) {
    if (set.contains(element)) {
      return set;
    }
    Set<T> next = new HashSet<>(set);
    next.add(element);
    return Set.copyOf(next);
  }

  /** {@code set} without {@code element}; {@code set} itself if it does not hold it. */
  static <T> Set<T> minus(Set<T> set, T element) {
    if (!set.contains(element)) {
      return set;
    }
    Set<T> next = new HashSet<>(set);
    next.remove(element);
    return Set.copyOf(next);
  }

  /** {@code map} with {@code key} mapped to {@code value}. */
  static <K, V> Map<K, V> plus(Map<K, V> map, K key, V value) {
    Map<K, V> next = new HashMap<>(map);
    next.put(key, value);
    return Map.copyOf(next);
  }

  /** {@code map} without {@code key}. */
  static <K, V> Map<K, V> minus(Map<K, V> map, K key) {
    Map<K, V> next = new HashMap<>(map);
    next.remove(key);
    return Map.copyOf(next);
  }
}
