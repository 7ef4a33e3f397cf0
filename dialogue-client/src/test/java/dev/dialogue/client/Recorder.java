package dev.dialogue.client;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** Records callback values; tests poll it with a timeout instead of sleeping. */
final class Recorder<T> implements Consumer<T> {
  static final Duration TIMEOUT = Duration.ofSeconds(15);

  private final LinkedBlockingQueue<T> values = new LinkedBlockingQueue<>();
  private final List<String> threads = new ArrayList<>();

  @Override
  public void accept(T value) {
    synchronized (threads) {
      threads.add(Thread.currentThread().getName());
    }
    values.add(value);
  }

  T next() {
    try {
      T value = values.poll(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      if (value == null) {
        throw new AssertionError("nothing recorded within " + TIMEOUT);
      }
      return value;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** Values recorded and not yet taken. */
  List<T> pending() {
    return List.copyOf(values);
  }

  List<String> threads() {
    synchronized (threads) {
      return List.copyOf(threads);
    }
  }
}
