package dev.dialogue.test;

import dev.dialogue.client.DialogueClientException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Blocking on the client's futures with a timeout, and the errors a test wants to see. */
final class Waits {
  private Waits() {}

  /**
   * The future's value; its {@link DialogueClientException} (or other runtime failure) is thrown as
   * it is, so that a test can assert on the code.
   *
   * @throws AssertionError if the future does not complete within {@code timeout}
   */
  static <T> T get(CompletableFuture<T> future, Duration timeout, String what) {
    try {
      return future.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException runtime) {
        throw runtime;
      }
      if (cause instanceof Error error) {
        throw error;
      }
      throw new IllegalStateException(what + " failed", cause);
    } catch (TimeoutException e) {
      throw new AssertionError(what + " did not complete within " + timeout, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for " + what, e);
    }
  }
}
