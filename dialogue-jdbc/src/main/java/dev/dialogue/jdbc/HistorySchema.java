package dev.dialogue.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tables and statements of {@link JdbcHistoryStore}: SQL that H2 and PostgreSQL both accept,
 * apart from the type of the envelope column. Column names avoid words reserved in either ({@code
 * offset}, {@code from}, {@code timestamp}).
 *
 * <p>Each stored room gets a number, and an event's primary key is {@code room number * 2^40 +
 * offset}: one BIGINT orders a room's events by offset and keeps rooms apart. H2 uses a single
 * BIGINT primary key as the row key itself, so an event costs one B-tree insert for the row and one
 * per secondary index, all with number compares; room ids are not repeated in the events table.
 * Event names and client message ids are indexed through 64-bit hashes (the queries then compare
 * the strings themselves, so a collision costs a row read, never a wrong answer).
 *
 * <p>Version 1 of the layout ({@code dialogue_rooms}, {@code dialogue_events} keyed by {@code
 * (room_id, event_offset)}) is moved into this one when the store starts.
 */
final class HistorySchema {
  private static final Logger LOG = LoggerFactory.getLogger(HistorySchema.class);

  /** Room ids, event names, senders and client message ids longer than this are refused. */
  static final int MAX_KEY_LENGTH = 512;

  /** Offsets take the low 40 bits of an event key. */
  static final int OFFSET_BITS = 40;

  static final long MAX_OFFSET = (1L << OFFSET_BITS) - 1;

  /**
   * Room numbers take the remaining 23 bits (the sign bit stays clear); the highest is one less
   * than they allow so that {@code (room + 1) * 2^40} still fits a BIGINT.
   */
  static final long MAX_ROOM_NUMBER = (1L << (63 - OFFSET_BITS)) - 2;

  private static final long ROOM_SPAN = 1L << OFFSET_BITS;

  private static final String ROOM_NUMBER =
      "(SELECT room_no FROM dialogue_rooms_v2 WHERE room_id = ?)";

  /** Both bounds of a room's keys: two room id parameters. */
  private static final String IN_ROOM = after("");

  /** Keys of a room after an offset: parameters room id, offset, room id. */
  private static String after(String offset) {
    return " event_key > "
        + ROOM_NUMBER
        + " * "
        + ROOM_SPAN
        + offset
        + " AND event_key < ("
        + ROOM_NUMBER
        + " + 1) * "
        + ROOM_SPAN;
  }

  static final String INSERT_EVENT =
      "INSERT INTO dialogue_events_v2 (event_key, event_name, sender, client_message_id,"
          + " name_hash, client_hash, envelope) VALUES (?, ?, ?, ?, ?, ?, ?)";
  static final String SELECT_ROOM =
      "SELECT room_no, epoch FROM dialogue_rooms_v2 WHERE room_id = ?";
  static final String LAST_ROOM_NUMBER = "SELECT MAX(room_no) FROM dialogue_rooms_v2";

  /** The lowest free room number (when the highest one is taken). */
  static final String FREE_ROOM_NUMBER =
      "SELECT CASE WHEN NOT EXISTS (SELECT 1 FROM dialogue_rooms_v2 WHERE room_no = 1) THEN 1"
          + " ELSE (SELECT MIN(r.room_no) + 1 FROM dialogue_rooms_v2 r WHERE NOT EXISTS"
          + " (SELECT 1 FROM dialogue_rooms_v2 n WHERE n.room_no = r.room_no + 1)) END";

  static final String INSERT_ROOM =
      "INSERT INTO dialogue_rooms_v2 (room_no, room_id, epoch) VALUES (?, ?, ?)";
  static final String DELETE_EVENTS = "DELETE FROM dialogue_events_v2 WHERE" + IN_ROOM;
  static final String DELETE_ROOM = "DELETE FROM dialogue_rooms_v2 WHERE room_id = ?";

  /** Parameters: room id, after offset, room id, limit. */
  static final String EVENTS_AFTER =
      "SELECT envelope FROM dialogue_events_v2 WHERE"
          + after(" + ?")
          + " ORDER BY event_key OFFSET 0 ROWS FETCH NEXT ? ROWS ONLY";

  /** Parameters: name hash, room id, room id, event name, skip, limit. */
  static final String HISTORY_PAGE =
      "SELECT envelope FROM dialogue_events_v2 WHERE name_hash = ? AND"
          + IN_ROOM
          + " AND event_name = ? ORDER BY event_key DESC OFFSET ? ROWS FETCH NEXT ? ROWS ONLY";

