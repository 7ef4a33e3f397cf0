package dev.dialogue.examples;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The examples' JDBC: one statement per call on a connection from the pool, parameters bound in
 * order ({@code null} as SQL NULL), failures as {@link IllegalStateException} naming the statement.
 * The SQL the examples write is the common subset of H2 and PostgreSQL.
 */
public class Sql {
  private final DataSource dataSource;

  public Sql(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  /** The pool it runs on. */
  public DataSource dataSource() {
    return dataSource;
  }

  /** Maps one row; may throw {@link SQLException}. */
  public interface Row<T> {
    T map(ResultSet rs) throws SQLException;
  }

  /** Runs an update (or DDL) and returns the count of changed rows. */
  public int update(String sql, Object... args) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = prepare(c, sql, args)) {
      return ps.executeUpdate();
    } catch (SQLException e) {
      throw failed(sql, e);
    }
  }

  /**
   * Inserts a row unless one with the same key exists; true if it was inserted. For a fact that may
   * arrive twice.
   */
  public boolean insertOnce(String sql, Object... args) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = prepare(c, sql, args)) {
      return ps.executeUpdate() == 1;
    } catch (SQLException e) {
      if (e.getSQLState() != null && e.getSQLState().startsWith("23")) {
        return false; // integrity constraint: the row is there already
      }
      throw failed(sql, e);
    }
  }

  public <T> List<T> query(String sql, Row<T> row, Object... args) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = prepare(c, sql, args);
        ResultSet rs = ps.executeQuery()) {
      List<T> out = new ArrayList<>();
      while (rs.next()) {
        out.add(row.map(rs));
      }
      return out;
    } catch (SQLException e) {
      throw failed(sql, e);
    }
  }

  public <T> Optional<T> one(String sql, Row<T> row, Object... args) {
    List<T> rows = query(sql, row, args);
    return rows.isEmpty() ? Optional.empty() : Optional.of(rows.get(0));
  }

  public long count(String sql, Object... args) {
    return one(sql, rs -> rs.getLong(1), args).orElse(0L);
  }

  private static PreparedStatement prepare(Connection c, String sql, Object... args)
      throws SQLException {
    PreparedStatement ps = c.prepareStatement(sql);
    for (int i = 0; i < args.length; i++) {
      ps.setObject(i + 1, args[i]);
    }
    return ps;
  }

  private static IllegalStateException failed(String sql, SQLException e) {
    return new IllegalStateException("SQL failed: " + sql + ": " + e.getMessage(), e);
  }
}
