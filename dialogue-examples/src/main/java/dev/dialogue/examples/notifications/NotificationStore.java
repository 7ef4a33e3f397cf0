package dev.dialogue.examples.notifications;

import dev.dialogue.examples.Sql;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * The notifications and their read state, one row each ({@code notification}). The events in the
 * users' rooms carry the same data to the devices; this table answers the list, the unread count
 * and marking read.
 */
final class NotificationStore {
  /** One notification. {@code readAt} is 0 while unread. */
  record Notification(
      String id,
      String userId,
      String title,
      String body,
      String url,
      long createdAt,
      long readAt) {
    Map<String, Object> toJson() {
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("id", id);
      json.put("title", title);
      if (body != null) {
        json.put("body", body);
      }
      if (url != null) {
        json.put("url", url);
      }
      json.put("createdAt", createdAt);
      json.put("read", readAt > 0);
      return json;
    }
  }

  private final Sql sql;

  NotificationStore(DataSource dataSource) {
    this.sql = new Sql(dataSource);
    sql.update(
        "create table if not exists notification (id varchar(40) primary key,"
            + " user_id varchar(64) not null, title varchar(200) not null, body varchar(2000),"
            + " url varchar(2000), created_at bigint not null, read_at bigint not null)");
    sql.update(
        "create index if not exists notification_user on notification (user_id, created_at)");
  }

  void add(Notification n) {
    sql.update(
        "insert into notification (id, user_id, title, body, url, created_at, read_at)"
            + " values (?, ?, ?, ?, ?, ?, 0)",
        n.id(),
        n.userId(),
        n.title(),
        n.body(),
        n.url(),
        n.createdAt());
  }

  /** The user's notifications, newest first, created before {@code before}. */
  List<Notification> page(String userId, long before, int limit) {
    return sql.query(
        "select id, user_id, title, body, url, created_at, read_at from notification"
            + " where user_id = ? and created_at < ? order by created_at desc, id desc limit ?",
        rs ->
            new Notification(
                rs.getString(1),
                rs.getString(2),
                rs.getString(3),
                rs.getString(4),
                rs.getString(5),
                rs.getLong(6),
                rs.getLong(7)),
        userId,
        before,
        limit);
  }

  long unread(String userId) {
    return sql.count("select count(*) from notification where user_id = ? and read_at = 0", userId);
  }

  /** Marks the user's notifications among {@code ids} read; returns the ids that were unread. */
  List<String> markRead(String userId, List<String> ids, long now) {
    List<String> changed = new ArrayList<>();
    for (String id : ids) {
      if (sql.update(
              "update notification set read_at = ? where id = ? and user_id = ? and read_at = 0",
              now,
              id,
              userId)
          > 0) {
        changed.add(id);
      }
    }
    return changed;
  }

  /** Marks every unread notification of the user read; returns how many were. */
  int markAllRead(String userId, long now) {
    return sql.update(
        "update notification set read_at = ? where user_id = ? and read_at = 0", now, userId);
  }

  /** The users that have notifications: their rooms are opened at start. */
  List<String> users() {
    return sql.query("select distinct user_id from notification", rs -> rs.getString(1));
  }
}