  /** Columns: epoch, room number, highest key (null if none). */
  static final String POSITION =
      "SELECT r.epoch, r.room_no, (SELECT e.event_key FROM dialogue_events_v2 e"
          + " WHERE e.event_key > r.room_no * "
          + ROOM_SPAN
          + " AND e.event_key < (r.room_no + 1) * "
          + ROOM_SPAN
          + " ORDER BY e.event_key DESC FETCH FIRST 1 ROW ONLY)"
          + " FROM dialogue_rooms_v2 r WHERE r.room_id = ?";

  /** Parameters: client hash, room id, room id, sender, client message id. */
  static final String BY_CLIENT_MESSAGE_ID =
      "SELECT envelope FROM dialogue_events_v2 WHERE client_hash = ? AND"
          + IN_ROOM
          + " AND sender = ? AND client_message_id = ?"
          + " ORDER BY event_key OFFSET 0 ROWS FETCH NEXT 1 ROWS ONLY";

  private HistorySchema() {}

  static long eventKey(long roomNumber, long offset) {
    return (roomNumber << OFFSET_BITS) | offset;
  }

  /** 64-bit FNV-1a over the characters, a zero char between parts: stable across JVMs. */
  static long hash(String... parts) {
    long h = 0xcbf29ce484222325L;
    for (int p = 0; p < parts.length; p++) {
      if (p > 0) {
        h *= 0x100000001b3L; // the separator, char 0
      }
      String s = parts[p];
      for (int i = 0; i < s.length(); i++) {
        h = (h ^ s.charAt(i)) * 0x100000001b3L;
      }
    }
    return h;
  }

  /**
   * Creates what is missing and migrates a version 1 layout; running it again on an existing schema
   * changes nothing. On H2 it also makes every commit reach the file before it returns (see {@link
   * #makeCommitsDurable}).
   */
  static void create(Connection connection) throws SQLException {
    String product = connection.getMetaData().getDatabaseProductName();
    String text = textType(product);
    String key = "VARCHAR(" + MAX_KEY_LENGTH + ")";
    List<String> ddl =
        List.of(
            "CREATE TABLE IF NOT EXISTS dialogue_rooms_v2 (room_no BIGINT NOT NULL PRIMARY KEY,"
                + (" room_id " + key + " NOT NULL UNIQUE, epoch " + key + " NOT NULL)"),
            "CREATE TABLE IF NOT EXISTS dialogue_events_v2 (event_key BIGINT NOT NULL PRIMARY KEY,"
                + (" event_name " + key + " NOT NULL, sender " + key + " NOT NULL,")
                + (" client_message_id " + key + ", name_hash BIGINT NOT NULL,")
                + (" client_hash BIGINT, envelope " + text + " NOT NULL)"),
            "CREATE INDEX IF NOT EXISTS dialogue_events_v2_by_name"
                + " ON dialogue_events_v2 (name_hash, event_key)",
            "CREATE INDEX IF NOT EXISTS dialogue_events_v2_by_client_id"
                + " ON dialogue_events_v2 (client_hash, event_key)");
    boolean autoCommit = connection.getAutoCommit();
    connection.setAutoCommit(true);
    try (Statement statement = connection.createStatement()) {
      for (String sql : ddl) {
        statement.execute(sql);
      }
      if (hasTable(connection, "dialogue_events")) {
        migrateVersion1(connection);
      }
    } finally {
      connection.setAutoCommit(autoCommit);
    }
    if (isH2(product)) {
      makeCommitsDurable(connection);
    }
  }

  /** Asks rather than reading metadata, so names resolve as the queries' do (case, schema path). */
  private static boolean hasTable(Connection connection, String table) {
    try (Statement statement = connection.createStatement()) {
      statement.executeQuery("SELECT 1 FROM " + table + " WHERE 1 = 0").close();
      return true;
    } catch (SQLException e) {
      return false;
    }
  }

