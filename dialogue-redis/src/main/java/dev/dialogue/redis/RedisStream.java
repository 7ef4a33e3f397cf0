package dev.dialogue.redis;

import com.fasterxml.jackson.databind.util.RawValue;
import dev.dialogue.DialogueException;
import dev.dialogue.EventMessage;
import dev.dialogue.internal.Broker;
import dev.dialogue.internal.Ids;
import dev.dialogue.internal.Json;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One room on one node, on Redis. Publishing runs the publish script under the room's lock, so this
 * node's publications reach Redis in the room's order; Redis numbers them and sends every event of
 * the room, whoever published it, on the room's channel. What arrives on the channel is delivered
 * here in offset order: repeats are dropped, and a gap (a message lost while the channel connection
 * was away) is filled from the room's stream before the next event. The node listens to the channel
 * only while the room has members here: a join {@link #warm warms} the stream (subscribes, then
 * reads where the room stands), and the periodic {@link #check} lets go of a room nobody here is
 * in.
 */
final class RedisStream implements Broker.Stream {
  /** A publication of this node, waiting to come back on the channel. */
  private record Pending(CompletableFuture<Broker.Shown> shown, List<EventMessage> evicted) {}

  /** How many of its newest shown events a node keeps for recoveries on it. */
  private static final int RECENT = 1_000;

  private static final Comparator<EventMessage> NEWEST_FIRST =
      Comparator.comparingLong(EventMessage::timestamp)
          .reversed()
          .thenComparingLong(m -> m.offset() == null ? 0 : m.offset());

  private final RedisNode redis;
  private final String roomId;
  private final Keys keys;
  private final ReentrantLock lock;
  private final Broker.Node node;
  private final ConcurrentLinkedQueue<String> inbound = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean drainScheduled = new AtomicBoolean();

  // Under the lock:
  private final Map<String, Pending> pending = new HashMap<>();
  private final ArrayDeque<EventMessage> recent = new ArrayDeque<>();
  private String epoch = Ids.random();
  private long shownOffset;
  private boolean deleted;

  /** Whether this node listens to the room's channel. */
  private volatile boolean subscribed;

  /** Whether {@link #epoch} and {@link #shownOffset} follow Redis (set under the lock). */
  private volatile boolean synced;

  RedisStream(RedisNode redis, String roomId, Keys keys, ReentrantLock lock, Broker.Node node) {
    this.redis = redis;
    this.roomId = roomId;
    this.keys = keys;
    this.lock = lock;
    this.node = node;
  }

  Keys keys() {
    return keys;
  }

  // ---- joining ----

  @Override
  public void warm() {
    if (subscribed && synced) {
      return;
    }
    synchronized (this) {
      if (!subscribed) {
        redis.subscribe(keys); // from here on the room's events queue in inbound
        subscribed = true;
      }
    }
    lock.lock();
    try {
      if (!synced) {
        sync();
      }
    } finally {
      lock.unlock();
    }
  }

  /** Under the lock: where the room stands in Redis; what queued before it is dropped. */
  private void sync() {
    List<Object> position = redis.position(keys, Ids.random());
    String current = (String) position.get(0);
    long offset = Long.parseLong((String) position.get(1));
    if (!current.equals(epoch)) {
      recent.clear();
    }
    epoch = current;
    shownOffset = offset;
    synced = subscribed;
  }

  @Override
  public String epoch() {
    syncQuietly();
    return epoch;
  }

  @Override
  public long offset() {
    syncQuietly();
    return shownOffset;
  }

  /** Not listening: read where the room stands, or keep the last known if Redis is away. */
  private void syncQuietly() {
    if (!synced) {
      try {
        sync();
      } catch (DialogueException e) {
        redis.log().warn("Reading room '{}' from Redis failed", roomId, e);
      }
    }
  }

  // ---- seats ----

  @Override
  public boolean seat(String connectionId, int maxSize, int members) {
    return members < maxSize && redis.presenceStore().seat(roomId, connectionId, maxSize);
  }

  @Override
  public void unseat(String connectionId) {
    try {
      redis.presenceStore().unseat(roomId, connectionId);
    } catch (RuntimeException e) {
      // The seat expires without its heartbeat.
      redis.log().warn("Freeing a seat of room '{}' in Redis failed", roomId, e);
    }
  }

  // ---- publishing ----

  @Override
  public Broker.Delivery publish(EventMessage message, int historyLimit) {
    boolean idempotent = message.clientMessageId() != null && message.from() != null;
    String idKey = idempotent ? keys.id(message.from(), message.clientMessageId()) : keys.offset();
    List<Object> result =
        redis.run(
            redis.publishScript(),
            new String[] {
              keys.epoch(),
              keys.offset(),
              keys.stream(),
              keys.history(message.event()),
              keys.names(),
              idKey
            },
            // A room Redis does not know (new, or lost with Redis' data) starts a new epoch, so
            // that
            // no client takes its offsets for the old ones.
            Ids.random(),
            Integer.toString(Math.max(0, historyLimit)),
            Integer.toString(redis.config().streamLength()),
            Json.write(message),
            Long.toString(redis.idempotencyWindowMillis()),
            idempotent ? "1" : "0",
            keys.channel(),
            message.event());
    String outcome = (String) result.get(0);
    String published = (String) result.get(1);
    if (outcome.equals("dup")) {
      // Published before, perhaps through another node: answered with the first one.
      return new Broker.Delivery(
          RedisNode.parse((String) result.get(2)),
          CompletableFuture.completedFuture(new Broker.Shown(0, List.of())));
    }
    String offsetText = (String) result.get(2);
    EventMessage stored =
        offsetText.isEmpty() ? message : withOffset(message, Long.parseLong(offsetText));
    List<EventMessage> evicted = new ArrayList<>(Math.max(0, result.size() - 4));
    for (int i = 4; i < result.size(); i++) {
      evicted.add(RedisNode.parse((String) result.get(i)));
    }
    if (!published.equals(epoch) && synced) {
      newEpoch(published); // its events before this one come from the stream, before it
    }
    CompletableFuture<Broker.Shown> shown;
    if (subscribed && synced) {
      // Shown when it comes back on the channel, in the room's order with everyone else's.
      shown = new CompletableFuture<>();
      pending.put(stored.id(), new Pending(shown, evicted));
    } else {
      // Nobody here to show it to; other nodes' members get it from the channel.
      handOver(evicted);
      shown = CompletableFuture.completedFuture(new Broker.Shown(0, evicted));
    }
    if (stored.offset() != null && redis.store() != null) {
      // The sender is acknowledged once the store has it too.
      CompletableFuture<Void> durable = redis.store().append(published, stored);
      shown = shown.thenCombine(durable, (s, ok) -> s);
    }
    return new Broker.Delivery(stored, shown);
  }

  // ---- what the channel brings ----

  /** On Lettuce's thread: queues the message and hands the delivery to the executor. */
  void received(String message) {
    inbound.add(message);
    if (drainScheduled.compareAndSet(false, true)) {
      try {
        redis.executor().execute(this::deliverInbound);
      } catch (RejectedExecutionException stopping) {
        drainScheduled.set(false);
      }
    }
  }

  private void deliverInbound() {
    drainScheduled.set(false); // a message arriving from now on schedules another pass
    lock.lock();
    try {
      String message;
      while ((message = inbound.poll()) != null) {
        try {
          handle(message);
        } catch (RuntimeException e) {
          redis.log().error("Delivering an event of room '{}' from Redis failed", roomId, e);
        }
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * Under the lock: one channel message, {@code epoch \n offset \n envelope}, or a presence change
   * {@code P \n + or - \n userId} (an epoch is never {@code P}).
   */
  private void handle(String message) {
    if (deleted || !synced) {
      return; // not listening yet: warm() reads where the room stands
    }
    if (message.startsWith("P\n")) {
      List<String> user = List.of(message.substring(4));
      boolean came = message.charAt(2) == '+';
      node.presence(came ? user : List.of(), came ? List.of() : user);
      return;
    }
    int first = message.indexOf('\n');
    int second = message.indexOf('\n', first + 1);
    String messageEpoch = message.substring(0, first);
    String offsetText = message.substring(first + 1, second);
    String json = message.substring(second + 1);
    if (!messageEpoch.equals(epoch)) {
      newEpoch(messageEpoch); // what the channel did not bring of it is filled in below
    }
    if (offsetText.isEmpty()) {
      show(RedisNode.parse(json), json);
      return;
    }
    long offset = Long.parseLong(offsetText);
    if (offset <= shownOffset) {
      return; // already shown (a gap was filled with it)
    }
    if (offset > shownOffset + 1) {
      fillGap(offset - 1);
    }
    show(RedisNode.parse(json), json);
  }

  /** Under the lock: the events before {@code upTo} that the channel did not bring, from Redis. */
  private void fillGap(long upTo) {
    List<EventMessage> missing =
        redis.range(keys, shownOffset + 1, upTo, (int) (upTo - shownOffset));
    if (missing.isEmpty() || missing.get(0).offset() != shownOffset + 1) {
      redis
          .log()
          .error(
              "Room '{}' missed events after offset {} that Redis no longer keeps; members here"
                  + " skip them",
              roomId,
              shownOffset);
    }
    for (EventMessage event : missing) {
      if (event.offset() > shownOffset) {
        show(event, Json.write(event));
      }
    }
    shownOffset = Math.max(shownOffset, upTo);
  }

  /** Under the lock: delivers to this node's members and completes this node's publication. */
  private void show(EventMessage event, String json) {
    int recipients = node.deliver(event, new RawValue(json));
    if (event.offset() != null) {
      shownOffset = event.offset();
      recent.addLast(event);
      if (recent.size() > RECENT) {
        recent.removeFirst();
      }
    }
    Pending mine = pending.remove(event.id());
    if (mine != null) {
      handOver(mine.evicted());
      mine.shown().complete(new Broker.Shown(recipients, mine.evicted()));
    }
  }

  /**
   * Under the lock: the room's epoch changed in Redis (its keys were lost, or it was remade); its
   * members here get its events from its first, as the stream or the channel brings them.
   */
  private void newEpoch(String current) {
    redis
        .log()
        .warn(
            "Room '{}' has a new epoch in Redis ({} -> {}); clients of the old one are told they"
                + " did not recover",
            roomId,
            epoch,
            current);
    epoch = current;
    shownOffset = 0;
    recent.clear();
  }

  /** Under the lock: what the publish trimmed from a name's history goes to the cleanup hook. */
  private void handOver(List<EventMessage> evicted) {
    if (evicted.isEmpty()) {
      return;
    }
    Map<String, List<EventMessage>> byName = new LinkedHashMap<>();
    for (EventMessage e : evicted) {
      byName.computeIfAbsent(e.event(), k -> new ArrayList<>()).add(e);
    }
    byName.forEach(node::evicted);
  }

  // ---- the periodic check ----

  /**
   * On the executor: a room without members here is let go; one with members catches up if Redis is
   * ahead (its last message was lost), or moves to a new epoch.
   */
  void check() {
    lock.lock();
    try {
      if (deleted || !subscribed) {
        return;
      }
      if (!node.hasMembers()) {
        subscribed = false;
        synced = false;
        redis.unsubscribe(keys);
        for (Pending p : pending.values()) {
          handOver(p.evicted());
          p.shown().complete(new Broker.Shown(0, p.evicted()));
        }
        pending.clear();
        return;
      }
      if (!synced || !inbound.isEmpty()) {
        return;
      }
      List<Object> position = redis.position(keys, Ids.random());
      String current = (String) position.get(0);
      long offset = Long.parseLong((String) position.get(1));
      if (!current.equals(epoch)) {
        newEpoch(current);
      }
      if (offset > shownOffset) {
        fillGap(offset);
      }
    } catch (DialogueException e) {
      redis.log().warn("Checking room '{}' in Redis failed", roomId, e);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Before a join takes the lock: whether this node's recent events hold every event after {@code
   * offset} that it has shown (then recovery needs nothing from Redis). Should more arrive than the
   * recent events keep before the join takes the lock, the join finds a gap and answers that it did
   * not recover: never a wrong answer.
   */
  boolean holdsEverythingAfter(long offset) {
    lock.lock();
    try {
      if (!synced || offset > shownOffset) {
        return false;
      }
      if (offset == shownOffset) {
        return true;
      }
      EventMessage oldest = recent.peekFirst();
      return oldest != null && oldest.offset() <= offset + 1;
    } finally {
      lock.unlock();
    }
  }

  // ---- history, read under the lock ----

  @Override
  public List<EventMessage> after(long afterOffset) {
    List<EventMessage> found = new ArrayList<>();
    for (EventMessage e : recent) {
      if (e.offset() > afterOffset) {
        found.add(e);
      }
    }
    return found;
  }

  @Override
  public List<EventMessage> newest(int limit) {
    if (shownOffset == 0 || limit <= 0) {
      return List.of();
    }
    try {
      List<EventMessage> newest = new ArrayList<>(redis.newest(keys, shownOffset, limit));
      newest.sort(NEWEST_FIRST);
      return newest;
    } catch (DialogueException e) {
      redis.log().warn("Reading the newest events of room '{}' from Redis failed", roomId, e);
      return List.of();
    }
  }

  @Override
  public List<EventMessage> page(String eventName, int start, int end) {
    return List.of(); // every page is read from Redis (RedisNode.page)
  }

  @Override
  public int count(String eventName) {
    return 0;
  }

  @Override
  public Map<String, List<EventMessage>> trimOldest(int count) {
    return Map.of();
  }

  @Override
  public Map<String, List<EventMessage>> drain() {
    return Map.of();
  }

  @Override
  public Map<String, List<EventMessage>> delete(DialogueException gone) {
    deleted = true;
    for (Pending p : pending.values()) {
      p.shown().completeExceptionally(gone);
    }
    pending.clear();
    if (subscribed) {
      subscribed = false;
      redis.unsubscribe(keys);
    }
    redis.forget(this);
    return Map.of();
  }

  private static EventMessage withOffset(EventMessage m, long offset) {
    return new EventMessage(
        m.event(),
        m.roomId(),
        m.data(),
        m.from(),
        m.timestamp(),
        m.meta(),
        m.id(),
        offset,
        m.clientMessageId());
  }
}
