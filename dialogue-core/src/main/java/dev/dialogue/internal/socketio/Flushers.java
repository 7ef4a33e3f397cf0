package dev.dialogue.internal.socketio;

import dev.dialogue.internal.Traffic;
import io.netty.channel.EventLoop;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** A server's {@link Flusher}s, one per event loop, and the delays they keep to. Thread-safe. */
public final class Flushers {
  private final long maxDelay;
  private final long maxDelayUnderLoad;
  private final long loadWindow;
  private final Map<EventLoop, Flusher> byLoop = new ConcurrentHashMap<>();
  private final Traffic traffic;

  /**
   * @param maxDelay the server's {@code maxFlushDelay}
   * @param maxDelayUnderLoad its {@code maxFlushDelayUnderLoad}; never shorter than {@code
   *     maxDelay}
   */
  public Flushers(Duration maxDelay, Duration maxDelayUnderLoad) {
    this(maxDelay, maxDelayUnderLoad, new Traffic());
  }

  /** As above, recording the delivery latency of the frames written in {@code traffic}. */
  public Flushers(Duration maxDelay, Duration maxDelayUnderLoad, Traffic traffic) {
    this(maxDelay, maxDelayUnderLoad, Flusher.LOAD_WINDOW, traffic);
  }

  /** As above, judging each loop's load every {@code loadWindow} (tests use short ones). */
  Flushers(Duration maxDelay, Duration maxDelayUnderLoad, Duration loadWindow) {
    this(maxDelay, maxDelayUnderLoad, loadWindow, new Traffic());
  }

  private Flushers(
      Duration maxDelay, Duration maxDelayUnderLoad, Duration loadWindow, Traffic traffic) {
    this.traffic = traffic;
    this.maxDelay = maxDelay.toNanos();
    this.maxDelayUnderLoad = Math.max(this.maxDelay, maxDelayUnderLoad.toNanos());
    this.loadWindow = loadWindow.toNanos();
  }

  /** The flusher of {@code loop}, made on first use. */
  Flusher of(EventLoop loop) {
    return byLoop.computeIfAbsent(
        loop, l -> new Flusher(l, maxDelay, maxDelayUnderLoad, loadWindow, traffic));
  }
}