  /**
   * Copies a version 1 layout and empties it in one transaction, then drops it: a start interrupted
   * before the drop finds the old tables empty and just drops them. A room stored in both layouts
   * (an older version ran on the database after this one) stops the start rather than lose either.
   */
  private static void migrateVersion1(Connection c) throws SQLException {
    c.setAutoCommit(false);
    Map<String, Long> rooms = new HashMap<>();
    long events;
    try (Statement s = c.createStatement()) {
      try (ResultSet rs = s.executeQuery("SELECT room_id, epoch FROM dialogue_rooms");
          PreparedStatement known = c.prepareStatement(SELECT_ROOM);
          PreparedStatement insert = c.prepareStatement(INSERT_ROOM)) {
        long last = lastRoomNumber(c);
        while (rs.next()) {
          String roomId = rs.getString(1);
          known.setString(1, roomId);
          try (ResultSet both = known.executeQuery()) {
            if (both.next()) {
              throw new SQLException(
                  "Room '"
                      + roomId
                      + "' is stored both in dialogue_rooms (an earlier version's layout) and in"
                      + " dialogue_rooms_v2: keep one of them and drop or empty the other");
            }
          }
          long number = last + rooms.size() + 1;
          if (number > MAX_ROOM_NUMBER) {
            throw new SQLException("More than " + MAX_ROOM_NUMBER + " rooms to store");
          }
          rooms.put(roomId, number);
          insert.setLong(1, number);
          insert.setString(2, roomId);
          insert.setString(3, rs.getString(2));
          insert.addBatch();
        }
        insert.executeBatch();
      }
      events = copyEvents(c, s, rooms);
      s.executeUpdate("DELETE FROM dialogue_events");
      s.executeUpdate("DELETE FROM dialogue_rooms");
      c.commit();
    } catch (SQLException | RuntimeException e) {
      c.rollback();
      throw e;
    } finally {
      c.setAutoCommit(true);
    }
    try (Statement s = c.createStatement()) {
      s.execute("DROP TABLE dialogue_events");
      s.execute("DROP TABLE dialogue_rooms");
    }
    LOG.info(
        "Moved {} stored events of {} rooms to the version 2 history tables", events, rooms.size());
  }

  static long lastRoomNumber(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(LAST_ROOM_NUMBER)) {
      return rs.next() ? rs.getLong(1) : 0; // getLong reads NULL (no rooms) as 0
    }
  }

  private static long copyEvents(Connection c, Statement s, Map<String, Long> rooms)
      throws SQLException {
    long copied = 0;
    try (ResultSet rs =
            s.executeQuery(
                "SELECT room_id, event_offset, event_name, sender, client_message_id, envelope"
                    + " FROM dialogue_events");
        PreparedStatement insert = c.prepareStatement(INSERT_EVENT)) {
      while (rs.next()) {
        Long room = rooms.get(rs.getString(1));
        long offset = rs.getLong(2);
        if (room == null || offset < 1 || offset > MAX_OFFSET) {
          throw new SQLException(
              "Cannot migrate offset " + offset + " of room '" + rs.getString(1) + "'");
        }
        bindEvent(
            insert,
            eventKey(room, offset),
            rs.getString(3),
            rs.getString(4),
            rs.getString(5),
            rs.getString(6));
        insert.addBatch();
        if (++copied % 1_000 == 0) {
          insert.executeBatch();
        }
      }
      insert.executeBatch();
    }
    return copied;
  }

  static void bindEvent(
      PreparedStatement insert,
      long key,
      String name,
      String sender,
      String clientMessageId,
      String envelope)
      throws SQLException {
    insert.setLong(1, key);
    insert.setString(2, name);
    insert.setString(3, sender);
    insert.setString(4, clientMessageId);
    insert.setLong(5, hash(name));
    if (clientMessageId == null) {
      insert.setNull(6, java.sql.Types.BIGINT);
    } else {
      insert.setLong(6, hash(sender, clientMessageId));
    }
    insert.setString(7, envelope);
  }

  static boolean isH2(String product) {
    return product.toLowerCase(Locale.ROOT).contains("h2");
  }

  private static String textType(String product) {
    String p = product.toLowerCase(Locale.ROOT);
    if (p.contains("postgres")) {
      return "TEXT";
    }
    if (isH2(product)) {
      // H2's unbounded VARCHAR is stored inline (no LOB indirection) up to 1,000,000,000 chars.
      return "VARCHAR";
    }
    LOG.warn(
        "JdbcHistoryStore is tested on H2 and PostgreSQL, not on {}; trying CLOB for envelopes",
        product);
    return "CLOB";
  }

  /**
   * H2 by default writes commits to its file up to 500 ms later (WRITE_DELAY), so a process killed
   * right after a commit loses it. With 0 each commit is written before it returns; group commit
   * keeps that affordable. The setting is persistent and needs admin rights.
   */
  private static void makeCommitsDurable(Connection connection) {
    try (Statement statement = connection.createStatement()) {
      statement.execute("SET WRITE_DELAY 0");
    } catch (SQLException e) {
      LOG.warn(
          "Could not SET WRITE_DELAY 0 on H2 (needs admin rights): commits may be written up to"
              + " 500 ms late and lost if the process is killed",
          e);
    }
  }
}
