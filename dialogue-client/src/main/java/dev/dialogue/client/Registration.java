package dev.dialogue.client;

/** A registered callback or subscription; closing it removes it. Idempotent. */
@FunctionalInterface
public interface Registration extends AutoCloseable {
  @Override
  void close();
}
