package dev.dialogue.internal;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;

/**
 * Runs tasks one at a time, in submission order, on a shared executor: one per connection, so its
 * requests are handled in the order it sent them without holding a thread while idle.
 */
public final class SerialExecutor implements Executor {
  private static final int BATCH = 64;

  /** Requests come one or a few at a time; ArrayDeque grows when more wait. */
  private static final int INITIAL_CAPACITY = 4;

  private final Executor delegate;
  private final Logger log;

  /** Waiting tasks; null while none wait (an idle connection holds no queue). Guarded by this. */
  private ArrayDeque<Runnable> tasks;

  private boolean running;

  SerialExecutor(Executor delegate, Logger log) {
    this.delegate = delegate;
    this.log = log;
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
      }
      try {
        next.run();
      } catch (RuntimeException | Error e) {
        log.error("Task failed on a connection's serial executor", e);
      }
    }
  }
}
