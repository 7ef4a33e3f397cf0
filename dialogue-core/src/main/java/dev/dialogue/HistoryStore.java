package dev.dialogue;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Durable history: where a room's events go so that they outlive memory and the process. {@code
 * dev.dialogue.jdbc.JdbcHistoryStore} keeps them in H2 or PostgreSQL; another database plugs in by
 * implementing this interface.
 *
 * <p><b>Model.</b> A room has one epoch at a time and a sequence of events numbered by offset (1,
 * 2, 3, ... within the epoch). The server appends each room's events in offset order; a store keeps
 * what it is given and never renumbers, reorders or overwrites. An epoch ends only through {@link
 * #deleteRoom}: appending under another epoch while the store still holds the room is refused, so a
 * restarted server that reads {@link #position} continues the same epoch and offsets. One server
 * process owns a store's data at a time.
 *
 * <p><b>Durability.</b> {@link #append} returns at once; its future completes only once the event
 * is durable (committed), so a server that acknowledges an event to its sender after the future
 * completes loses no acknowledged event in a crash. What "durable" survives depends on the database
 * (see the implementation).
 *
 * <p><b>Threads.</b> Implementations are thread-safe. {@link #append} and {@link #deleteRoom} never
 * block and may be called under a room lock; their futures may be completed on the store's own
 * thread, so dependent actions that do more than hand work off should use the {@code *Async}
 * methods with an executor. The read methods block on I/O: call them from a hook-executor thread,
 * never from a transport thread or under a lock. Reads see every event whose append future has
 * completed normally; events still queued may or may not be visible.
 *
 * <p><b>Errors.</b> Caller bugs (null or out-of-range arguments) throw at once. Database failures
 * complete futures exceptionally, and make read methods throw, with a {@link DialogueException}
 * whose code is {@link ErrorCode#INTERNAL_ERROR} and whose cause is the database's error.
 */
public interface HistoryStore extends AutoCloseable {

  /**
   * Where a room's stored history stands.
   *
   * @param epoch the epoch the room's events are stored under
   * @param offset the highest stored offset; 0 when the store has the epoch but no event
   */
  record Position(String epoch, long offset) {
    public Position {
      requireNonNull(epoch, "epoch == null");
      if (offset < 0) {
        throw new IllegalArgumentException("offset < 0: " + offset);
      }
    }
  }

  /**
   * Queues {@code event} to be stored durably as the next event of its room in {@code epoch}.
   *
   * <p>The event must carry an {@link EventMessage#offset() offset}; events of one room must be
   * appended in increasing offset order (the caller assigns offsets under the room's lock and
   * appends under it too). The store does not fill or check gaps: a failed append leaves one, and
   * readers that need contiguity check the offsets they get.
   *
   * @return completes normally once the event is durable; exceptionally, with a {@link
   *     DialogueException}, when the database failed, the room is stored under another epoch, the
   *     queue is full, or the store is closed. It is never left incomplete by {@link #close()}.
   * @throws NullPointerException if {@code epoch} or {@code event} is null
   * @throws IllegalArgumentException if the event has no offset, or an offset below 1, or a field
   *     the store cannot hold (the implementation says which limits it has)
   */
  CompletableFuture<Void> append(String epoch, EventMessage event);

  /**
   * The room's events with an offset above {@code afterOffset}, oldest first, at most {@code limit}
   * of them: what a reconnecting client missed. Blocks on I/O.
   *
   * @throws IllegalArgumentException if {@code afterOffset < 0} or {@code limit < 0}
   * @throws DialogueException if the database failed
   */
  List<EventMessage> eventsAfter(String roomId, long afterOffset, int limit);

  /**
   * A page of one event name's stored history, newest first: index 0 is the newest stored event
   * with that name, {@code end} is exclusive (the indices of {@link HistoryLoader}, counted over
   * everything stored, whether or not memory still holds it). Blocks on I/O.
   *
   * @throws IllegalArgumentException unless {@code 0 <= start <= end}
   * @throws DialogueException if the database failed
   */
  List<EventMessage> history(String roomId, String eventName, int start, int end);

  /**
   * The room's stored epoch and highest offset, or empty if the store holds nothing for the room
   * (never appended, or deleted). A restarting server continues from here. Blocks on I/O.
   *
   * @throws DialogueException if the database failed
   */
  Optional<Position> position(String roomId);

  /**
   * The first stored event (lowest offset) of the room sent by {@code from} with {@code
   * clientMessageId}, or empty: for idempotent publish across restarts. Blocks on I/O.
   *
   * @throws DialogueException if the database failed
   */
  Optional<EventMessage> findByClientMessageId(String roomId, String from, String clientMessageId);

  /**
   * Queues the removal of the room's events and epoch, ordered after every append queued before it:
   * a room created later with the same id starts a new epoch.
   *
   * @return completes normally once the removal is committed, exceptionally as {@link #append}'s
   */
  CompletableFuture<Void> deleteRoom(String roomId);

  /**
   * Stores everything queued, completes its futures, and releases the store's resources. Appends
   * after (or racing with) close fail. Idempotent. Blocks until the queue is flushed or the
   * implementation's close timeout passes; what is still queued then fails.
   */
  @Override
  void close();
}
