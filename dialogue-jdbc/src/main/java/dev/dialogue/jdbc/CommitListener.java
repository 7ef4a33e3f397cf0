package dev.dialogue.jdbc;

/**
 * Told of each transaction the store's writer committed, for metrics ({@link
 * JdbcHistoryStore.Builder#commitListener}): {@code dialogue-micrometer}'s {@code
 * DialogueMetrics::onHistoryCommit} fits.
 *
 * <p>Called on the store's writer thread after the commit and before the appends' futures complete:
 * it must be quick (the next batch waits for it). An exception it throws is logged and ignored.
 */
@FunctionalInterface
public interface CommitListener {
  /**
   * A transaction of {@code events} appends committed, {@code nanos} after its first insert began
   * (the group commit: many appends waiting together go in one transaction, at most {@link
   * JdbcHistoryStore.Builder#maxBatchSize}).
   */
  void onCommit(int events, long nanos);
}
