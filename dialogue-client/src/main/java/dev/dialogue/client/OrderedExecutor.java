package dev.dialogue.client;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs tasks one at a time, in order, on the application's executor: the client's single logical
 * thread for state changes and callbacks, so that no callback runs on socket.io-client's shared
 * EventThread and callbacks never overlap.
 */
final class OrderedExecutor implements Executor {
  private static final Logger log = LoggerFactory.getLogger(OrderedExecutor.class);

  private final Executor delegate;
  private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
  private boolean running;
  private volatile Thread runner; // the thread draining tasks now, or null

  OrderedExecutor(Executor delegate) {
    this.delegate = delegate;
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
    try {
      delegate.execute(this::drain);
    } catch (RejectedExecutionException e) {
      // The client was closed: late transport events (the disconnect itself) have nowhere to go.
      synchronized (tasks) {
        tasks.clear();
        running = false;
      }
      log.debug("Dropped a callback after the client was closed");
    }
  }

  /** Whether the calling thread is running one of these tasks now. */
  boolean inLoop() {
    return runner == Thread.currentThread();
  }

  private void drain() {
    runner = Thread.currentThread();
    while (true) {
      Runnable next;
      synchronized (tasks) {
        next = tasks.poll();
        if (next == null) {
          runner = null; // before another drain may start
          running = false;
          return;
        }
      }
      try {
        next.run();
      } catch (RuntimeException | Error e) {
        log.error("Dialogue client callback failed", e);
      }
    }
  }
}
