package dev.dialogue.internal;

import com.fasterxml.jackson.databind.util.RawValue;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A connection's session over its life: which session it writes to and whether it may, and where it
 * stands ({@link Life}) across a drop, the disconnect grace, a resumption by a new session, and its
 * end. {@link ConnectionLifecycle} moves it from one state to the next. {@link RealConnection}
 * extends it rather than holding it, so that this costs no object per connection (the idle heap,
 * docs/performance-idle-heap.md).
 */
abstract class ConnectionLife {
  private static final VarHandle LIFE;

  static {
    try {
      LIFE = MethodHandles.lookup().findVarHandle(ConnectionLife.class, "life", Life.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /**
   * Where the connection stands in its life. Only {@link #LIVE} connections have a session that
   * writes; a {@link #DROPPED} one keeps its rooms and presence during the disconnect grace; a
   * {@link #RESUMING} one has been claimed by a new session with its resumption token.
   */
  enum Life {
    LIVE,
    DROPPED,
    RESUMING,
    ENDED
  }

  private volatile Session session;

  // A field and a VarHandle rather than an AtomicReference: one object fewer per connection.
  private volatile Life life = Life.LIVE;

  /** Set by {@link RealConnection#disconnect()}: the server ends this connection, with no grace. */
  volatile boolean endRequested;

  /** Cancels the end scheduled for a dropped connection, or null. Guarded by this. */
  private Deadlines.Handle graceEnd;

  /** The token that may resume this connection, or null; see {@link Connections#claim}. */
  volatile String resumeToken;

  volatile boolean open = true;

  /**
   * Set once {@code dialogue:connected} is on its way; see {@link ConnectionLifecycle#connected}.
   */
  volatile boolean announced;

  ConnectionLife(Session session) {
    this.session = session;
  }

  public Session session() {
    return session;
  }

  /** {@code dialogue:connected} has been sent: broadcasts to every connection may include it. */
  void announced() {
    announced = true;
  }

  boolean isAnnounced() {
    return announced;
  }

  public boolean emit(OutboundEvent event) {
    return open && session.sendEvent(event);
  }

  /** Sends an ack on {@code from}, the session the request came on, if it is still this one's. */
  void ack(Session from, long ackId, RawValue result) {
    Session s = session;
    if (open && s == from) {
      s.sendAck(ackId, result);
    }
  }

  /** Whether the application (or the server itself) asked this connection to end. */
  boolean endRequested() {
    return endRequested;
  }

  /** Marks the connection closed: nothing more is written to it. */
  void markClosed() {
    open = false;
  }

  Life life() {
    return life;
  }

  /** {@code from} to {@code to}, if the connection is still at {@code from}. */
  boolean move(Life from, Life to) {
    return LIFE.compareAndSet(this, from, to);
  }

  /** To {@link Life#ENDED} from anywhere; the life it had, or null if it had ended already. */
  Life end() {
    Life was = (Life) LIFE.getAndSet(this, Life.ENDED);
    return was == Life.ENDED ? null : was;
  }

  /**
   * A new session presented this connection's resumption token: claims the connection for it if it
   * dropped, or is live on a session the client has given up (its side saw the drop first).
   */
  boolean claimForResume() {
    return move(Life.DROPPED, Life.RESUMING) || move(Life.LIVE, Life.RESUMING);
  }

  /**
   * Takes the resuming session; nothing is written until {@link #reopen()}. Returns the session it
   * replaces.
   */
  synchronized Session rebind(Session next) {
    Session previous = session;
    open = false;
    announced = false;
    session = next;
    return previous;
  }

  /**
   * Under this connection's lock, in {@link ConnectionLifecycle#connected}: the resumed session
   * writes.
   */
  void reopen() {
    open = true;
    life = Life.LIVE;
  }

  /** Remembers how to cancel the end of the grace; cancels the previous one. */
  synchronized void graceEnd(Deadlines.Handle handle) {
    if (graceEnd != null) {
      graceEnd.cancel();
    }
    graceEnd = handle;
  }
}
