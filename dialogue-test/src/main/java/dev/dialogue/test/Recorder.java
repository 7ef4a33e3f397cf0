package dev.dialogue.test;

import dev.dialogue.testing.CallbackRecorder;
import java.time.Duration;
import java.util.List;
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
 * The waiting and reading are {@link CallbackRecorder}'s (from {@code dialogue-testing}); this
 * class adds the end of recording.
 *
 * @param <T> the recorded values
 */
public final class Recorder<T> implements AutoCloseable {
  private final String what;
  private final CallbackRecorder<T> values;
  private volatile AutoCloseable stop = () -> {};
  private volatile boolean closed;

  Recorder(String what, Duration timeout) {
    this.what = what;
    this.values = new CallbackRecorder<>(what, timeout);
  }

  /** Set once the callback is registered; run by {@link #close()}. */
  void stopWith(AutoCloseable stop) {
    this.stop = stop;
  }

  /** Records one value (the client's callback thread). */
  void add(T value) {
    if (!closed) {
      values.accept(value);
    }
  }

  /**
   * The next value not read yet, waiting for it up to the default timeout (see {@link #timeout()}).
   */
  public T next() {
    return values.next();
  }

  /**
   * The next value not read yet, waiting for it up to {@code within}.
   *
   * @throws AssertionError if none arrives in time
   */
  public T next(Duration within) {
    return values.next(within);
  }

  /** The next {@code n} values not read yet, waiting up to the default timeout for all of them. */
  public List<T> await(int n) {
    return values.await(n);
  }

  /**
   * The next {@code n} values not read yet, in arrival order, waiting up to {@code within} for all
   * of them to arrive.
   *
   * @throws AssertionError if fewer than {@code n} arrive in time (none is read then)
   * @throws IllegalArgumentException if {@code n} is below 1
   */
  public List<T> await(int n, Duration within) {
    return values.await(n, within);
  }

  /** {@link #awaitMatching(Predicate, Duration)} with the default timeout. */
  public T awaitMatching(Predicate<? super T> matches) {
    return values.awaitMatching(matches);
  }

  /**
   * Reads values until one matches, waiting up to {@code within} for it, and returns it: the values
   * before it are read too (skipped), the values after it are not.
   *
   * @throws AssertionError if no value matching arrives in time (the values looked at stay read)
   */
  public T awaitMatching(Predicate<? super T> matches, Duration within) {
    return values.awaitMatching(matches, within);
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
    values.assertNoMore(within);
  }

  /** Every value recorded so far, read or not, in arrival order. */
  public List<T> all() {
    return values.all();
  }

  /** How many values were recorded so far, read or not. */
  public int count() {
    return values.count();
  }

  /**
   * The default timeout of {@link #next()}, {@link #await(int)} and {@link
   * #awaitMatching(Predicate)}.
   */
  public Duration timeout() {
    return values.timeout();
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
    return "Recorder[" + what + ", " + values.summary() + "]";
  }
}
