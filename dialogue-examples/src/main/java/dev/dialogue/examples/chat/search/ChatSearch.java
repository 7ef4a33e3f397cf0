package dev.dialogue.examples.chat.search;

import java.util.Collection;
import java.util.List;
import javax.sql.DataSource;

/**
 * Full-text search over the chat's messages, behind one interface with an H2 and a PostgreSQL
 * implementation ({@link #forDataSource} picks by the database's product name). The index keeps its
 * own table; the server indexes each message when it is stored, re-indexes it on an edit and
 * removes it on a delete. Authorisation is the caller's: {@link #search} only looks in the rooms it
 * is given, which the server computes from the user's memberships.
 */
public interface ChatSearch {

  /** Adds the message to the index, or replaces its text if it is there (an edit). */
  void index(SearchDoc doc);

  /** Removes the message from the index; nothing happens if it is not there. */
  void remove(String messageId);

  /**
   * The messages of the given rooms that match the query (words, all of which must match; case and
   * accents ignored where the database can), best first and then newest first, at most {@code
   * limit}. An empty room list or a query without words gives an empty list.
   */
  List<SearchHit> search(Collection<String> roomIds, String query, int limit);

  /** Creates the index's table if it is missing and returns the implementation for the database. */
  static ChatSearch forDataSource(DataSource dataSource) {
    String product;
    try (java.sql.Connection c = dataSource.getConnection()) {
      product = c.getMetaData().getDatabaseProductName();
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException("cannot reach the database: " + e.getMessage(), e);
    }
    return switch (product) {
      case "H2" -> new H2Search(dataSource);
      case "PostgreSQL" -> new PostgresSearch(dataSource);
      default ->
          throw new IllegalArgumentException(
              "no search index for " + product + " (H2 and PostgreSQL are supported)");
    };
  }

  /**
   * A message as the index sees it. {@code threadId} is null for a message of the channel itself.
   */
  record SearchDoc(
      String messageId,
      String roomId,
      String threadId,
      String userId,
      String text,
      long offset,
      long createdAt) {}

  /** A found message, with a short excerpt around the first match. */
  record SearchHit(
      String messageId,
      String roomId,
      String threadId,
      String userId,
      String text,
      String snippet,
      long offset,
      long createdAt) {}
}
