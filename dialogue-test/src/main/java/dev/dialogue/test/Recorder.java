package dev.dialogue.test;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

/**
 * Everything one kind of callback delivered, in arrival order, with a read position: {@link
 * #next()} and {@link #await(int)} hand out values not read yet and wait for them when there are
 * none, up to a timeout, failing with an {@link AssertionError} that says what was expected and
 * what arrived. Nothing ever sleeps: a wait ends as soon as the value arrives.
 *
 * <p>Obtained from {@link TestRoom#record}, {@link TestRoom#recordMessages}, {@link
 * TestRoom#recordAll}, {@link TestRoom#recordPresence} and {@link TestClient#record}; recording
 * starts before the method returns and stops at {@link #close()} or when the client is closed.
 * Values are recorded from the client's callback thread and read from the test thread; thread-safe.
 *
 * @param <T> the recorded values
 */
public final class Recorder<T> implements AutoCloseable {
  private final String what;
  private final Duration timeout;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition arrived = lock.newCondition();
  private final List<T> values = new ArrayList<>();
  private int read;
  private volatile AutoCloseable stop = () -> {};
  private volatile boolean closed;

  Recorder(String what, Duration timeout) {
    this.what = what;
    this.timeout = timeout;
  }

  /** Set once the callback is registered; run by {@link #close()}. */
  void stopWith(AutoCloseable stop) {
    this.stop = stop;
  }

  /** Records one value (the client's callback thread). */
  void add(T value) {
    if (closed) {
      return;
    }
    lock.lock();
    try {
      values.add(value);
      arrived.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /**
   * The next value not read yet, waiting for it up to the default timeout (see {@link #timeout()}).
   */
  public T next() {
    return next(timeout);
  }

  /**
   * The next value not read yet, waiting for it up to {@code within}.
   *
   * @throws AssertionError if none arrives in time
   */
  public T next(Duration within) {
    return await(1, within).get(0);
  }

  /** The next {@code n} values not read yet, waiting up to the default timeout for all of them. */
  public List<T> await(int n) {
    return await(n, timeout);
  }

  /**
   * The next {@code n} values not read yet, in arrival order, waiting up to {@code within} for all
   * of them to arrive.
   *
   * @throws AssertionError if fewer than {@code n} arrive in time (none is read then)
   * @throws IllegalArgumentException if {@code n} is below 1
   */
  public List<T> await(int n, Duration within) {
    if (n < 1) {
      throw new IllegalArgumentException("await at least 1 value, not " + n);
    }
    requireNonNull(within, "within == null");
    lock.lock();
    try {
      waitFor(() -> values.size() - read >= n, within);
      if (values.size() - read < n) {
        throw new AssertionError(
            "expected "
                + n
                + " more "
                + what
                + " within "
                + within
                + " but "
                + (values.size() - read)
                + " arrived; "
                + describe());
      }
      List<T> taken = List.copyOf(values.subList(read, read + n));
      read += n;
      return taken;
    } finally {
      lock.unlock();
    }
  }

  /** {@link #awaitMatching(Predicate, Duration)} with the default timeout. */
  public T awaitMatching(Predicate<? super T> matches) {
    return awaitMatching(matches, timeout);
  }

  /**
   * Reads values until one matches, waiting up to {@code within} for it, and returns it: the values
   * before it are read too (skipped), the values after it are not.
   *
   * @throws AssertionError if no value matching arrives in time (the values looked at stay read)
   */
  public T awaitMatching(Predicate<? super T> matches, Duration within) {
    requireNonNull(matches, "matches == null");
    requireNonNull(within, "within == null");
    lock.lock();
    try {
      int[] scanned = {read};
      boolean found =
          waitFor(
              () -> {
                for (; scanned[0] < values.size(); scanned[0]++) {
                  if (matches.test(values.get(scanned[0]))) {
                    return true;
                  }
                }
                return false;
              },
              within);
      if (!found) {
        read = values.size();
        throw new AssertionError(
            "expected a matching value among " + what + " within " + within + "; " + describe());
      }
      T match = values.get(scanned[0]);
      read = scanned[0] + 1;
      return match;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Waits {@code within} and fails if any value not read yet is there by then (already there or
   * arriving meanwhile). The one wait in this kit that always takes its full time: keep it short
   * (what "nothing more came" means depends on the test; a few hundred milliseconds on a local
   * server is plenty for events already in flight).
   *
   * @throws AssertionError naming the unexpected value
   */
  public void assertNoMore(Duration within) {
    requireNonNull(within, "within == null");
    lock.lock();
    try {
      waitFor(() -> values.size() > read, within);
      if (values.size() > read) {
        throw new AssertionError(
            "expected no more " + what + " but got " + values.get(read) + "; " + describe());
      }
    } finally {
      lock.unlock();
    }
  }

  /** Every value recorded so far, read or not, in arrival order. */
  public List<T> all() {
    lock.lock();
    try {
      return List.copyOf(values);
    } finally {
      lock.unlock();
    }
  }

  /** How many values were recorded so far, read or not. */
  public int count() {
    lock.lock();
    try {
      return values.size();
    } finally {
      lock.unlock();
    }
  }

  /**
   * The default timeout of {@link #next()}, {@link #await(int)} and {@link
   * #awaitMatching(Predicate)}.
   */
  public Duration timeout() {
    return timeout;
  }

  /**
   * Stops recording (unregisters the callback); what was recorded can still be read. Idempotent.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      stop.close();
    } catch (Exception e) {
      throw new IllegalStateException("could not stop recording " + what, e);
    }
  }

  /** What is recorded and how far it was read. */
  @Override
  public String toString() {
    lock.lock();
    try {
      return "Recorder[" + what + ", " + describe() + "]";
    } finally {
      lock.unlock();
    }
  }

  private String describe() {
    int shown = Math.min(values.size(), 20);
    return "recorded "
        + values.size()
        + " (read "
        + read
        + ")"
        + (values.isEmpty()
            ? ""
            : ": " + values.subList(0, shown) + (shown < values.size() ? " ..." : ""));
  }

  /** Waits, holding the lock between checks, until {@code done} or {@code within} passed. */
  private boolean waitFor(BooleanSupplier done, Duration within) {
    long left = within.toNanos();
    while (!done.getAsBoolean()) {
      if (left <= 0) {
        return false;
      }
      try {
        left = arrived.awaitNanos(left);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for " + what, e);
      }
    }
    return true;
  }
}
