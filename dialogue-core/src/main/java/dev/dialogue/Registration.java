package dev.dialogue;

/**
 * A handle to something registered (a handler, a listener); closing it removes the registration.
 */
@FunctionalInterface
public interface Registration extends AutoCloseable {
  /** Removes the registration. Idempotent. */
  @Override
  void close();
}
