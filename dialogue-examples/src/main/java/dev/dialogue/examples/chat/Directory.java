package dev.dialogue.examples.chat;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Who belongs where: the workspace and its members with their roles, channels (public and private)
 * and direct messages with their members. Reads and writes the app's tables only; {@link
 * ChatServer} keeps the Dialogue rooms in step.
 */
final class Directory {
  static final String OWNER = "owner";
  static final String MODERATOR = "moderator";
  static final String MEMBER = "member";

  record Workspace(String id, String name) {
    String roomId() {
      return "w:" + id;
    }
  }

  /** A channel ({@code kind} "channel") or a direct message ({@code kind} "dm"). */
  record Channel(
      String id,
      String workspaceId,
      String kind,
      String name,
      String topic,
      boolean isPrivate,
      int slowModeSeconds,
      String createdBy,
      long createdAt) {
    boolean isDm() {
      return "dm".equals(kind);
    }

    String roomId() {
      return (isDm() ? "d:" : "c:") + id;
    }
  }

  private static final String CHANNEL_COLUMNS =
      "c.id, c.workspace_id, c.kind, c.name, c.topic, c.is_private, c.slow_mode_seconds,"
          + " c.created_by, c.created_at";

  private final ChatDb db;
  private final Clock clock;

  Directory(ChatDb db, Clock clock) {
    this.db = db;
    this.clock = clock;
  }

  Optional<Workspace> firstWorkspace() {
    return db.one(
        "select id, name from chat_workspace order by created_at, id",
        rs -> new Workspace(rs.getString(1), rs.getString(2)));
  }

  Workspace createWorkspace(String id, String name) {
    db.update(
        "insert into chat_workspace (id, name, created_at) values (?, ?, ?)",
        id,
        name,
        clock.millis());
    return new Workspace(id, name);
  }

  void addMember(Workspace workspace, String userId, String role) {
    db.insertOnce(
        "insert into chat_member (workspace_id, user_id, role, joined_at) values (?, ?, ?, ?)",
        workspace.id(),
        userId,
        role,
        clock.millis());
  }

  /** The user's role in the workspace, empty if not a member. */
  Optional<String> role(Workspace workspace, String userId) {
    return db.one(
        "select role from chat_member where workspace_id = ? and user_id = ?",
        rs -> rs.getString(1),
        workspace.id(),
        userId);
  }

  boolean isModerator(Workspace workspace, String userId) {
    return role(workspace, userId).map(r -> !r.equals(MEMBER)).orElse(false);
  }

  /** The workspace's members as the sidebar shows them: {id, username, displayName, role}. */
  List<Map<String, Object>> members(Workspace workspace) {
    return db.query(
        "select u.id, u.username, u.display_name, m.role from chat_member m"
            + " join chat_user u on u.id = m.user_id where m.workspace_id = ? order by u.username",
        rs -> {
          Map<String, Object> user = new LinkedHashMap<>();
          user.put("id", rs.getString(1));
          user.put("username", rs.getString(2));
          user.put("displayName", rs.getString(3));
          user.put("role", rs.getString(4));
          return user;
        },
        workspace.id());
  }

  Channel createChannel(
      Workspace workspace, String kind, String name, String topic, boolean isPrivate, String by) {
    Channel channel =
        new Channel(
            Ids.random(10), workspace.id(), kind, name, topic, isPrivate, 0, by, clock.millis());
    db.update(
        "insert into chat_channel (id, workspace_id, kind, name, topic, is_private,"
            + " slow_mode_seconds, created_by, created_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        channel.id(),
        channel.workspaceId(),
        channel.kind(),
        channel.name(),
        channel.topic(),
        channel.isPrivate(),
        0,
        by,
        channel.createdAt());
    return channel;
  }

  Optional<Channel> channel(String channelId) {
    return db.one(
        "select " + CHANNEL_COLUMNS + " from chat_channel c where c.id = ?",
        Directory::channel,
        channelId);
  }

  /** The channel or DM of a Dialogue room id ({@code c:<id>} or {@code d:<id>}). */
  Optional<Channel> byRoom(String roomId) {
    if (roomId == null || roomId.length() < 3 || roomId.charAt(1) != ':') {
      return Optional.empty();
    }
    char kind = roomId.charAt(0);
    if (kind != 'c' && kind != 'd') {
      return Optional.empty();
    }
    return channel(roomId.substring(2)).filter(c -> c.isDm() == (kind == 'd'));
  }

