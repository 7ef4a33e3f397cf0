package dev.dialogue.jdbc;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.dialogue.DialogueException;
import dev.dialogue.ErrorCode;
import dev.dialogue.EventMessage;
import dev.dialogue.HistoryStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link HistoryStore} in a relational database through JDBC, tested on H2 (an embedded file
 * database such as {@code jdbc:h2:file:./data/dialogue}) and PostgreSQL.
 *
 * <pre>{@code
 * HistoryStore store = JdbcHistoryStore.builder("jdbc:h2:file:./data/dialogue").build();
 * HistoryStore pg = JdbcHistoryStore.builder("jdbc:postgresql://127.0.0.1:5432/app")
 *     .user("app").password(secret).build();
 * }</pre>
 *
 * <p>{@link Builder#build()} creates the tables and indexes that are missing ({@code
 * dialogue_rooms_v2}, {@code dialogue_events_v2}), moves the rows of an older layout into them, and
 * starts one writer thread. Each event is stored as its JSON envelope plus the columns the reads
 * search by.
 *
 * <p><b>Group commit.</b> Appends go to a bounded queue. The writer takes everything queued (up to
 * {@link Builder#maxBatchSize}) and writes it in one transaction, then completes those futures:
 * under load many events share a commit, and an idle store commits each event at once. A full queue
 * fails the append at once rather than blocking the caller.
 *
 * <p><b>What a commit survives.</b> PostgreSQL (with its default {@code synchronous_commit=on})
 * flushes the commit to disk: it survives a crash of the server process and of the machine. On H2
 * the store sets {@code WRITE_DELAY 0}, so each commit is written to the database file before it
 * returns: it survives the process being killed, but H2 does not force it to disk, so a power loss
 * may lose the last commits.
 *
 * <p>The JDBC driver is the application's dependency. The pool is HikariCP when the store is built
 * from a URL; a {@link DataSource} passed in is used as it is (pool it) and not closed by the
 * store. Limits: room ids, event names, senders and client message ids up to 512 characters;
 * offsets up to 2^40 - 1; 8,388,606 rooms stored at once.
 */
public final class JdbcHistoryStore implements HistoryStore {
  private static final Logger LOG = LoggerFactory.getLogger(JdbcHistoryStore.class);

  private final DataSource source;
  private final HikariDataSource ownedPool;
  private final BlockingQueue<HistoryWriter.Op> queue;
  private final HistoryWriter writer;
  private final Thread writerThread;
  private final Duration closeTimeout;
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile boolean closing;

  private JdbcHistoryStore(Builder builder, DataSource source, HikariDataSource ownedPool) {
    this.source = source;
    this.ownedPool = ownedPool;
    this.queue = new ArrayBlockingQueue<>(builder.queueCapacity);
    this.writer = new HistoryWriter(source, queue, builder.maxBatchSize, builder.commitListener);
    this.closeTimeout = builder.closeTimeout;
    this.writerThread = new Thread(writer, "dialogue-history-writer");
    // Daemon: acknowledged events are already durable; an application that exits without
    // close() loses only what it never acknowledged.
    writerThread.setDaemon(true);
  }

  public static Builder builder(String jdbcUrl) {
    requireNonNull(jdbcUrl, "jdbcUrl == null");
    if (!jdbcUrl.startsWith("jdbc:")) {
      throw new IllegalArgumentException("jdbcUrl must start with 'jdbc:': " + jdbcUrl);
    }
    return new Builder(jdbcUrl, null);
  }

  public static Builder builder(DataSource dataSource) {
    return new Builder(null, requireNonNull(dataSource, "dataSource == null"));
  }

  @Override
  public CompletableFuture<Void> append(String epoch, EventMessage event) {
    requireNonNull(epoch, "epoch == null");
    requireNonNull(event, "event == null");
    if (event.offset() == null || event.offset() < 1 || event.offset() > HistorySchema.MAX_OFFSET) {
      throw new IllegalArgumentException(
          "event needs an offset from 1 to "
              + HistorySchema.MAX_OFFSET
              + " but had "
              + event.offset());
    }
    checkKey("roomId", event.roomId());
    checkKey("event", event.event());
    checkKey("from", event.from());
    checkKey("epoch", epoch);
    if (event.clientMessageId() != null) {
      checkKey("clientMessageId", event.clientMessageId());
    }
    if (event.id() != null) {
      checkKey("id", event.id());
    }
    return enqueue(
        new HistoryWriter.Append(epoch, event, Envelopes.write(event), new CompletableFuture<>()));
  }

  @Override
  public CompletableFuture<Void> deleteRoom(String roomId) {
    requireNonNull(roomId, "roomId == null");
    return enqueue(new HistoryWriter.Delete(roomId, new CompletableFuture<>()));
  }

  private CompletableFuture<Void> enqueue(HistoryWriter.Op op) {
    if (closing) {
      op.done().completeExceptionally(closedError());
    } else if (!queue.offer(op)) {
      op.done()
          .completeExceptionally(
              new DialogueException(
                  ErrorCode.INTERNAL_ERROR,
                  "History store queue is full ("
                      + (queue.size() + queue.remainingCapacity())
                      + " waiting): the database does not keep up"));
    } else if (closing && queue.remove(op)) {
      // close() began while this was being queued, and no one has taken it: it is ours to fail.
      op.done().completeExceptionally(closedError());
    }
    return op.done();
  }

  @Override
  public List<EventMessage> eventsAfter(String roomId, long afterOffset, int limit) {
    requireNonNull(roomId, "roomId == null");
    if (afterOffset < 0 || limit < 0) {
      throw new IllegalArgumentException(
          "need afterOffset >= 0 and limit >= 0 but were " + afterOffset + ", " + limit);
    }
    if (limit == 0) {
      return List.of();
    }
    return query(
        "read room '" + roomId + "'",
        HistorySchema.EVENTS_AFTER,
        roomId,
        afterOffset,
        roomId,
        limit);
  }

  @Override
  public List<EventMessage> history(String roomId, String eventName, int start, int end) {
    requireNonNull(roomId, "roomId == null");
    requireNonNull(eventName, "eventName == null");
    if (start < 0 || end < start) {
      throw new IllegalArgumentException("need 0 <= start <= end but were " + start + ", " + end);
    }
    if (start == end) {
      return List.of();
    }
    return query(
        "read history of room '" + roomId + "'",
        HistorySchema.HISTORY_PAGE,
        HistorySchema.hash(eventName),
        roomId,
        roomId,
        eventName,
        start,
        end - start);
  }

  @Override
  public Optional<EventMessage> findByClientMessageId(
      String roomId, String from, String clientMessageId) {
    requireNonNull(roomId, "roomId == null");
    requireNonNull(from, "from == null");
    requireNonNull(clientMessageId, "clientMessageId == null");
    return query(
            "look up a client message id in room '" + roomId + "'",
            HistorySchema.BY_CLIENT_MESSAGE_ID,
            HistorySchema.hash(from, clientMessageId),
            roomId,
            roomId,
            from,
            clientMessageId)
        .stream()
        .findFirst();
  }

  @Override
  public Optional<Position> position(String roomId) {
    requireNonNull(roomId, "roomId == null");
    try (Connection c = source.getConnection();
        PreparedStatement select = c.prepareStatement(HistorySchema.POSITION)) {
      select.setString(1, roomId);
      try (ResultSet rs = select.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
        long lastKey = rs.getLong(3); // 0 (NULL) when the room has no events
        long offset = lastKey == 0 ? 0 : lastKey - HistorySchema.eventKey(rs.getLong(2), 0);
        return Optional.of(new Position(rs.getString(1), offset));
      }
    } catch (SQLException e) {
      throw readFailure("read the position of room '" + roomId + "'", e);
    }
  }

  /** Runs a query whose single column is an envelope; parameters are strings, longs or ints. */
  private List<EventMessage> query(String what, String sql, Object... parameters) {
    try (Connection c = source.getConnection();
        PreparedStatement select = c.prepareStatement(sql)) {
      for (int i = 0; i < parameters.length; i++) {
        select.setObject(i + 1, parameters[i]);
      }
      List<EventMessage> events = new ArrayList<>();
      try (ResultSet rs = select.executeQuery()) {
        while (rs.next()) {
          events.add(Envelopes.read(rs.getString(1)));
        }
      }
      return events;
    } catch (SQLException | JsonProcessingException e) {
      throw readFailure(what, e);
    }
  }

  private static DialogueException readFailure(String what, Exception e) {
    return new DialogueException(ErrorCode.INTERNAL_ERROR, "History store could not " + what, e);
  }

  private static DialogueException closedError() {
    return new DialogueException(ErrorCode.INTERNAL_ERROR, "History store is closed");
  }

  private static void checkKey(String name, String value) {
    if (value.length() > HistorySchema.MAX_KEY_LENGTH) {
      throw new IllegalArgumentException(
          name
              + " is longer than "
              + HistorySchema.MAX_KEY_LENGTH
              + " characters: "
              + value.length());
    }
  }

  /** Transactions the writer has committed: tests observe group commit through it. */
  long commits() {
    return writer.commits();
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    closing = true;
    writer.finish();
    try {
      writerThread.join(closeTimeout.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (writerThread.isAlive()) {
      LOG.error(
          "History writer did not finish within {}; failing what is still queued", closeTimeout);
      writerThread.interrupt();
    }
    List<HistoryWriter.Op> left = new ArrayList<>();
    queue.drainTo(left);
    HistoryWriter.fail(left, closedError());
    if (ownedPool != null) {
      ownedPool.close();
    }
  }

  private JdbcHistoryStore start() {
    try (Connection c = source.getConnection()) {
      HistorySchema.create(c);
    } catch (SQLException e) {
      if (ownedPool != null) {
        ownedPool.close();
      }
      throw new DialogueException(
          ErrorCode.INTERNAL_ERROR, "History store could not create its schema", e);
    }
    writerThread.start();
    return this;
  }

  /** Configures a {@link JdbcHistoryStore}. Each setter checks its value at once. */
  public static final class Builder {
    private final String jdbcUrl;
    private final DataSource dataSource;
    private String user;
    private String password;
    private Integer poolSize;
    private int queueCapacity = 65_536;
    private int maxBatchSize = 1_000;
    private Duration closeTimeout = Duration.ofSeconds(30);
    private CommitListener commitListener;

    private Builder(String jdbcUrl, DataSource dataSource) {
      this.jdbcUrl = jdbcUrl;
      this.dataSource = dataSource;
    }

    /** The database user (URL builders only). */
    public Builder user(String user) {
      this.user = requireNonNull(user, "user == null");
      return this;
    }

    /** The database password (URL builders only). */
    public Builder password(String password) {
      this.password = requireNonNull(password, "password == null");
      return this;
    }

    /**
     * Connections in the pool, the writer's included (URL builders only). Default 4, at least 2.
     */
    public Builder poolSize(int poolSize) {
      if (poolSize < 2) {
        throw new IllegalArgumentException(
            "poolSize must be >= 2 (one writer, one reader) but was " + poolSize);
      }
      this.poolSize = poolSize;
      return this;
    }

    /** Appends that may wait for the writer; more fail at once. Default 65,536. */
    public Builder queueCapacity(int queueCapacity) {
      if (queueCapacity < 1) {
        throw new IllegalArgumentException("queueCapacity must be >= 1 but was " + queueCapacity);
      }
      this.queueCapacity = queueCapacity;
      return this;
    }

    /** The most events one transaction writes. Default 1,000. */
    public Builder maxBatchSize(int maxBatchSize) {
      if (maxBatchSize < 1) {
        throw new IllegalArgumentException("maxBatchSize must be >= 1 but was " + maxBatchSize);
      }
      this.maxBatchSize = maxBatchSize;
      return this;
    }

    /**
     * Tells {@code listener} of each committed transaction: its appends and how long it took (for
     * metrics: {@code .commitListener(metrics::onHistoryCommit)} with {@code dialogue-micrometer}).
     * Default none.
     */
    public Builder commitListener(CommitListener listener) {
      this.commitListener = requireNonNull(listener, "listener == null");
      return this;
    }

    /** How long {@link #close()} waits for the queue to be written. Default 30 s. */
    public Builder closeTimeout(Duration closeTimeout) {
      requireNonNull(closeTimeout, "closeTimeout == null");
      if (closeTimeout.isNegative() || closeTimeout.isZero()) {
        throw new IllegalArgumentException("closeTimeout must be positive but was " + closeTimeout);
      }
      this.closeTimeout = closeTimeout;
      return this;
    }

    /**
     * Connects, creates the schema where missing, and starts the writer.
     *
     * @throws IllegalStateException if pool settings were given for a {@link DataSource}
     * @throws DialogueException if the database cannot be reached or the schema not created
     */
    public JdbcHistoryStore build() {
      if (dataSource != null) {
        if (user != null || password != null || poolSize != null) {
          throw new IllegalStateException(
              "user, password and poolSize belong to the DataSource, not the builder");
        }
        return new JdbcHistoryStore(this, dataSource, null).start();
      }
      HikariDataSource pool;
      try {
        pool = new HikariDataSource(poolConfig());
      } catch (RuntimeException e) {
        throw new DialogueException(
            ErrorCode.INTERNAL_ERROR,
            "History store could not connect to " + withoutParameters(jdbcUrl),
            e);
      }
      return new JdbcHistoryStore(this, pool, pool).start();
    }

    /** URL parameters may hold a password; messages leave them out. */
    private static String withoutParameters(String url) {
      int cut = url.length();
      for (char c : new char[] {';', '?'}) {
        int i = url.indexOf(c);
        if (i >= 0) {
          cut = Math.min(cut, i);
        }
      }
      return url.substring(0, cut);
    }

    private HikariConfig poolConfig() {
      HikariConfig config = new HikariConfig();
      config.setJdbcUrl(jdbcUrl);
      if (user != null) {
        config.setUsername(user);
      }
      if (password != null) {
        config.setPassword(password);
      }
      config.setPoolName("dialogue-history");
      config.setMaximumPoolSize(poolSize == null ? 4 : poolSize);
      config.setMinimumIdle(1);
      // Fail a read or a batch within seconds when the database is gone, instead of Hikari's 30 s.
      config.setConnectionTimeout(5_000);
      // Fail build() at once on a wrong URL or password instead of at the first append.
      config.setInitializationFailTimeout(1);
      return config;
    }
  }
}
