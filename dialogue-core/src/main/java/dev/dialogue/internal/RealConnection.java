package dev.dialogue.internal;

import static java.util.Objects.requireNonNull;

import dev.dialogue.Attributes;
import dev.dialogue.ClientConnection;
import dev.dialogue.EventDefinition;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * An authenticated connection. Its requests run one at a time on its {@link SerialExecutor}. Its
 * session and where it stands across a drop and a resumption are its {@link ConnectionLife}.
 */
public final class RealConnection extends ConnectionLife implements Recipient {
  /**
   * What a connection asks of the server when application code joins or leaves a room for it; the
   * server ({@link Hub}) answers, so that the connection does not depend on it.
   */
  interface ServerSide {
    /** Joins the connection to the room (no join policy); see {@link ClientConnection#join}. */
    void join(RealConnection connection, String roomId);

    /** Removes the connection from the room of {@code membership}; whether it was in it. */
    boolean leave(RealConnection connection, Membership membership);

    /** Ends a connection that dropped and may come back: the application disconnected it. */
    void endDropped(RealConnection connection);

    /** The connection is no longer in {@code roomId} (it left, ended, or the room went). */
    void left(RealConnection connection, String roomId);
  }

  private final String id = Ids.random();
  private final String userId;
  private final Map<String, Object> meta;
  private final Map<String, Object> claims;
  private final ServerSide server;
  public final SerialExecutor serial;

  /**
   * Room id to membership: an immutable map replaced on join and leave (synchronized on this), so
   * that a connection in one room holds no hash table of its own.
   */
  private volatile Map<String, Membership> memberships = Map.of();

  /**
   * Rooms the client said it keeps and re-joins ({@code auth.rejoin} in its CONNECT): until that
   * re-join arrives, server code's join of one of them only grants it (protocol.md, section 12).
   */
  private volatile Set<String> rejoining = Set.of();

  /**
   * Rooms whose re-join server code granted: admitted without the join policy when it comes. Both
   * sets are immutable, replaced under this object's lock like {@link #memberships}: almost every
   * connection has them empty, and an empty set costs nothing per connection.
   */
  private volatile Set<String> granted = Set.of();

  private long historyWindowStart;
  private int historyWindowCount;

  /** The last answer that waits for the store, or null when none has since start. Guarded. */
  private CompletableFuture<?> lastAnswer;

  /** Answers still waiting for the store. Guarded by this. */
  private int unanswered;

