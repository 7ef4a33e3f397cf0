package dev.dialogue.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dialogue.DialogueException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The store contract on H2, in a file database per test, plus the builder's checks. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class JdbcHistoryStoreTest extends JdbcHistoryStoreContract {
  @TempDir Path directory;
  private String url;

  @BeforeEach
  void database() {
    url = "jdbc:h2:file:" + directory.resolve("dialogue").toAbsolutePath();
  }

  @Override
  String jdbcUrl() {
    return url;
  }

  @Override
  DataSource dataSource() {
    JdbcDataSource source = new JdbcDataSource();
    source.setURL(url);
    return source;
  }

  @Test
  void build_onH2_turnsOffTheWriteDelay() throws Exception {
    open();

    try (var c = dataSource().getConnection();
        var s = c.createStatement();
        var rs =
            s.executeQuery(
                "SELECT SETTING_VALUE FROM INFORMATION_SCHEMA.SETTINGS WHERE SETTING_NAME = 'WRITE_DELAY'")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).isEqualTo("0");
    }
  }

  @Test
  void commitListener_isToldOfEachTransaction_beforeItsAppendsComplete() throws Exception {
    java.util.List<Integer> sizes = new java.util.concurrent.CopyOnWriteArrayList<>();
    java.util.concurrent.atomic.AtomicLong nanos = new java.util.concurrent.atomic.AtomicLong();
    try (JdbcHistoryStore store =
        JdbcHistoryStore.builder(url)
            .commitListener(
                (events, took) -> {
                  sizes.add(events);
                  nanos.addAndGet(took);
                })
            .build()) {
      store.append("epoch-1", event("room", 1)).get(10, TimeUnit.SECONDS);
      assertThat(sizes).containsExactly(1);
      store.append("epoch-1", event("room", 2)).get(10, TimeUnit.SECONDS);
      assertThat(sizes).containsExactly(1, 1);
      assertThat(nanos.get()).isPositive();
    }
    assertThatThrownBy(() -> JdbcHistoryStore.builder(url).commitListener(null))
        .hasMessage("listener == null");
  }

  @Test
  void builder_rejectsBadValuesAtOnce_namingThem() {
    assertThatThrownBy(() -> JdbcHistoryStore.builder("h2:file:x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("jdbcUrl must start with 'jdbc:': h2:file:x");
    JdbcHistoryStore.Builder builder = JdbcHistoryStore.builder(url);
    assertThatThrownBy(() -> builder.queueCapacity(0))
        .hasMessage("queueCapacity must be >= 1 but was 0");
    assertThatThrownBy(() -> builder.maxBatchSize(-1))
        .hasMessage("maxBatchSize must be >= 1 but was -1");
    assertThatThrownBy(() -> builder.poolSize(1))
        .hasMessage("poolSize must be >= 2 (one writer, one reader) but was 1");
    assertThatThrownBy(() -> builder.closeTimeout(Duration.ZERO))
        .hasMessage("closeTimeout must be positive but was PT0S");
    assertThatThrownBy(() -> JdbcHistoryStore.builder(dataSource()).user("sa").build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("belong to the DataSource");
  }

  @Test
  void build_withAnUnreachableDatabase_failsWithoutThePassword() {
    String bad =
        "jdbc:h2:file:" + directory.resolve("nope") + ";IFEXISTS=TRUE;PASSWORD_HASH=secret";

    assertThatThrownBy(() -> JdbcHistoryStore.builder(bad).build())
        .isInstanceOf(DialogueException.class)
        .hasMessageContaining("could not connect to jdbc:h2:file:")
        .hasMessageNotContaining("secret");
  }
}
