package dev.dialogue.examples.chat;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.dialogue.examples.Sql;

/**
 * The chat's own tables (users, workspaces, channels, messages, reactions, read cursors) and a few
 * JDBC helpers. One connection pool serves them, the history store and the search index. The SQL is
 * the common subset of H2 and PostgreSQL. Columns avoid reserved words ({@code offset}, {@code
 * text}): a message's position is {@code pos}, its text {@code body}.
 */
final class ChatDb extends Sql implements AutoCloseable {
  private static final String[] SCHEMA = {
    "create table if not exists chat_user (id varchar(40) primary key,"
        + " username varchar(32) not null unique, display_name varchar(64) not null,"
        + " password_hash varchar(100) not null, banned boolean default false not null,"
        + " muted_until bigint default 0 not null, created_at bigint not null)",
    "create table if not exists chat_workspace (id varchar(40) primary key,"
        + " name varchar(64) not null, created_at bigint not null)",
    "create table if not exists chat_member (workspace_id varchar(40) not null,"
        + " user_id varchar(40) not null, role varchar(16) not null, joined_at bigint not null,"
        + " primary key (workspace_id, user_id))",
    "create table if not exists chat_channel (id varchar(40) primary key,"
        + " workspace_id varchar(40) not null, kind varchar(8) not null, name varchar(80),"
        + " topic varchar(250), is_private boolean default false not null,"
        + " slow_mode_seconds int default 0 not null, created_by varchar(40),"
        + " created_at bigint not null)",
    "create table if not exists chat_channel_member (channel_id varchar(40) not null,"
        + " user_id varchar(40) not null, joined_at bigint not null,"
        + " primary key (channel_id, user_id))",
    "create index if not exists chat_channel_member_user on chat_channel_member (user_id)",
    "create table if not exists chat_message (id varchar(64) primary key,"
        + " room_id varchar(64) not null, pos bigint not null, user_id varchar(40) not null,"
        + " body varchar(4000) not null, thread_id varchar(64), files varchar(16000),"
        + " mentions varchar(2000), mentions_channel boolean default false not null,"
        + " created_at bigint not null, edited_at bigint, deleted boolean default false not null,"
        + " pinned boolean default false not null, pinned_by varchar(40),"
        + " reply_count int default 0 not null, last_reply_at bigint, last_reply_by varchar(40))",
    "create index if not exists chat_message_room on chat_message (room_id, pos)",
    "create index if not exists chat_message_thread on chat_message (thread_id, pos)",
    "create table if not exists chat_reaction (message_id varchar(64) not null,"
        + " emoji varchar(32) not null, user_id varchar(40) not null, created_at bigint not null,"
        + " primary key (message_id, emoji, user_id))",
    "create table if not exists chat_read (user_id varchar(40) not null,"
        + " room_id varchar(64) not null, thread_id varchar(64) not null, pos bigint not null,"
        + " primary key (user_id, room_id, thread_id))",
    "create table if not exists chat_revoked (jti varchar(64) primary key,"
        + " expires_at bigint not null)",
  };

  private final HikariDataSource pool;

  private ChatDb(HikariDataSource pool) {
    super(pool);
    this.pool = pool;
  }

  /** Opens a pool on {@code jdbcUrl} and creates the tables that are missing. */
  static ChatDb open(String jdbcUrl) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(jdbcUrl);
    config.setMaximumPoolSize(8);
    config.setPoolName("chat");
    HikariDataSource pool = new HikariDataSource(config);
    ChatDb db = new ChatDb(pool);
    try {
      for (String statement : SCHEMA) {
        db.update(statement);
      }
    } catch (RuntimeException e) {
      pool.close();
      throw e;
    }
    return db;
  }

  @Override
  public void close() {
    pool.close();
  }
}
