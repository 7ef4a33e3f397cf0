package dev.dialogue.testing;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Everything a callback delivered, in arrival order, with a read position: pass it as the callback
 * (it is a {@link Consumer}), then {@link #next()} and {@link #await(int)} hand out values not read
 * yet and wait for them when there are none, up to a timeout, failing with an {@link
 * AssertionError} that says what was expected and what arrived. Nothing ever sleeps: a wait ends as
 * soon as the value arrives.
 *
 * <pre>{@code
 * CallbackRecorder<ConnectionState> states = new CallbackRecorder<>();
 * client.onStateChange(states);
 * assertThat(states.next()).isEqualTo(ConnectionState.CONNECTED);
 * assertThat(states.threads()).containsOnly("dialogue-client-callbacks");
 * }</pre>
 *
 * <p>Values are recorded from any thread (with the name of the thread that delivered each) and read
 * from the test thread; thread-safe. The test kit's {@code dev.dialogue.test.Recorder} is built on
 * it.
 *
 * @param <T> the recorded values
 */
public final class CallbackRecorder<T> implements Consumer<T> {
  /** The timeout of {@link #next()}, {@link #await(int)} and {@link #awaitMatching(Predicate)}. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(15);

  private final String what;
  private final Duration timeout;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition arrived = lock.newCondition();
  private final List<T> values = new ArrayList<>();
  private final List<String> threads = new ArrayList<>();
  private int read;

  /** A recorder of "values" that waits up to {@link #DEFAULT_TIMEOUT}. */
  public CallbackRecorder() {
    this("values", DEFAULT_TIMEOUT);
  }

  /**
   * A recorder whose failures call the values {@code what} (e.g. {@code "messages in chat"}) and
   * whose waits without an explicit duration last up to {@code timeout}.
   */
  public CallbackRecorder(String what, Duration timeout) {
    this.what = requireNonNull(what, "what == null");
    this.timeout = requireNonNull(timeout, "timeout == null");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive but was " + timeout);
    }
  }

  /** Records one value, and the name of the calling thread. */
  @Override
  public void accept(T value) {
    String thread = Thread.currentThread().getName();
    lock.lock();
    try {
      values.add(value);
      threads.add(thread);
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
   * arriving meanwhile). Always takes its full time: keep it short (a few hundred milliseconds on a
   * local server is plenty for events already in flight). To check without waiting, assert that
   * {@link #pending()} is empty.
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

  /** The values recorded and not read yet, in arrival order, without waiting or reading them. */
  public List<T> pending() {
    lock.lock();
    try {
      return List.copyOf(values.subList(read, values.size()));
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

  /** The names of the threads that delivered every value so far, in arrival order. */
  public List<String> threads() {
    lock.lock();
    try {
      return List.copyOf(threads);
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

  /** What is recorded and how far it was read. */
  @Override
  public String toString() {
    return "CallbackRecorder[" + what + ", " + summary() + "]";
  }

  /**
   * How many values were recorded and read, and the first 20 of them: {@code recorded 3 (read 1):
   * [a, b, c]}.
   */
  public String summary() {
    lock.lock();
    try {
      return describe();
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
