package dev.dialogue.jdbc;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * A DataSource whose connections can be held back: with the gate shut, the store's writer waits for
 * its connection while appends pile up in the queue, which makes batching and a full queue
 * deterministic.
 */
public final class GatedDataSource implements DataSource {
  private final DataSource delegate;
  private volatile CountDownLatch gate = new CountDownLatch(0);

  public GatedDataSource(DataSource delegate) {
    this.delegate = delegate;
  }

  public void shut() {
    gate = new CountDownLatch(1);
  }

  public void open() {
    gate.countDown();
  }

  @Override
  public Connection getConnection() throws SQLException {
    try {
      if (!gate.await(30, TimeUnit.SECONDS)) {
        throw new SQLException("test gate stayed shut for 30 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SQLException("interrupted at the test gate", e);
    }
    return delegate.getConnection();
  }

  @Override
  public Connection getConnection(String username, String password) throws SQLException {
    throw new SQLFeatureNotSupportedException("not used by the store");
  }

  @Override
  public PrintWriter getLogWriter() throws SQLException {
    return delegate.getLogWriter();
  }

  @Override
  public void setLogWriter(PrintWriter out) throws SQLException {
    delegate.setLogWriter(out);
  }

  @Override
  public void setLoginTimeout(int seconds) throws SQLException {
    delegate.setLoginTimeout(seconds);
  }

  @Override
  public int getLoginTimeout() throws SQLException {
    return delegate.getLoginTimeout();
  }

  @Override
  public Logger getParentLogger() throws SQLFeatureNotSupportedException {
    return delegate.getParentLogger();
  }

  @Override
  public <T> T unwrap(Class<T> type) throws SQLException {
    return delegate.unwrap(type);
  }

  @Override
  public boolean isWrapperFor(Class<?> type) throws SQLException {
    return delegate.isWrapperFor(type);
  }
}
