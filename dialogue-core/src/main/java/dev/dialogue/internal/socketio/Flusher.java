package dev.dialogue.internal.socketio;

import dev.dialogue.internal.Traffic;
import io.netty.channel.EventLoop;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Flushes the channels an event loop wrote frames to, each once per round. A channel not flushed
 * lately joins the next round, a task queued behind the writes (so deliveries already waiting in
 * the loop's queue are written first). A channel flushed less than the loop's spacing ago waits for
 * a later round instead, which starts when the spacing since its last flush is up: the spacing is
 * {@link #ROUND_SPACING} times the duration of the loop's last round, and at most {@code
 * maxFlushDelay}, or {@code maxFlushDelayUnderLoad} while the loop is under load ({@link
 * #UNDER_LOAD}). So a loop whose rounds are short (a quiet server, few recipients per event) or
 * whose recipients get events seldom flushes at once, while one flushing the same sockets again and
 * again sends each the frames of the spacing in one socket write (one system call, one TCP segment,
 * one read by the client) instead of one each. Order is unaffected: a flush only sends what was
 * written, in the order written (and netty-socketio's own writes flush whatever was written before
 * them). One per event loop of a server ({@link Flushers}); confined to its loop.
 */
final class Flusher {
  /**
   * How many times as long as a flush round took a busy event loop holds back the sockets it
   * flushed in it, counted from the round's start: rounds then take at most a fifth of the loop's
   * time.
   */
  static final int ROUND_SPACING = 5;

  /**
   * The share of a loop's time that flushing every frame in a socket write of its own would take,
   * above which the loop is under load and its channels may wait up to {@code
   * maxFlushDelayUnderLoad} instead of {@code maxFlushDelay} ...
   */
  static final double UNDER_LOAD = 0.8;

  /** ... until that share falls below this. */
  static final double NO_LONGER_UNDER_LOAD = 0.5;

  /**
   * How many frames per socket write a loop under load holds its channels back for, at most: a
   * channel that gets hundreds of events a second has them within {@code maxFlushDelay}, and
   * holding it longer would only add latency; one that gets ten a second waits up to {@code
   * maxFlushDelayUnderLoad}.
   */
  static final int FRAMES_PER_FLUSH_UNDER_LOAD = 4;

  /** How often a loop judges its load (at the end of a flush round, once this much has passed). */
  static final Duration LOAD_WINDOW = Duration.ofSeconds(1);

  final EventLoop loop;

  /** Where the frames written on this loop record their delivery latency. */
  final Traffic traffic;

  private final long maxDelay;
  private final long maxDelayUnderLoad;
  private final long loadWindow;
  private final Round next = new Round();
  private final Round later = new Round();

  /** How long a flushed channel waits before its next flush while the loop is busy. */
  private long spacing;

  /** Whether the loop counts as under load: see {@link #UNDER_LOAD}. */
  private boolean underLoad;

  // What the current load window has seen: frames written, channels flushed, time in rounds, the
  // most channels in one round.
  private long windowStart = System.nanoTime();
  private long frames;
  private long flushes;
  private long flushNanos;
  private int widestRound;

  /** The longest spacing for now: {@code maxFlushDelay}, or more while under load. */
  private long cap;

  Flusher(EventLoop loop, long maxDelay, long maxDelayUnderLoad, long loadWindow, Traffic traffic) {
    this.loop = loop;
    this.traffic = traffic;
    this.maxDelay = maxDelay;
    this.maxDelayUnderLoad = maxDelayUnderLoad;
    this.loadWindow = loadWindow;
    this.cap = maxDelay;
  }

  void due(WebSocketOut out, long now) {
    frames++;
    if (out.flushDue) {
      return;
    }
    out.flushDue = true;
    if (now - out.lastFlush < spacing) {
      later.add(out, out.lastFlush + spacing);
    } else {
      next.add(out, now);
    }
  }

  void schedule() {
    next.schedule();
    later.schedule();
  }

  /**
   * Ends a load window: the loop is under load while flushing every frame in a write of its own
   * would take more than {@link #UNDER_LOAD} of its time, and stays so until that falls below
   * {@link #NO_LONGER_UNDER_LOAD}. The estimate (frames written x the time one flush took) does not
   * shrink when channels are held back, so holding back does not talk the loop out of it. Under
   * load, the cap is as long as it takes the loop's channels to get {@link
   * #FRAMES_PER_FLUSH_UNDER_LOAD} frames, between {@code maxFlushDelay} and {@code
   * maxFlushDelayUnderLoad}.
   */
  private void judgeLoad(long now) {
    long window = now - windowStart;
    if (window < loadWindow || flushes == 0) {
      return;
    }
    double demand = (double) flushNanos / flushes * frames / window;
    underLoad = demand > (underLoad ? NO_LONGER_UNDER_LOAD : UNDER_LOAD);
    // Long enough for FRAMES_PER_FLUSH_UNDER_LOAD frames per flush, at the rate the loop's
    // channels got frames (its widest round counting its channels).
    double framesPerChannelNanos = (double) frames / window / Math.max(1, widestRound);
    long enough = (long) (FRAMES_PER_FLUSH_UNDER_LOAD / framesPerChannelNanos);
    cap = underLoad ? Math.max(maxDelay, Math.min(maxDelayUnderLoad, enough)) : maxDelay;
    widestRound = 0;
    windowStart = now;
    frames = 0;
    flushes = 0;
    flushNanos = 0;
  }

  /** Whether the loop counted as under load at its last judgement; for tests. */
  boolean underLoad() {
    return underLoad;
  }

  /** Channels to flush together, and when. */
  private final class Round implements Runnable {
    private final List<WebSocketOut> outs = new ArrayList<>();
    private long at;
    private boolean scheduled;

    public void add(WebSocketOut out, long notBefore) {
      if (outs.isEmpty()) {
        at = notBefore;
      }
      outs.add(out);
    }

    void schedule() {
      if (scheduled || outs.isEmpty()) {
        return;
      }
      scheduled = true;
      long wait = at - System.nanoTime();
      try {
        if (wait <= 0) {
          loop.execute(this);
        } else {
          loop.schedule(this, wait, TimeUnit.NANOSECONDS);
        }
      } catch (RejectedExecutionException e) {
        run();
      }
    }

    @Override
    public void run() {
      scheduled = false;
      long start = System.nanoTime();
      for (WebSocketOut out : outs) {
        out.flushDue = false;
        out.lastFlush = start;
        out.encoder.flush();
      }
      long end = System.nanoTime();
      flushes += outs.size();
      widestRound = Math.max(widestRound, outs.size());
      flushNanos += end - start;
      outs.clear();
      judgeLoad(end);
      spacing = Math.min(cap, ROUND_SPACING * (end - start));
    }
  }
}
