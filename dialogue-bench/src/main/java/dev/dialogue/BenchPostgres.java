package dev.dialogue;

import java.sql.SQLException;

/**
 * The benchmark's PostgreSQL server: the same real server the tests use ({@code TestPostgres}:
 * binaries from zonky's jar, on 127.0.0.1, run as {@code nobody} when the harness is root), started
 * once per harness process and stopped when it exits. Lives in {@code dev.dialogue} to reach that
 * package-private test class.
 */
public final class BenchPostgres {
  private BenchPostgres() {}

  /** Starts the server if needed and returns a JDBC URL to a new, empty schema {@code name}. */
  public static String freshDatabase(String name) throws SQLException {
    TestPostgres postgres = TestPostgres.shared();
    postgres.createSchema(name);
    return postgres.url(name);
  }
}
