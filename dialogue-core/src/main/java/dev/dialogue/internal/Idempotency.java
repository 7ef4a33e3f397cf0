package dev.dialogue.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.dialogue.EventMessage;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;

/**
 * Remembers recent {@code clientMessageId}s per user (PROTOCOL 8.3): the first trigger with an id
 * claims it; a repeat within the window gets the first one's outcome instead of publishing again.
 * Bounded in time and in size (Caffeine), so a client cannot grow it without limit.
 */
public final class Idempotency {
  /** The first trigger's outcome: its envelope, and when it became durable. */
  public record First(EventMessage message, CompletableFuture<Void> durable) {}

  private record Key(String userId, String clientMessageId) {}

  private final ConcurrentMap<Key, CompletableFuture<First>> recent;

  public Idempotency(Settings.HistorySettings settings, Clock clock) {
    Ticker ticker = () -> TimeUnit.MILLISECONDS.toNanos(clock.millis());
    Cache<Key, CompletableFuture<First>> cache =
        Caffeine.newBuilder()
            .expireAfterWrite(settings.idempotencyWindow())
            .maximumSize(settings.maxIdempotencyKeys())
            .ticker(ticker)
            // Maintenance (eviction, expiry) on the writing thread, a little at a time, rather
            // than on ForkJoinPool.commonPool, which EncodedEvents' cache cost 11% of a core.
            .executor(Runnable::run)
            .build();
    this.recent = cache.asMap();
  }

  /**
   * Claims {@code clientMessageId} for {@code userId}. Returns null when this is the first trigger
   * with it (the caller must then {@link #complete} or {@link #release} the claim), or the first
   * one's outcome.
   */
  public CompletableFuture<First> claim(
      String userId, String clientMessageId, CompletableFuture<First> mine) {
    return recent.putIfAbsent(new Key(userId, clientMessageId), mine);
  }

  /**
   * The first trigger's outcome, or null when this one is the first: claims the id with {@code
   * mine}; if another trigger holds the claim, waits for its outcome (up to {@code waitMillis}; a
   * first that failed lets this one try). When the claim is this one's, {@code elsewhere} is asked
   * for a first that memory does not know (a store after a restart, another node), and {@code mine}
   * completes with it if there is one.
   */
  public First earlier(
      String userId,
      String clientMessageId,
      CompletableFuture<First> mine,
      java.util.function.Supplier<First> elsewhere,
      long waitMillis) {
    while (true) {
      CompletableFuture<First> prior = claim(userId, clientMessageId, mine);
      if (prior == null) {
        First found = elsewhere.get();
        if (found != null) {
          mine.complete(found); // later repeats find it in memory
        }
        return found;
      }
      try {
        return prior.get(waitMillis, TimeUnit.MILLISECONDS);
      } catch (Exception e) {
        release(userId, clientMessageId, prior); // the first failed: this one may try
      }
    }
  }

  /** The outcome of a published trigger with this id, without claiming it; null if none yet. */
  public First published(String userId, String clientMessageId) {
    CompletableFuture<First> first = recent.get(new Key(userId, clientMessageId));
    return first != null && first.isDone() && !first.isCompletedExceptionally()
        ? first.join()
        : null;
  }

  /** The first trigger failed (validation, rejection): a repeat may try again. */
  public void release(String userId, String clientMessageId, CompletableFuture<First> mine) {
    recent.remove(new Key(userId, clientMessageId), mine);
  }
}
