package dev.dialogue.examples.chat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dialogue.CommandException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The messages as they are now: each {@code message} event of a room stored once (its id is the
 * event's id, its position the event's offset), with edits, deletions, reactions, pins and thread
 * counts applied. The Dialogue history holds what happened; this table answers "what does the
 * channel look like" for {@code messages.page}, {@code thread.page}, unread counts and search.
 */
final class Messages {
  static final int MAX_PAGE = 100;
  static final int MAX_EMOJI_PER_MESSAGE = 20;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String COLUMNS =
      "id, room_id, pos, user_id, body, thread_id, files, mentions, mentions_channel, created_at,"
          + " edited_at, deleted, pinned, pinned_by, reply_count, last_reply_at, last_reply_by";

  /** One stored message. {@code mentions} are user ids. */
  record Stored(
      String id,
      String roomId,
      long pos,
      String userId,
      String text,
      String threadId,
      List<Map<String, Object>> files,
      List<String> mentions,
      boolean mentionsChannel,
      long createdAt,
      Long editedAt,
      boolean deleted,
      boolean pinned,
      String pinnedBy,
      int replyCount,
      Long lastReplyAt,
      String lastReplyBy) {}

  /** A page of messages, newest first, and whether older ones exist. */
  record Page(List<Map<String, Object>> messages, boolean more) {}

  private final ChatDb db;
  private final Clock clock;

  Messages(ChatDb db, Clock clock) {
    this.db = db;
    this.clock = clock;
  }

  /** Stores a message once; false if it was there already (a replay or catch-up). */
  boolean store(Stored m) {
    return db.insertOnce(
        "insert into chat_message (id, room_id, pos, user_id, body, thread_id, files, mentions,"
            + " mentions_channel, created_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        m.id(),
        m.roomId(),
        m.pos(),
        m.userId(),
        m.text(),
        m.threadId(),
        m.files().isEmpty() ? null : write(m.files()),
        m.mentions().isEmpty() ? null : "," + String.join(",", m.mentions()) + ",",
        m.mentionsChannel(),
        m.createdAt());
  }

  Optional<Stored> find(String messageId) {
    return db.one(
        "select " + COLUMNS + " from chat_message where id = ?", Messages::row, messageId);
  }

  /** The last position stored for the room, 0 if none. */
  long lastPos(String roomId) {
    return db.count("select coalesce(max(pos), 0) from chat_message where room_id = ?", roomId);
  }

  /** Counts a reply in its thread's root; returns the root as it is now. */
  Optional<Stored> countReply(Stored reply) {
    db.update(
        "update chat_message set reply_count = (select count(*) from chat_message r"
            + " where r.thread_id = ? and r.deleted = false), last_reply_at = ?, last_reply_by = ?"
            + " where id = ?",
        reply.threadId(),
        reply.createdAt(),
        reply.userId(),
        reply.threadId());
    return find(reply.threadId());
  }

  void edit(String messageId, String text) {
    db.update(
        "update chat_message set body = ?, edited_at = ? where id = ?",
        text,
        clock.millis(),
        messageId);
  }

  void delete(String messageId) {
    db.update("update chat_message set deleted = true where id = ?", messageId);
    db.update("delete from chat_reaction where message_id = ?", messageId);
  }

  /** Toggles the user's reaction; returns who reacted with {@code emoji} afterwards. */
  List<String> toggleReaction(String messageId, String emoji, String userId) {
    boolean removed =
        db.update(
                "delete from chat_reaction where message_id = ? and emoji = ? and user_id = ?",
                messageId,
                emoji,
                userId)
            > 0;
    if (!removed) {
      long kinds =
          db.count(
              "select count(distinct emoji) from chat_reaction where message_id = ? and emoji <> ?",
              messageId,
              emoji);
      if (kinds >= MAX_EMOJI_PER_MESSAGE) {
        throw new CommandException(
            "TOO_MANY_REACTIONS", "A message has at most " + MAX_EMOJI_PER_MESSAGE + " kinds");
      }
      db.insertOnce(
          "insert into chat_reaction (message_id, emoji, user_id, created_at) values (?, ?, ?, ?)",
          messageId,
          emoji,
          userId,
          clock.millis());
    }
    return db.query(
        "select user_id from chat_reaction where message_id = ? and emoji = ?"
            + " order by created_at, user_id",
        rs -> rs.getString(1),
        messageId,
        emoji);
  }

  /** Flips the pin; returns the new state. */
  boolean togglePin(Stored message, String by) {
    boolean pinned = !message.pinned();
    db.update(
        "update chat_message set pinned = ?, pinned_by = ? where id = ?",
        pinned,
        pinned ? by : null,
        message.id());
    return pinned;
  }

  /** The room's messages (not thread replies, not deleted) before {@code before}, newest first. */
  Page page(String roomId, long before, int limit) {
    List<Stored> rows =
        db.query(
            "select "
                + COLUMNS
                + " from chat_message where room_id = ? and pos < ? and thread_id is null"
                + " and deleted = false order by pos desc limit ?",
            Messages::row,
            roomId,
            before,
            limit + 1);
    boolean more = rows.size() > limit;
    return new Page(toJson(more ? rows.subList(0, limit) : rows), more);
  }

  /** A thread: its root and its replies, oldest first. */
  /** A thread's replies, oldest first (the root is not among them). */
  List<Map<String, Object>> thread(String threadId) {
    List<Stored> rows =
        db.query(
            "select "
                + COLUMNS
                + " from chat_message where thread_id = ? and deleted = false order by pos",
            Messages::row,
            threadId);
    return toJson(rows);
  }

