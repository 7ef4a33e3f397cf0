package dev.dialogue.jdbc;

import dev.dialogue.DialogueException;
import dev.dialogue.ErrorCode;
import dev.dialogue.EventMessage;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread that writes to the database (group commit): it takes everything queued, up to a
 * batch size, writes it in one transaction, and completes the futures after the commit. One writer
 * keeps each room's events in queue order, which is offset order, and lets the number and epoch of
 * each room be cached without races.
 *
 * <p>When a batch fails, it is rolled back and its events are retried one per transaction, so one
 * bad event (a duplicate offset, say) fails alone and the others still land.
 */
final class HistoryWriter implements Runnable {
  private static final Logger LOG = LoggerFactory.getLogger(HistoryWriter.class);
  private static final long IDLE_POLL_MILLIS = 100;

  sealed interface Op permits Append, Delete {
    CompletableFuture<Void> done();
  }

  record Append(String epoch, EventMessage event, String envelope, CompletableFuture<Void> done)
      implements Op {}

  record Delete(String roomId, CompletableFuture<Void> done) implements Op {}

  /** A stored room: its number in event keys and its epoch. */
  private record Room(long number, String epoch) {}

  private final DataSource source;
  private final BlockingQueue<Op> queue;
  private final int maxBatchSize;
  private final AtomicLong commits = new AtomicLong();

  /** Each room's number and epoch, as committed. Only the writer thread touches it. */
  private final Map<String, Room> rooms = new HashMap<>();

  private final CommitListener listener;

  private volatile boolean closing;
  private Connection connection;

  HistoryWriter(
      DataSource source, BlockingQueue<Op> queue, int maxBatchSize, CommitListener listener) {
    this.listener = listener;
    this.source = source;
    this.queue = queue;
    this.maxBatchSize = maxBatchSize;
  }

  long commits() {
    return commits.get();
  }

  /** Asks the thread to finish: it writes what is queued and then returns. */
  void finish() {
    closing = true;
  }

