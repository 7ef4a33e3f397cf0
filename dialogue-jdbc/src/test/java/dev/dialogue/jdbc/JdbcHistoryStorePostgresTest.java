package dev.dialogue.jdbc;

import dev.dialogue.testing.TestPostgres;
import java.sql.SQLException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.postgresql.ds.PGSimpleDataSource;

/** The store contract on a real PostgreSQL server (see {@link TestPostgres}), a schema per test. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class JdbcHistoryStorePostgresTest extends JdbcHistoryStoreContract {
  private static final AtomicInteger SCHEMAS = new AtomicInteger();
  private String url;

  @BeforeEach
  void database() throws SQLException {
    TestPostgres postgres = TestPostgres.shared();
    String schema = "test_" + SCHEMAS.incrementAndGet();
    postgres.createSchema(schema);
    url = postgres.url(schema);
  }

  @Override
  String jdbcUrl() {
    return url;
  }

  @Override
  DataSource dataSource() {
    PGSimpleDataSource source = new PGSimpleDataSource();
    source.setURL(url);
    return source;
  }
}
