package dev.dialogue.bench;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One client of the recovery storm across its connections: where it stands in the room, which
 * sequence numbers of the publisher it has received (gaps and duplicates go to the shared {@link
 * Stats}), and whether it has caught up with the current {@link Phase}.
 *
 * <p>Where it stands is what each server's own recovery needs. Dialogue: the room's {@code offset}
 * and {@code epoch}, from the join answer and from each event, sent back as {@code since} in the
 * join after a reconnection; the join answer carries the {@code missed} events. Socket.IO's
 * connection state recovery: the session ids {@code sid} and {@code pid} of the CONNECT answer and
 * the offset that the server appends as the last argument of every event, sent back as {@code pid}
 * and {@code offset} in the CONNECT auth; the server replays the missed events before its CONNECT
 * answer, which has the old {@code sid} when the session was restored (rooms included, so the
 * client does not join again).
 *
 * <p>The event loop of the current connection calls the {@code on*} methods; the scenario thread
 * calls {@link #expect} and {@link #reconnecting} only while no event for this client can arrive
 * (before publishing, before reconnecting), and reads the results after the phase's latch.
 */
final class StormClient {
  /** A target every client must reach: the publisher's sequence number, and a recovery if asked. */
  record Phase(long untilSeq, boolean recovery, CountDownLatch done) {}

  private static final byte[] BP = Bytes.ascii("\"bp\":\"");
  private static final byte[] BS = Bytes.ascii("\"bs\":");
  private static final byte[] OFFSET = Bytes.ascii("\"offset\":");

  final int index;
  private final String room;
  private final boolean socketIoRecovery;
  private final Stats stats;
  private final SeqTracker seqs = new SeqTracker();
  private final AtomicReference<Phase> finished = new AtomicReference<>();

  private volatile Phase phase;
  private volatile long lastSeq;
  private volatile int received;
  private volatile boolean resuming;
  private volatile Boolean recovered;
  private volatile long startedNanos;
  private volatile long doneNanos;

  // Dialogue's position.
  private long offset = -1;
  private String epoch;

  // Socket.IO's position.
  private String sid;
  private String pid;
  private String socketIoOffset;

  /**
   * @param socketIoRecovery speak Socket.IO's connection state recovery (the Node peer) instead of
   *     Dialogue's {@code since}
   */
  StormClient(int index, String room, boolean socketIoRecovery, Stats stats) {
    this.index = index;
    this.room = room;
    this.socketIoRecovery = socketIoRecovery;
    this.stats = stats;
  }

  /** From now on, counts what arrives towards {@code next}. */
  void expect(Phase next) {
    received = 0;
    phase = next;
  }

  /** The next connection is a reconnection after a cut; its time starts now. */
  void reconnecting() {
    resuming = true;
    recovered = null;
    startedNanos = System.nanoTime();
  }

  /** The CONNECT auth of the next connection. */
  String auth() {
    String user = "\"userId\":\"user-" + index + "\"";
    if (socketIoRecovery && resuming && pid != null && socketIoOffset != null) {
      return "{" + user + ",\"pid\":\"" + pid + "\",\"offset\":\"" + socketIoOffset + "\"}";
    }
    return "{" + user + "}";
  }

  /** The CONNECT answer: returns the join request to send, or null when no join is needed. */
  String onConnectAck(String text) {
    String join = "{\"roomId\":\"" + room + "\"}";
    if (socketIoRecovery) {
      String newSid = stringAfter(text, "\"sid\":\"");
      boolean restored = resuming && newSid != null && newSid.equals(sid);
      sid = newSid;
      pid = stringAfter(text, "\"pid\":\"");
      if (resuming) {
        recovered = restored;
        check();
      }
      return restored ? null : join;
    }
    if (resuming && epoch != null) {
      return "{\"roomId\":\""
          + room
          + "\",\"since\":{\"offset\":"
          + offset
          + ",\"epoch\":\""
          + epoch
          + "\"}}";
    }
    return join;
  }

  /** Dialogue's join answer: the room's position, and on a recovery whether and what it missed. */
  void onJoinAck(String reply) {
    int missed = reply.indexOf("\"missed\":[");
    String head = missed < 0 ? reply : reply.substring(0, missed);
    if (!head.contains("\"ok\":true")) {
      return; // the connection reports the refusal
    }
    if (missed >= 0) {
      for (int p = reply.indexOf("\"bp\":\"", missed); p >= 0; p = reply.indexOf("\"bp\":\"", p)) {
        p += "\"bp\":\"".length();
        int s = reply.indexOf("\"bs\":", p);
        track((int) longAt(reply, p), s < 0 ? -1 : longAt(reply, s + "\"bs\":".length()));
      }
    }
    // Everything up to the room's offset at the moment of joining has now been seen.
    int at = head.indexOf("\"offset\":");
    if (at >= 0) {
      offset = longAt(head, at + "\"offset\":".length());
    }
    epoch = stringAfter(head, "\"epoch\":\"");
    if (resuming) {
      recovered = head.contains("\"recovered\":true");
    }
    check();
  }

  /** A {@code dialogue:event} frame starting at {@code start}. */
  void onEvent(ByteBuf buf, int start) {
    int end = buf.writerIndex();
    int p = Bytes.indexOf(buf, BP, start, end);
    int s = Bytes.indexOf(buf, BS, start, end);
    if (p < 0 || s < 0) {
      stats.error("storm event without bp/bs: " + buf.toString(StandardCharsets.UTF_8));
      return;
    }
    track((int) Bytes.number(buf, p + BP.length, end), Bytes.number(buf, s + BS.length, end));
    if (socketIoRecovery) {
      if (end - start > 3 && buf.getByte(end - 1) == ']' && buf.getByte(end - 2) == '"') {
        int open = buf.indexOf(end - 3, start, (byte) '"');
        socketIoOffset = buf.toString(open + 1, end - 2 - (open + 1), StandardCharsets.UTF_8);
      }
    } else {
      int o = Bytes.indexOf(buf, OFFSET, start, end);
      if (o >= 0) {
        offset = Bytes.number(buf, o + OFFSET.length, end);
      }
    }
    check();
  }

  /** Any other event: with Socket.IO's recovery it carries an offset too, as its last argument. */
  void onOtherEvent(String text) {
    if (socketIoRecovery && text.endsWith("\"]")) {
      socketIoOffset =
          text.substring(text.lastIndexOf('"', text.length() - 3) + 1, text.length() - 2);
    }
  }

  /** The connection failed: this client will not reach the phase. Any thread. */
  void failed() {
    Phase p = phase;
    if (p != null) {
      finish(p, false);
    }
  }

  private void track(int publisher, long seq) {
    long skipped = seqs.track(publisher, seq);
    if (skipped < 0) {
      stats.duplicates.increment();
    } else if (skipped > 0) {
      stats.gaps.add(skipped);
    }
    received++;
    if (seq > lastSeq) {
      lastSeq = seq;
    }
  }

  private void check() {
    Phase p = phase;
    if (p == null) {
      return;
    }
    Boolean r = recovered;
    if (p.recovery() && r == Boolean.FALSE) {
      finish(p, false);
    } else if (lastSeq >= p.untilSeq() && (!p.recovery() || r == Boolean.TRUE)) {
      finish(p, true);
    }
  }

  private void finish(Phase p, boolean reached) {
    if (finished.getAndSet(p) != p) {
      doneNanos = reached ? System.nanoTime() : -1;
      p.done().countDown();
    }
  }

  /** Whether this client is done with the current phase, reached or not. */
  boolean finished() {
    Phase p = phase;
    return p != null && finished.get() == p;
  }

  /** Whether this client reached {@code p} (recovered, for a recovery phase). */
  boolean reached(Phase p) {
    return finished.get() == p && doneNanos >= 0;
  }

  /** Nanoseconds from {@link #reconnecting} to reaching the phase. */
  long recoveryNanos() {
    return doneNanos - startedNanos;
  }

  long startedNanos() {
    return startedNanos;
  }

  long doneNanos() {
    return doneNanos;
  }

  /** Events received since the last {@link #expect}. */
  int received() {
    return received;
  }

  private static String stringAfter(String text, String prefix) {
    int at = text.indexOf(prefix);
    if (at < 0) {
      return null;
    }
    int from = at + prefix.length();
    int close = text.indexOf('"', from);
    return close < 0 ? null : text.substring(from, close);
  }

  private static long longAt(String text, int from) {
    long value = 0;
    for (int i = from; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < '0' || c > '9') {
        break;
      }
      value = value * 10 + (c - '0');
    }
    return value;
  }
}