  @Override
  public void run() {
    List<Op> batch = new ArrayList<>(maxBatchSize);
    try {
      while (true) {
        // Polling with a timeout, rather than a stop marker, lets close() work on a full queue.
        Op first = closing ? queue.poll() : queue.poll(IDLE_POLL_MILLIS, TimeUnit.MILLISECONDS);
        if (first == null) {
          if (closing) {
            return;
          }
          continue;
        }
        batch.add(first);
        queue.drainTo(batch, maxBatchSize - 1);
        try {
          process(batch);
        } catch (Throwable t) { // an Error: the thread must live on, or later futures would hang
          LOG.error("History writer failed on a batch of {}; failing it", batch.size(), t);
          fail(
              batch,
              new DialogueException(ErrorCode.INTERNAL_ERROR, "History store writer failed", t));
          rollbackAndDrop();
        }
        batch.clear();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      fail(
          batch,
          new DialogueException(ErrorCode.INTERNAL_ERROR, "History store writer was interrupted"));
    } finally {
      dropConnection();
    }
  }

  /** Runs of appends go in one transaction each; a delete ends a run and runs alone. */
  private void process(List<Op> batch) {
    List<Append> run = new ArrayList<>(batch.size());
    for (Op op : batch) {
      if (op instanceof Append append) {
        run.add(append);
      } else if (op instanceof Delete delete) {
        writeAppends(run);
        run.clear();
        delete(delete);
      }
    }
    writeAppends(run);
  }

  private void writeAppends(List<Append> run) {
    if (run.isEmpty()) {
      return;
    }
    Map<String, Room> newRooms = new HashMap<>();
    long began = System.nanoTime();
    try {
      List<Append> written = insert(run, newRooms);
      commit();
      committed(written.size(), System.nanoTime() - began);
      rooms.putAll(newRooms);
      written.forEach(a -> a.done().complete(null));
    } catch (SQLException | RuntimeException e) {
      rollbackAndDrop();
      if (run.size() == 1 || !isDataError(e)) {
        // The database is unreachable or the schema is broken: retrying each event would only
        // repeat the failure (and its connection timeout) per event.
        run.forEach(a -> fail(a, e));
        return;
      }
      LOG.warn("History batch of {} events failed; retrying them one by one", run.size(), e);
      for (Append append : run) {
        writeAppends(List.of(append));
      }
    }
  }

  private void committed(int events, long nanos) {
    if (listener == null) {
      return;
    }
    try {
      listener.onCommit(events, nanos);
    } catch (RuntimeException e) {
      LOG.error("Commit listener {} failed", listener.getClass().getName(), e);
    }
  }

  /** An integrity violation (SQLSTATE class 23, e.g. a duplicate offset) is one event's fault. */
  static boolean isDataError(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException sql) {
        for (SQLException s = sql; s != null; s = s.getNextException()) {
          if (s.getSQLState() != null && s.getSQLState().startsWith("23")) {
            return true;
          }
        }
      }
    }
    return false;
  }

  /** Inserts the events whose epoch matches; fails the others at once. Returns those inserted. */
  private List<Append> insert(List<Append> run, Map<String, Room> newRooms) throws SQLException {
    Connection c = connection();
    List<Append> accepted = new ArrayList<>(run.size());
    try (PreparedStatement insert = c.prepareStatement(HistorySchema.INSERT_EVENT)) {
      for (Append append : run) {
        Room room = room(c, append, newRooms);
        if (room == null) {
          continue;
        }
        EventMessage e = append.event();
        HistorySchema.bindEvent(
            insert,
            HistorySchema.eventKey(room.number(), e.offset()),
            e.event(),
            e.from(),
            e.clientMessageId(),
            append.envelope());
        insert.addBatch();
        accepted.add(append);
      }
      if (!accepted.isEmpty()) {
        insert.executeBatch();
      }
    }
    return accepted;
  }

  /** The room the event goes to, created if new; null (and the append failed) if it cannot. */
  private Room room(Connection c, Append append, Map<String, Room> newRooms) throws SQLException {
    String roomId = append.event().roomId();
    Room stored = rooms.containsKey(roomId) ? rooms.get(roomId) : newRooms.get(roomId);
    if (stored == null) {
      stored = storedRoom(c, roomId);
      if (stored == null) {
        long number = newRoomNumber(c);
        if (number > HistorySchema.MAX_ROOM_NUMBER) {
          fail(
              append,
              "Room '"
                  + roomId
                  + "' cannot be stored: the store holds the most rooms it can ("
                  + HistorySchema.MAX_ROOM_NUMBER
                  + "); delete rooms' history first");
          return null;
        }
        try (PreparedStatement insert = c.prepareStatement(HistorySchema.INSERT_ROOM)) {
          insert.setLong(1, number);
          insert.setString(2, roomId);
          insert.setString(3, append.epoch());
          insert.executeUpdate();
        }
        Room room = new Room(number, append.epoch());
        newRooms.put(roomId, room);
        return room;
      }
      rooms.put(roomId, stored); // committed already, by an earlier run or process
    }
    if (stored.epoch().equals(append.epoch())) {
      return stored;
    }
    fail(
        append,
        "Room '"
            + roomId
            + "' is stored with epoch '"
            + stored.epoch()
            + "', not '"
            + append.epoch()
            + "': delete the room's history before starting a new epoch");
    return null;
  }

  private static void fail(Append append, String message) {
    append.done().completeExceptionally(new DialogueException(ErrorCode.INTERNAL_ERROR, message));
  }

  private static Room storedRoom(Connection c, String roomId) throws SQLException {
    try (PreparedStatement select = c.prepareStatement(HistorySchema.SELECT_ROOM)) {
      select.setString(1, roomId);
      try (ResultSet rs = select.executeQuery()) {
        return rs.next() ? new Room(rs.getLong(1), rs.getString(2)) : null;
      }
    }
  }

  /**
   * One more than the highest number in use (this transaction's new rooms included), or once that
   * is taken the lowest free one; above {@link HistorySchema#MAX_ROOM_NUMBER} when all are taken.
   */
  private static long newRoomNumber(Connection c) throws SQLException {
    long last = single(c, HistorySchema.LAST_ROOM_NUMBER);
    return last < HistorySchema.MAX_ROOM_NUMBER
        ? last + 1
        : single(c, HistorySchema.FREE_ROOM_NUMBER);
  }

  private static long single(Connection c, String sql) throws SQLException {
    try (PreparedStatement select = c.prepareStatement(sql);
        ResultSet rs = select.executeQuery()) {
      return rs.next() ? rs.getLong(1) : 0; // getLong reads NULL (no rooms) as 0
    }
  }

  private void delete(Delete delete) {
    try {
      Connection c = connection();
      try (PreparedStatement events = c.prepareStatement(HistorySchema.DELETE_EVENTS);
          PreparedStatement room = c.prepareStatement(HistorySchema.DELETE_ROOM)) {
        events.setString(1, delete.roomId());
        events.setString(2, delete.roomId());
        events.executeUpdate();
        room.setString(1, delete.roomId());
        room.executeUpdate();
      }
      commit();
      rooms.remove(delete.roomId());
      delete.done().complete(null);
    } catch (SQLException | RuntimeException e) {
      rollbackAndDrop();
      delete
          .done()
          .completeExceptionally(
              new DialogueException(
                  ErrorCode.INTERNAL_ERROR,
                  "History store could not delete room '" + delete.roomId() + "'",
                  e));
    }
  }

  private void commit() throws SQLException {
    connection.commit();
    commits.incrementAndGet();
  }

  private Connection connection() throws SQLException {
    if (connection == null) {
      Connection c = source.getConnection();
      try {
        c.setAutoCommit(false);
      } catch (SQLException e) {
        c.close();
        throw e;
      }
      connection = c;
    }
    return connection;
  }

  /** After a failure the connection may be broken; the next batch takes a fresh one. */
  private void rollbackAndDrop() {
    if (connection != null) {
      try {
        connection.rollback();
      } catch (SQLException e) {
        LOG.debug("Rollback failed", e);
      }
    }
    dropConnection();
  }

  private void dropConnection() {
    if (connection != null) {
      try {
        connection.close();
      } catch (SQLException e) {
        LOG.debug("Closing the writer's connection failed", e);
      }
      connection = null;
    }
  }

  private static void fail(Append append, Throwable cause) {
    EventMessage e = append.event();
    append
        .done()
        .completeExceptionally(
            cause instanceof DialogueException d
                ? d
                : new DialogueException(
                    ErrorCode.INTERNAL_ERROR,
                    "History store could not store offset "
                        + e.offset()
                        + " of room '"
                        + e.roomId()
                        + "'",
                    cause));
  }

  static void fail(List<Op> ops, DialogueException error) {
    for (Op op : ops) {
      op.done().completeExceptionally(error);
    }
  }
}
