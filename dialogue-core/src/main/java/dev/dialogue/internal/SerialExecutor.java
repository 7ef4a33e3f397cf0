package dev.dialogue.internal;

import dev.dialogue.ClientConnection;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.MDC;

/**
 * Runs tasks one at a time, in submission order, on a shared executor: one per connection, so its
 * requests are handled in the order it sent them without holding a thread while idle.
 */
public final class SerialExecutor implements Executor {
  private static final int BATCH = 64;

  /** The MDC key of the connection id in log lines written while a connection's task runs. */
  public static final String MDC_CONNECTION = "dialogue.connectionId";

  /** The MDC key of the connection's user id. */
  public static final String MDC_USER = "dialogue.userId";

  /** Requests come one or a few at a time; ArrayDeque grows when more wait. */
  private static final int INITIAL_CAPACITY = 4;

  private final Executor delegate;
  private final Logger log;

  /** Waiting tasks; null while none wait (an idle connection holds no queue). Guarded by this. */
  private ArrayDeque<Runnable> tasks;

  private boolean running;

  /** The thread draining now, or null. Guarded by this. */
  private Thread drainer;

  /** Set by the running task: the next one waits until it completes. Guarded by this. */
  private CompletableFuture<?> hold;

  /** The connection whose tasks these are, named in the MDC while they run; null for a room. */
  private final ClientConnection owner;

  SerialExecutor(Executor delegate, Logger log) {
    this(delegate, log, null);
  }

  /**
   * An executor of {@code owner}'s tasks: while they run, the SLF4J MDC holds {@link
   * #MDC_CONNECTION} and {@link #MDC_USER}, so every log line about the connection names it.
   */
  SerialExecutor(Executor delegate, Logger log, ClientConnection owner) {
    this.delegate = delegate;
    this.log = log;
    this.owner = owner;
  }

  @Override
  public void execute(Runnable task) {
    synchronized (this) {
      if (tasks == null) {
        tasks = new ArrayDeque<>(INITIAL_CAPACITY);
      }
      tasks.add(task);
      if (running) {
        return;
      }
      running = true;
    }
    try {
      delegate.execute(this::drain);
    } catch (RejectedExecutionException e) {
      // The executor is shut down: forget the task, so the caller can run it another way.
      synchronized (this) {
        tasks.removeLastOccurrence(task);
        running = false;
      }
      throw e;
    }
  }

  /**
   * Called from the task this executor is running: the next task starts only once {@code done}
   * completes (a request whose listeners run on a room's executor, so that the connection's
   * listener calls keep its request order); no thread waits meanwhile. Anywhere else, a no-op.
   */
  public void holdUntil(CompletableFuture<?> done) {
    synchronized (this) {
      if (drainer == Thread.currentThread() && !done.isDone()) {
        hold = hold == null ? done : CompletableFuture.allOf(hold, done);
      }
    }
  }

  /** Whether a task queue is allocated (for tests in this package). */
  public synchronized boolean holdsQueue() {
    return tasks != null;
  }

  /** Tasks waiting or running. */
  public int pending() {
    synchronized (this) {
      return (tasks == null ? 0 : tasks.size()) + (running ? 1 : 0);
    }
  }

  /** Runs a batch, then yields the thread so that one busy connection cannot starve the others. */
  private void drain() {
    if (owner == null) {
      drainBatch();
      return;
    }
    MDC.put(MDC_CONNECTION, owner.id());
    MDC.put(MDC_USER, owner.userId());
    try {
      drainBatch();
    } finally {
      MDC.remove(MDC_CONNECTION);
      MDC.remove(MDC_USER);
    }
  }

  private void drainBatch() {
    for (int ran = 0; ; ran++) {
      if (ran == BATCH) {
        delegate.execute(this::drain);
        return;
      }
      Runnable next;
      synchronized (this) {
        next = tasks == null ? null : tasks.poll();
        if (next == null) {
          running = false;
          tasks = null;
          return;
        }
        drainer = Thread.currentThread();
      }
      try {
        next.run();
      } catch (RuntimeException | Error e) {
        log.error("Task failed on a serial executor", e);
      }
      CompletableFuture<?> wait;
      synchronized (this) {
        drainer = null;
        wait = hold;
        hold = null;
      }
      if (wait != null && !wait.isDone()) {
        wait.whenComplete((r, e) -> resume()); // still running: nothing else starts meanwhile
        return;
      }
    }
  }

  private void resume() {
    try {
      delegate.execute(this::drain);
    } catch (RejectedExecutionException stopping) {
      drain();
    }
  }
}
