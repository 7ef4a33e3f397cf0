package dev.dialogue.spring;

import dev.dialogue.HistoryStore;
import dev.dialogue.jdbc.JdbcHistoryStore;
import org.springframework.util.ClassUtils;

/**
 * Builds dialogue-jdbc's store from {@code dialogue.history.*}. Its own class so that the
 * auto-configuration loads dialogue-jdbc's types only when a history database is configured: the
 * artifact is optional.
 */
final class JdbcHistoryStores {
  private static final String STORE_CLASS = "dev.dialogue.jdbc.JdbcHistoryStore";

  private JdbcHistoryStores() {}

  static HistoryStore create(DialogueProperties.History history, ClassLoader loader) {
    if (!ClassUtils.isPresent(STORE_CLASS, loader)) {
      throw new IllegalStateException(
          "dialogue.history.jdbc-url is set, but "
              + STORE_CLASS
              + " is not on the classpath: add the artifact dev.dialogue:dialogue-jdbc");
    }
    JdbcHistoryStore.Builder builder = JdbcHistoryStore.builder(history.getJdbcUrl());
    if (history.getUsername() != null) {
      builder.user(history.getUsername());
    }
    if (history.getPassword() != null) {
      builder.password(history.getPassword());
    }
    if (history.getPoolSize() != null) {
      builder.poolSize(history.getPoolSize());
    }
    return builder.build();
  }
}
