package dev.dialogue.examples.chat;

import dev.dialogue.ClientConnection;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Read cursors and unread counts. A cursor is a room offset per user, room and thread (the empty
 * thread id for the channel itself); counts are computed from the stored messages after it, never
 * from what a client counted. Changes are pushed as {@code unread {roomId, unread, mentions,
 * threads}} to all of the user's connections, coalesced per user and room.
 */
final class ReadState {
  static final Duration PUSH_DELAY = Duration.ofMillis(150);
  private static final String CHANNEL = "";

  private final ChatDb db;
  private final Messages messages;
  private final ScheduledExecutorService scheduler;
  private final Function<String, List<ClientConnection>> connections;
  private final Set<String> pending = ConcurrentHashMap.newKeySet();

  ReadState(
      ChatDb db,
      Messages messages,
      ScheduledExecutorService scheduler,
      Function<String, List<ClientConnection>> connections) {
    this.db = db;
    this.messages = messages;
    this.scheduler = scheduler;
    this.connections = connections;
  }

  /** The cursor, or -1 when the user has none. */
  long cursor(String userId, String roomId, String threadId) {
    return db.one(
            "select pos from chat_read where user_id = ? and room_id = ? and thread_id = ?",
            rs -> rs.getLong(1),
            userId,
            roomId,
            threadId == null ? CHANNEL : threadId)
        .orElse(-1L);
  }

  /** Moves the cursor forward to {@code pos}; a cursor never moves back. True if it moved. */
  boolean mark(String userId, String roomId, String threadId, long pos) {
    String thread = threadId == null ? CHANNEL : threadId;
    int moved =
        db.update(
            "update chat_read set pos = ? where user_id = ? and room_id = ? and thread_id = ?"
                + " and pos < ?",
            pos,
            userId,
            roomId,
            thread,
            pos);
    if (moved > 0) {
      return true;
    }
    return db.insertOnce(
        "insert into chat_read (user_id, room_id, thread_id, pos) values (?, ?, ?, ?)",
        userId,
        roomId,
        thread,
        pos);
  }

  /** The unread state of one room for a user: {unread, mentions, threads: {threadId: n}}. */
  Map<String, Object> unread(String userId, String roomId) {
    long cursor = Math.max(0, cursor(userId, roomId, null));
    Map<String, Object> state = new LinkedHashMap<>();
    state.put("unread", messages.countAfter(roomId, cursor, userId));
    long mentions = messages.mentionsAfter(roomId, cursor, userId);
    Set<String> followed = new LinkedHashSet<>(messages.threadsOf(roomId, userId));
    for (Map.Entry<String, Long> mention : messages.threadMentions(roomId, userId)) {
      followed.add(mention.getKey()); // a mention in a thread makes it the user's too
      if (mention.getValue() > Math.max(0, cursor(userId, roomId, mention.getKey()))) {
        mentions++;
      }
    }
    state.put("mentions", mentions);
    Map<String, Long> threads = new LinkedHashMap<>();
    for (String threadId : followed) {
      long threadCursor = cursor(userId, roomId, threadId);
      if (threadCursor < 0) {
        threadCursor = messages.lastOwnInThread(threadId, userId);
      }
      long n = messages.repliesAfter(threadId, threadCursor, userId);
      if (n > 0) {
        threads.put(threadId, n);
      }
    }
    state.put("threads", threads);
    return state;
  }

  /** Schedules a push of the room's unread state to each of {@code userIds}. */
  void changed(String roomId, Collection<String> userIds) {
    for (String userId : userIds) {
      String key = userId + "\n" + roomId;
      if (pending.add(key)) {
        scheduler.schedule(
            () -> {
              pending.remove(key);
              push(userId, roomId);
            },
            PUSH_DELAY.toMillis(),
            TimeUnit.MILLISECONDS);
      }
    }
  }

  private void push(String userId, String roomId) {
    List<ClientConnection> clients = connections.apply(userId);
    if (clients.isEmpty()) {
      return;
    }
    Map<String, Object> payload = new LinkedHashMap<>();
    payload.put("roomId", roomId);
    payload.putAll(unread(userId, roomId));
    for (ClientConnection client : clients) {
      client.send("unread", payload);
    }
  }
}