  List<Map<String, Object>> pins(String roomId) {
    return toJson(
        db.query(
            "select "
                + COLUMNS
                + " from chat_message where room_id = ? and pinned = true and deleted = false"
                + " order by pos desc",
            Messages::row,
            roomId));
  }

  /** The messages of {@code roomId} after {@code pos}: the base of unread counting. */
  long countAfter(String roomId, long pos, String notBy) {
    return db.count(
        "select count(*) from chat_message where room_id = ? and pos > ? and thread_id is null"
            + " and deleted = false and user_id <> ?",
        roomId,
        pos,
        notBy);
  }

  /** Mentions of the user in the channel itself (thread replies count against thread cursors). */
  long mentionsAfter(String roomId, long pos, String userId) {
    return db.count(
        "select count(*) from chat_message where room_id = ? and pos > ? and deleted = false"
            + " and thread_id is null"
            + " and user_id <> ? and (mentions_channel = true or mentions like ?)",
        roomId,
        pos,
        userId,
        "%," + userId + ",%");
  }

  /** The thread replies of the room that mention the user: thread id and position of each. */
  List<Map.Entry<String, Long>> threadMentions(String roomId, String userId) {
    return db.query(
        "select thread_id, pos from chat_message where room_id = ? and thread_id is not null"
            + " and deleted = false and user_id <> ? and (mentions_channel = true or mentions like ?)",
        rs -> Map.entry(rs.getString(1), rs.getLong(2)),
        roomId,
        userId,
        "%," + userId + ",%");
  }

  /** The threads of the room the user took part in (wrote the root or a reply). */
  List<String> threadsOf(String roomId, String userId) {
    return db.query(
        "select distinct coalesce(thread_id, id) from chat_message where room_id = ?"
            + " and user_id = ? and (thread_id is not null or reply_count > 0)",
        rs -> rs.getString(1),
        roomId,
        userId);
  }

  long repliesAfter(String threadId, long pos, String notBy) {
    return db.count(
        "select count(*) from chat_message where thread_id = ? and pos > ? and deleted = false"
            + " and user_id <> ?",
        threadId,
        pos,
        notBy);
  }

  /** The position of the user's last own message in a thread (root included), 0 if none. */
  long lastOwnInThread(String threadId, String userId) {
    return db.count(
        "select coalesce(max(pos), 0) from chat_message where (id = ? or thread_id = ?)"
            + " and user_id = ?",
        threadId,
        threadId,
        userId);
  }

  private List<Map<String, Object>> toJson(List<Stored> rows) {
    List<Map<String, Object>> out = new ArrayList<>(rows.size());
    for (Stored m : rows) {
      out.add(toJson(m));
    }
    return out;
  }

  /** A message as clients get it (docs/examples/chat.md, "Message"). */
  Map<String, Object> toJson(Stored m) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("id", m.id());
    json.put("roomId", m.roomId());
    json.put("offset", m.pos());
    json.put("userId", m.userId());
    json.put("text", m.text());
    if (m.threadId() != null) {
      json.put("threadId", m.threadId());
    }
    json.put("files", m.files());
    json.put("mentions", m.mentions());
    json.put("mentionsChannel", m.mentionsChannel());
    json.put("createdAt", m.createdAt());
    if (m.editedAt() != null) {
      json.put("editedAt", m.editedAt());
    }
    json.put("pinned", m.pinned());
    json.put("replyCount", m.replyCount());
    if (m.lastReplyAt() != null) {
      json.put("lastReplyAt", m.lastReplyAt());
      json.put("lastReplyBy", m.lastReplyBy());
    }
    json.put("reactions", reactions(m.id()));
    return json;
  }

  private List<Map<String, Object>> reactions(String messageId) {
    Map<String, List<String>> byEmoji = new LinkedHashMap<>();
    db.query(
        "select emoji, user_id from chat_reaction where message_id = ? order by created_at, user_id",
        rs -> byEmoji.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(rs.getString(2)),
        messageId);
    List<Map<String, Object>> out = new ArrayList<>();
    byEmoji.forEach((emoji, users) -> out.add(Map.of("emoji", emoji, "users", users)));
    return out;
  }

  private static Stored row(ResultSet rs) throws SQLException {
    String mentions = rs.getString(8);
    long edited = rs.getLong(11);
    boolean editedNull = rs.wasNull();
    long lastReply = rs.getLong(16);
    boolean lastReplyNull = rs.wasNull();
    return new Stored(
        rs.getString(1),
        rs.getString(2),
        rs.getLong(3),
        rs.getString(4),
        rs.getString(5),
        rs.getString(6),
        read(rs.getString(7)),
        mentions == null
            ? List.of()
            : Arrays.stream(mentions.split(",")).filter(s -> !s.isEmpty()).toList(),
        rs.getBoolean(9),
        rs.getLong(10),
        editedNull ? null : edited,
        rs.getBoolean(12),
        rs.getBoolean(13),
        rs.getString(14),
        rs.getInt(15),
        lastReplyNull ? null : lastReply,
        rs.getString(17));
  }

  private static String write(List<Map<String, Object>> files) {
    try {
      return JSON.writeValueAsString(files);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static List<Map<String, Object>> read(String files) {
    if (files == null) {
      return List.of();
    }
    try {
      return JSON.readValue(files, new TypeReference<List<Map<String, Object>>>() {});
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("unreadable files column: " + e.getMessage(), e);
    }
  }
}
