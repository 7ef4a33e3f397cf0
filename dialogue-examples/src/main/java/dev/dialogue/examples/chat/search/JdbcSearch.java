package dev.dialogue.examples.chat.search;

import dev.dialogue.examples.Sql;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import javax.sql.DataSource;

/** What both indexes share: statements, transactions, the argument checks, the hits. */
abstract class JdbcSearch implements ChatSearch {
  static final int MAX_LIMIT = 100;
  private final DataSource dataSource;
  private final Sql sql;

  JdbcSearch(DataSource dataSource) {
    this.dataSource = dataSource;
    this.sql = new Sql(dataSource);
  }

  @Override
  public final List<SearchHit> search(Collection<String> roomIds, String query, int limit) {
    List<String> rooms = new ArrayList<>(new LinkedHashSet<>(roomIds));
    List<String> words = SearchText.queryWords(query);
    if (rooms.isEmpty() || words.isEmpty()) {
      return List.of();
    }
    return find(rooms, words, Math.max(1, Math.min(MAX_LIMIT, limit)));
  }

  /** The hits for non-empty {@code rooms} and {@code words}, at most {@code limit}. */
  abstract List<SearchHit> find(List<String> rooms, List<String> words, int limit);

  /** A unit of work on one connection. */
  interface Work {
    void run(Tx tx) throws SQLException;
  }

  /** Statements inside {@link #transaction}. */
  static final class Tx {
    private final Connection connection;

    Tx(Connection connection) {
      this.connection = connection;
    }

    void update(String sql, Object... args) throws SQLException {
      try (PreparedStatement ps = prepare(connection, sql, args)) {
        ps.executeUpdate();
      }
    }
  }

  final void update(String sql, Object... args) {
    transaction(tx -> tx.update(sql, args));
  }

  final void transaction(Work work) {
    try (Connection c = dataSource.getConnection()) {
      boolean auto = c.getAutoCommit();
      c.setAutoCommit(false);
      try {
        work.run(new Tx(c));
        c.commit();
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      } finally {
        c.setAutoCommit(auto);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("search index: " + e.getMessage(), e);
    }
  }

  final List<SearchHit> hits(String query, List<String> words, List<Object> args) {
    return sql.query(
        query,
        rs -> {
          String text = rs.getString(5);
          return new SearchHit(
              rs.getString(1),
              rs.getString(2),
              rs.getString(3),
              rs.getString(4),
              text,
              SearchText.snippet(text, words),
              rs.getLong(6),
              rs.getLong(7));
        },
        args.toArray());
  }

  private static PreparedStatement prepare(Connection c, String sql, Object... args)
      throws SQLException {
    PreparedStatement ps = c.prepareStatement(sql);
    for (int i = 0; i < args.length; i++) {
      ps.setObject(i + 1, args[i]);
    }
    return ps;
  }
}
