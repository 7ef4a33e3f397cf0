package dev.dialogue.internal;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;

/**
 * Tasks due at an instant of the server's clock (the builder's {@code clock}): the disconnect grace
 * and the disposal of empty rooms. A deadline is due when the clock says so, not after a delay, so
 * that a test that moves its clock sees it fire without waiting: one daemon thread looks at the
 * clock while any deadline is pending, every {@link #TICK_MILLIS} at most (sooner when the next one
 * is due sooner), and hands the due tasks to the hook executor. With nothing pending the thread
 * sleeps; it is made on the first deadline.
 */
final class Deadlines {
  /** How long a deadline may wait past its instant when the clock jumped over it (tests). */
  static final long TICK_MILLIS = 50;

  /** A task that can be cancelled until it runs. */
  interface Handle {
    void cancel();
  }

  private final class Deadline implements Handle, Comparable<Deadline> {
    final long dueMillis;
    final Runnable task;
    final long order;
    boolean cancelled; // guarded by Deadlines.this

    Deadline(long dueMillis, Runnable task, long order) {
      this.dueMillis = dueMillis;
      this.task = task;
      this.order = order;
    }

    @Override
    public void cancel() {
      synchronized (Deadlines.this) {
        if (!cancelled) {
          cancelled = true;
          queue.remove(this);
        }
      }
    }

    @Override
    public int compareTo(Deadline o) {
      int c = Long.compare(dueMillis, o.dueMillis);
      return c != 0 ? c : Long.compare(order, o.order);
    }
  }

  private final Clock clock;
  private final Executor executor;
  private final Logger log;
  private final PriorityQueue<Deadline> queue = new PriorityQueue<>(); // guarded by this
  private ScheduledExecutorService timer; // guarded by this
  private boolean ticking; // guarded by this
  private boolean closed; // guarded by this
  private long added; // guarded by this

  Deadlines(Clock clock, Executor executor, Logger log) {
    this.clock = clock;
    this.executor = executor;
    this.log = log;
  }

  /** The server clock's current instant, in epoch millis. */
  long now() {
    return clock.millis();
  }

  /** Runs {@code task} on the hook executor once the clock reads {@code dueMillis} or later. */
  synchronized Handle at(long dueMillis, Runnable task) {
    Deadline deadline = new Deadline(dueMillis, task, added++);
    if (closed) {
      deadline.cancelled = true;
      return deadline;
    }
    queue.add(deadline);
    if (!ticking) {
      if (timer == null) {
        timer =
            Executors.newSingleThreadScheduledExecutor(
                r -> {
                  Thread t = new Thread(r, "dialogue-deadlines");
                  t.setDaemon(true);
                  return t;
                });
      }
      ticking = true;
      timer.execute(this::tick);
    }
    return deadline;
  }

  private void tick() {
    List<Deadline> due = new ArrayList<>();
    synchronized (this) {
      if (closed) {
        return;
      }
      long now = clock.millis();
      while (!queue.isEmpty() && queue.peek().dueMillis <= now) {
        Deadline d = queue.poll();
        d.cancelled = true; // it runs: cancel() does nothing from now on
        due.add(d);
      }
      if (queue.isEmpty()) {
        ticking = false;
      } else {
        long wait = Math.max(1, Math.min(TICK_MILLIS, queue.peek().dueMillis - now));
        timer.schedule(this::tick, wait, TimeUnit.MILLISECONDS);
      }
    }
    for (Deadline d : due) {
      try {
        executor.execute(d.task);
      } catch (RuntimeException e) {
        log.warn("A deadline could not be handed to the executor", e);
      }
    }
  }

  /** Forgets every pending deadline and stops the thread. */
  synchronized void close() {
    closed = true;
    queue.clear();
    if (timer != null) {
      timer.shutdownNow();
    }
  }
}
