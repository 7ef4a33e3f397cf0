package dev.dialogue;

import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.Executor;
import org.slf4j.Logger;

/**
 * Runs tasks one at a time, in submission order, on a shared executor: one per connection, so its
 * requests are handled in the order it sent them without holding a thread while idle.
 */
final class SerialExecutor implements Executor {
  private static final int BATCH = 64;

  private final Executor delegate;
  private final Logger log;
  private final Queue<Runnable> tasks = new ArrayDeque<>();
  private boolean running;

  SerialExecutor(Executor delegate, Logger log) {
    this.delegate = delegate;
    this.log = log;
  }

  @Override
  public void execute(Runnable task) {
    synchronized (tasks) {
      tasks.add(task);
      if (running) {
        return;
      }
      running = true;
    }
    delegate.execute(this::drain);
  }

  /** Tasks waiting or running. */
  int pending() {
    synchronized (tasks) {
      return tasks.size() + (running ? 1 : 0);
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
      synchronized (tasks) {
        next = tasks.poll();
        if (next == null) {
          running = false;
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