  Optional<Channel> channelByName(Workspace workspace, String name) {
    return db.one(
        "select "
            + CHANNEL_COLUMNS
            + " from chat_channel c where c.workspace_id = ? and c.kind = 'channel' and c.name = ?",
        Directory::channel,
        workspace.id(),
        name);
  }

  List<Channel> allChannels() {
    return db.query(
        "select " + CHANNEL_COLUMNS + " from chat_channel c order by c.created_at, c.id",
        Directory::channel);
  }

  /** The channels and DMs {@code userId} is a member of. */
  List<Channel> channelsOf(String userId) {
    return db.query(
        "select "
            + CHANNEL_COLUMNS
            + " from chat_channel c join chat_channel_member m on m.channel_id = c.id"
            + " where m.user_id = ? order by c.kind, c.name, c.created_at",
        Directory::channel,
        userId);
  }

  /** The public channels of the workspace, and the private ones {@code userId} belongs to. */
  List<Channel> browsable(Workspace workspace, String userId) {
    return db.query(
        "select "
            + CHANNEL_COLUMNS
            + " from chat_channel c where c.workspace_id = ? and c.kind = 'channel' and"
            + " (c.is_private = false or exists (select 1 from chat_channel_member m"
            + " where m.channel_id = c.id and m.user_id = ?)) order by c.name",
        Directory::channel,
        workspace.id(),
        userId);
  }

  boolean isMember(Channel channel, String userId) {
    return db.count(
            "select count(*) from chat_channel_member where channel_id = ? and user_id = ?",
            channel.id(),
            userId)
        > 0;
  }

  /** True if the user was not a member yet. */
  boolean addChannelMember(Channel channel, String userId) {
    return db.insertOnce(
        "insert into chat_channel_member (channel_id, user_id, joined_at) values (?, ?, ?)",
        channel.id(),
        userId,
        clock.millis());
  }

  boolean removeChannelMember(Channel channel, String userId) {
    return db.update(
            "delete from chat_channel_member where channel_id = ? and user_id = ?",
            channel.id(),
            userId)
        > 0;
  }

  List<String> memberIds(Channel channel) {
    return db.query(
        "select user_id from chat_channel_member where channel_id = ? order by joined_at, user_id",
        rs -> rs.getString(1),
        channel.id());
  }

  /** The DM whose members are exactly {@code userIds}, if there is one. */
  Optional<Channel> dmWith(Workspace workspace, Set<String> userIds) {
    String key = dmKey(userIds);
    return db.one(
        "select "
            + CHANNEL_COLUMNS
            + " from chat_channel c where c.workspace_id = ? and c.kind = 'dm' and c.name = ?",
        Directory::channel,
        workspace.id(),
        key);
  }

  /** A DM's name is its sorted member ids: that makes "the DM of these people" a lookup. */
  static String dmKey(Set<String> userIds) {
    return String.join(",", new TreeSet<>(userIds));
  }

  void setTopic(Channel channel, String topic) {
    db.update("update chat_channel set topic = ? where id = ?", topic, channel.id());
  }

  void setSlowMode(Channel channel, int seconds) {
    db.update("update chat_channel set slow_mode_seconds = ? where id = ?", seconds, channel.id());
  }

  /** The JSON a client gets for a channel or DM (docs/examples/chat.md, "Channel" and "Dm"). */
  Map<String, Object> toJson(Channel channel, Map<String, Map<String, Object>> usersById) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("id", channel.id());
    json.put("roomId", channel.roomId());
    json.put("kind", channel.kind());
    List<String> members = memberIds(channel);
    if (channel.isDm()) {
      List<String> names = new ArrayList<>();
      for (String id : members) {
        Map<String, Object> user = usersById.get(id);
        names.add(user == null ? id : String.valueOf(user.get("displayName")));
      }
      json.put("name", String.join(", ", names));
      json.put("userIds", members);
    } else {
      json.put("name", channel.name());
      json.put("topic", channel.topic() == null ? "" : channel.topic());
      json.put("private", channel.isPrivate());
      json.put("slowModeSeconds", channel.slowModeSeconds());
      json.put("memberCount", members.size());
    }
    return json;
  }

  private static Channel channel(ResultSet rs) throws SQLException {
    return new Channel(
        rs.getString(1),
        rs.getString(2),
        rs.getString(3),
        rs.getString(4),
        rs.getString(5),
        rs.getBoolean(6),
        rs.getInt(7),
        rs.getString(8),
        rs.getLong(9));
  }
}
