package dev.dialogue;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tables and statements of {@link JdbcHistoryStore}: SQL that H2 and PostgreSQL both accept,
 * apart from the type of the envelope column. Column names avoid words reserved in either ({@code
 * offset}, {@code from}, {@code timestamp}).
 */
final class HistorySchema {
  private static final Logger LOG = LoggerFactory.getLogger(HistorySchema.class);

  /** Room ids, event names, senders and client message ids longer than this are refused. */
  static final int MAX_KEY_LENGTH = 512;

  static final String INSERT_EVENT =
      "INSERT INTO dialogue_events (room_id, event_offset, event_name, sender, client_message_id,"
          + " message_id, created_at, envelope) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
  static final String SELECT_EPOCH = "SELECT epoch FROM dialogue_rooms WHERE room_id = ?";
  static final String INSERT_ROOM = "INSERT INTO dialogue_rooms (room_id, epoch) VALUES (?, ?)";
  static final String DELETE_EVENTS = "DELETE FROM dialogue_events WHERE room_id = ?";
  static final String DELETE_ROOM = "DELETE FROM dialogue_rooms WHERE room_id = ?";

  static final String EVENTS_AFTER =
      "SELECT envelope FROM dialogue_events WHERE room_id = ? AND event_offset > ?"
          + " ORDER BY event_offset OFFSET 0 ROWS FETCH NEXT ? ROWS ONLY";
  static final String HISTORY_PAGE =
      "SELECT envelope FROM dialogue_events WHERE room_id = ? AND event_name = ?"
          + " ORDER BY event_offset DESC OFFSET ? ROWS FETCH NEXT ? ROWS ONLY";
  static final String POSITION =
      "SELECT r.epoch, (SELECT MAX(e.event_offset) FROM dialogue_events e WHERE e.room_id = r.room_id)"
          + " FROM dialogue_rooms r WHERE r.room_id = ?";
  static final String BY_CLIENT_MESSAGE_ID =
      "SELECT envelope FROM dialogue_events WHERE room_id = ? AND sender = ? AND client_message_id = ?"
          + " ORDER BY event_offset OFFSET 0 ROWS FETCH NEXT 1 ROWS ONLY";

  private HistorySchema() {}

  /**
   * Creates what is missing; running it again on an existing schema changes nothing. On H2 it also
   * makes every commit reach the file before it returns (see {@link #makeCommitsDurable}).
   */
  static void create(Connection connection) throws SQLException {
    String product = connection.getMetaData().getDatabaseProductName();
    String text = textType(product);
    List<String> ddl =
        List.of(
            "CREATE TABLE IF NOT EXISTS dialogue_rooms ("
                + "room_id VARCHAR("
                + MAX_KEY_LENGTH
                + ") NOT NULL PRIMARY KEY,"
                + " epoch VARCHAR("
                + MAX_KEY_LENGTH
                + ") NOT NULL)",
            "CREATE TABLE IF NOT EXISTS dialogue_events ("
                + "room_id VARCHAR("
                + MAX_KEY_LENGTH
                + ") NOT NULL,"
                + " event_offset BIGINT NOT NULL,"
                + " event_name VARCHAR("
                + MAX_KEY_LENGTH
                + ") NOT NULL,"
                + " sender VARCHAR("
                + MAX_KEY_LENGTH
                + ") NOT NULL,"
                + " client_message_id VARCHAR("
                + MAX_KEY_LENGTH
                + "),"
                + " message_id VARCHAR("
                + MAX_KEY_LENGTH
                + "),"
                + " created_at BIGINT NOT NULL,"
                + " envelope "
                + text
                + " NOT NULL,"
                + " PRIMARY KEY (room_id, event_offset))",
            "CREATE INDEX IF NOT EXISTS dialogue_events_by_name"
                + " ON dialogue_events (room_id, event_name, event_offset)",
            "CREATE INDEX IF NOT EXISTS dialogue_events_by_client_id"
                + " ON dialogue_events (room_id, sender, client_message_id)");
    boolean autoCommit = connection.getAutoCommit();
    connection.setAutoCommit(true);
    try (Statement statement = connection.createStatement()) {
      for (String sql : ddl) {
        statement.execute(sql);
      }
    } finally {
      connection.setAutoCommit(autoCommit);
    }
    if (isH2(product)) {
      makeCommitsDurable(connection);
    }
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