  RealConnection(
      ServerSide server,
      Session session,
      String userId,
      Map<String, Object> meta,
      Map<String, Object> claims,
      Settings.RuntimeSettings runtime) {
    super(session);
    this.server = server;
    this.userId = userId;
    this.meta = meta;
    this.claims = claims;
    this.serial = new SerialExecutor(runtime.executor(), runtime.logger(), this);
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public String userId() {
    return userId;
  }

  @Override
  public Map<String, Object> meta() {
    return meta;
  }

  @Override
  public Map<String, Object> claims() {
    return claims;
  }

  @Override
  public void join(String roomId) {
    requireNonNull(roomId, "roomId == null");
    if (rejoining.contains(roomId) && !memberships.containsKey(roomId)) {
      // Its client re-joins it in a moment with its position: admitted then, with what it missed
      // (joining now would admit it at the current offset and lose the events in between).
      synchronized (this) {
        granted = CopyOnWrite.plus(granted, roomId);
      }
      return;
    }
    server.join(this, roomId);
  }

  @Override
  public boolean leave(String roomId) {
    requireNonNull(roomId, "roomId == null");
    Membership m = memberships.get(roomId);
    if (m == null) {
      return withdrawGrant(roomId);
    }
    return server.leave(this, m);
  }

  /**
   * The rooms the client re-joins after this (re)connect, from its CONNECT's {@code auth.rejoin}.
   */
  public void rejoining(Collection<String> roomIds) {
    if (!roomIds.isEmpty()) {
      rejoining = Set.copyOf(roomIds);
    }
  }

  /**
   * The client's own join of {@code roomId} arrived: the wait for its re-join ends. True if server
   * code joined the room meanwhile (the join policy is not asked again).
   */
  boolean rejoinArrived(String roomId) {
    if (rejoining.contains(roomId)) {
      synchronized (this) {
        rejoining = CopyOnWrite.minus(rejoining, roomId);
      }
    }
    return withdrawGrant(roomId);
  }

  private boolean withdrawGrant(String roomId) {
    if (!granted.contains(roomId)) {
      return false;
    }
    synchronized (this) {
      boolean had = granted.contains(roomId);
      granted = CopyOnWrite.minus(granted, roomId);
      return had;
    }
  }

  @Override
  public void subscribe(String roomId, String eventName) {
    requireNonNull(eventName, "eventName == null");
    Membership m = memberships.get(requireNonNull(roomId, "roomId == null"));
    if (m != null) {
      m.subscribe(eventName);
    }
  }

  @Override
  public void subscribeAll(String roomId) {
    subscribe(roomId, EventDefinition.ANY);
  }

  @Override
  public void unsubscribe(String roomId, String eventName) {
    requireNonNull(eventName, "eventName == null");
    Membership m = memberships.get(requireNonNull(roomId, "roomId == null"));
    if (m != null) {
      m.unsubscribe(eventName);
    }
  }

  @Override
  public Set<String> rooms() {
    return memberships.keySet();
  }

  @Override
  public Set<String> subscriptions(String roomId) {
    Membership m = memberships.get(requireNonNull(roomId, "roomId == null"));
    return m == null ? Set.of() : m.subscriptions();
  }

  public Membership membership(String roomId) {
    return memberships.get(roomId);
  }

  int roomCount() {
    return memberships.size();
  }

  synchronized void attach(Membership membership) {
    memberships = CopyOnWrite.plus(memberships, membership.room.id(), membership);
  }

  void detach(Membership membership) {
    boolean removed;
    synchronized (this) {
      removed = memberships.get(membership.room.id()) == membership;
      if (removed) {
        memberships = CopyOnWrite.minus(memberships, membership.room.id());
      }
    }
    if (removed) {
      server.left(this, membership.room.id());
    }
  }

  @Override
  public void send(String eventName, Object data) {
    requireNonNull(eventName, "eventName == null");
    emit(eventName, data);
  }

  void emit(String eventName, Object payload) {
    if (!announced) {
      synchronized (this) {
        // ConnectionLifecycle#connected holds the lock until connected is on its way; nothing may
        // overtake it.
      }
    }
    OutboundEvent one = new OutboundEvent(eventName, Json.raw(payload));
    emit(one);
    one.send();
  }

  /**
   * Sends an answer to a request now, or, while answers to earlier requests still wait for the
   * store, right after them: answers keep the order of the requests.
   */
  void answer(Runnable send) {
    synchronized (this) {
      if (lastAnswer != null && !lastAnswer.isDone()) {
        unanswered++;
        lastAnswer =
            lastAnswer.whenComplete(
                (r, e) -> {
                  synchronized (this) {
                    unanswered--;
                  }
                  send.run();
                });
        return;
      }
    }
    send.run();
  }

  /**
   * Sends an answer once {@code ready} completes (normally or not) and the earlier answers are
   * sent. {@code send} is told whether {@code ready} failed. Later requests are handled meanwhile,
   * so one connection can have many events on their way to the store; their answers wait in turn.
   */
  void answerWhen(CompletableFuture<?> ready, Consumer<Boolean> send) {
    synchronized (this) {
      unanswered++;
      CompletableFuture<?> after =
          lastAnswer == null || lastAnswer.isDone()
              ? ready
              : CompletableFuture.allOf(lastAnswer, ready);
      lastAnswer =
          after.whenComplete(
              (r, e) -> {
                synchronized (this) {
                  unanswered--;
                }
                send.accept(ready.isCompletedExceptionally());
              });
    }
  }

  /**
   * Answers waiting for the store, or behind one that does: they count against the limit of pending
   * requests.
   */
  public synchronized int unanswered() {
    return unanswered;
  }

  /** Created on first use: most connections keep no attributes (idle heap per connection). */
  private volatile AttributeMap attributes;

  @Override
  public Attributes attributes() {
    AttributeMap a = attributes;
    if (a == null) {
      synchronized (this) {
        if (attributes == null) {
          attributes = new AttributeMap();
        }
        a = attributes;
      }
    }
    return a;
  }

  /** Forgets the application's values (the connection is gone). */
  void clearAttributes() {
    AttributeMap a = attributes;
    if (a != null) {
      a.clear();
    }
  }

  @Override
  public boolean connected() {
    return open;
  }

  @Override
  public void disconnect() {
    endRequested = true;
    if (open) {
      session().close();
    } else if (life() == Life.DROPPED) {
      server.endDropped(this);
    }
  }

  /**
   * Counts one {@code getHistory} request in the current fixed window; returns the epoch millis at
   * which the window resets if the request is over the limit, or -1 if it is allowed.
   */
  synchronized long historyRequest(long now, int limit, long windowMillis) {
    if (now - historyWindowStart >= windowMillis || now < historyWindowStart) {
      historyWindowStart = now;
      historyWindowCount = 0;
    }
    if (historyWindowCount >= limit) {
      return historyWindowStart + windowMillis;
    }
    historyWindowCount++;
    return -1;
  }

  @Override
  public String toString() {
    return "ClientConnection{" + id + ", user " + userId + "}";
  }
}
