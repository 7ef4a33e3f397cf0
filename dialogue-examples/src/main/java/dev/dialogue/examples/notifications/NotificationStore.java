package dev.dialogue.examples.notifications;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
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

  private final DataSource dataSource;

  NotificationStore(DataSource dataSource) {
    this.dataSource = dataSource;
    update(
        "create table if not exists notification (id varchar(40) primary key,"
            + " user_id varchar(64) not null, title varchar(200) not null, body varchar(2000),"
            + " url varchar(2000), created_at bigint not null, read_at bigint not null)");
    update("create index if not exists notification_user on notification (user_id, created_at)");
  }

  void add(Notification n) {
    update(
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
    List<Notification> out = new ArrayList<>();
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "select id, user_id, title, body, url, created_at, read_at from notification"
                    + " where user_id = ? and created_at < ? order by created_at desc, id desc"
                    + " limit ?")) {
      ps.setString(1, userId);
      ps.setLong(2, before);
      ps.setInt(3, limit);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(
              new Notification(
                  rs.getString(1),
                  rs.getString(2),
                  rs.getString(3),
                  rs.getString(4),
                  rs.getString(5),
                  rs.getLong(6),
                  rs.getLong(7)));
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("notifications: " + e.getMessage(), e);
    }
    return out;
  }

  long unread(String userId) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "select count(*) from notification where user_id = ? and read_at = 0")) {
      ps.setString(1, userId);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("notifications: " + e.getMessage(), e);
    }
  }

  /** Marks the user's notifications among {@code ids} read; returns the ids that were unread. */
  List<String> markRead(String userId, List<String> ids, long now) {
    List<String> changed = new ArrayList<>();
    for (String id : ids) {
      if (update(
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
    return update(
        "update notification set read_at = ? where user_id = ? and read_at = 0", now, userId);
  }

  /** The users that have notifications: their rooms are opened at start. */
  List<String> users() {
    List<String> out = new ArrayList<>();
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement("select distinct user_id from notification");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    } catch (SQLException e) {
      throw new IllegalStateException("notifications: " + e.getMessage(), e);
    }
    return out;
  }

  private int update(String sql, Object... args) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        ps.setObject(i + 1, args[i]);
      }
      return ps.executeUpdate();
    } catch (SQLException e) {
      throw new IllegalStateException("notifications: " + e.getMessage(), e);
    }
  }
}
