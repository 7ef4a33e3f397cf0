package dev.dialogue.micrometer;

import dev.dialogue.EventMessage;
import dev.dialogue.HistoryStore;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Timer;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A history store whose appends are timed from the call to their commit ({@link
 * DialogueMetrics#monitor}); every other call goes to the store as it is.
 */
final class MonitoredHistoryStore implements HistoryStore {
  private final HistoryStore store;
  private final Timer commits;
  private final DistributionSummary pending;
  private final AtomicInteger waiting = new AtomicInteger();

  MonitoredHistoryStore(HistoryStore store, DialogueMetrics metrics) {
    this.store = store;
    this.commits = metrics.commitTimer();
    this.pending = metrics.pendingSummary();
  }

  @Override
  public CompletableFuture<Void> append(String epoch, EventMessage event) {
    long began = System.nanoTime();
    pending.record(waiting.incrementAndGet());
    CompletableFuture<Void> done;
    try {
      done = store.append(epoch, event);
    } catch (RuntimeException e) {
      waiting.decrementAndGet();
      throw e;
    }
    done.whenComplete(
        (ok, failed) -> {
          waiting.decrementAndGet();
          if (failed == null) {
            commits.record(System.nanoTime() - began, java.util.concurrent.TimeUnit.NANOSECONDS);
          }
        });
    return done;
  }

  @Override
  public List<EventMessage> eventsAfter(String roomId, long afterOffset, int limit) {
    return store.eventsAfter(roomId, afterOffset, limit);
  }

  @Override
  public List<EventMessage> history(String roomId, String eventName, int start, int end) {
    return store.history(roomId, eventName, start, end);
  }

  @Override
  public Optional<Position> position(String roomId) {
    return store.position(roomId);
  }

  @Override
  public Optional<EventMessage> findByClientMessageId(
      String roomId, String from, String clientMessageId) {
    return store.findByClientMessageId(roomId, from, clientMessageId);
  }

  @Override
  public CompletableFuture<Void> deleteRoom(String roomId) {
    return store.deleteRoom(roomId);
  }

  @Override
  public void close() {
    store.close();
  }
}
