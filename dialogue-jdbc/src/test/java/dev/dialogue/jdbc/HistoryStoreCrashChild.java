package dev.dialogue.jdbc;

import dev.dialogue.EventMessage;
import dev.dialogue.HistoryStore;
import java.io.PrintStream;
import java.util.concurrent.Semaphore;

/**
 * The process that {@link JdbcHistoryStoreCrashTest} kills: appends a stream of events to one room
 * and prints {@code ACK <offset>} for each append whose future completed, until it is killed.
 * Arguments: JDBC URL, room id, epoch.
 */
final class HistoryStoreCrashChild {
  private HistoryStoreCrashChild() {}

  public static void main(String[] args) throws InterruptedException {
    String url = args[0];
    String roomId = args[1];
    String epoch = args[2];
    PrintStream out = System.out;
    Semaphore inFlight = new Semaphore(2_000);
    HistoryStore store = JdbcHistoryStore.builder(url).build();
    for (long offset = 1; offset < Long.MAX_VALUE; offset++) {
      inFlight.acquire();
      long acked = offset;
      EventMessage event = JdbcHistoryStoreContract.event(roomId, offset);
      store
          .append(epoch, event)
          .whenComplete(
              (ok, failure) -> {
                inFlight.release();
                synchronized (out) {
                  // Printed and flushed only after the commit: every line the parent reads is
                  // durable.
                  out.println(failure == null ? "ACK " + acked : "FAIL " + acked + " " + failure);
                  out.flush();
                }
              });
    }
  }
}
