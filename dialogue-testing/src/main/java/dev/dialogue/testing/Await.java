package dev.dialogue.testing;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Waits for state that has no signal to wait on (server-side bookkeeping right after a disconnect,
 * a client's connection state): checks the condition every millisecond until it holds, and fails
 * with the description after a timeout. For values a callback delivers, record them with a {@link
 * CallbackRecorder} instead.
 */
public final class Await {
  /** How long {@link #until(String, BooleanSupplier)} waits at most. */
  public static final Duration TIMEOUT = RawClient.TIMEOUT;

  private Await() {}

  /**
   * Returns as soon as {@code condition} holds.
   *
   * @throws AssertionError naming {@code description} if it does not within {@link #TIMEOUT}
   */
  public static void until(String description, BooleanSupplier condition) {
    until(description, TIMEOUT, condition);
  }

  /**
   * Returns as soon as {@code condition} holds.
   *
   * @throws AssertionError naming {@code description} if it does not within {@code within}
   */
  public static void until(String description, Duration within, BooleanSupplier condition) {
    requireNonNull(description, "description == null");
    requireNonNull(within, "within == null");
    requireNonNull(condition, "condition == null");
    long deadline = System.nanoTime() + within.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("not within " + within + ": " + description);
      }
      LockSupport.parkNanos(1_000_000);
    }
  }
}
