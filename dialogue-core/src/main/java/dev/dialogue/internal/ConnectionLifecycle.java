package dev.dialogue.internal;

import dev.dialogue.DialogueObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A connection's life on the server (docs/lifecycle.md): its announcement once connected ({@code
 * dialogue:connected} with its resumption token), the disconnect grace of one whose transport
 * dropped (on the server's clock, {@link Deadlines}), its resumption by a new session, and its end
 * (the hooks, the rooms it leaves, then it is forgotten). Every step runs on the connection's
 * serial executor; the connection's own side of it is {@link ConnectionLife}.
 */
final class ConnectionLifecycle {
  private final Settings.LifecycleSettings lifecycle;
  private final Hooks hooks;
  private final Connections connections;
  private final Quotas quotas;
  private final Deadlines deadlines;
  private final DialogueObserver observer;

  /** A cluster's directory of connections ({@link Broker#directory()}), or null. */
  private final Broker.Directory directory;

  ConnectionLifecycle(
      Settings.LifecycleSettings lifecycle,
      Hooks hooks,
      Connections connections,
      Quotas quotas,
      Deadlines deadlines,
      Broker.Directory directory,
      DialogueObserver observer) {
    this.directory = directory;
    this.observer = observer;
    this.lifecycle = lifecycle;
    this.hooks = hooks;
    this.connections = connections;
    this.quotas = quotas;
    this.deadlines = deadlines;
  }

  /** See {@link Hub#connected}. */
  void connected(RealConnection connection) {
    boolean resumed;
    // Under the connection's lock: a send by server code that found it meanwhile waits for it
    // (RealConnection#emit), and so cannot overtake connected.
    synchronized (connection) {
      resumed = connection.life() == RealConnection.Life.RESUMING;
      if (resumed) {
        connection.reopen();
      }
      connections.add(connection);
      if (directory != null) {
        directory.update(connection.userId(), connection.id(), connection.rooms());
      }
      String token = lifecycle.graceOn() ? connections.issueToken(connection) : null;
      connection.emit(
          Wire.CONNECTED,
          new Wire.Connected(
              connection.id(),
              connection.userId(),
              token,
              resumed ? Boolean.TRUE : null,
              resumed ? List.copyOf(connection.rooms()) : null));
      connection.announced();
    }
    observer.onConnected(connection.session().transport(), resumed);
    if (resumed) {
      hooks.notify("onResumed", l -> l.onResumed(connection));
    } else {
      hooks.notify("onConnected", l -> l.onConnected(connection));
    }
  }

  /** See {@link Hub#resumable}. */
  RealConnection resumable(String token, String userId) {
    if (token == null || !lifecycle.graceOn()) {
      return null;
    }
    return connections.claim(token, userId);
  }

  /** See {@link Hub#resume}. */
  boolean resume(RealConnection connection, Session session) {
    if (connection.life() != RealConnection.Life.RESUMING) {
      return false;
    }
    if (connection.endRequested()) {
      end(connection, "disconnected by the server"); // disconnect() came as the client came back
      return false;
    }
    connection.graceEnd(null);
    for (String roomId : connection.rooms()) {
      Membership m = connection.membership(roomId);
      if (m != null) {
        m.room.hold(m);
      }
    }
    Session previous = connection.rebind(session);
    if (previous != session) {
      previous.close(); // already closed when it dropped; its client gave up on it otherwise
    }
    return true;
  }

  /** See {@link Hub#disconnected}. */
  void disconnected(RealConnection connection, Session session, String reason, boolean mayResume) {
    if (connection.session() != session) {
      return;
    }
    if (mayResume
        && lifecycle.graceOn()
        && !connection.endRequested()
        && connection.move(RealConnection.Life.LIVE, RealConnection.Life.DROPPED)) {
      connection.markClosed();
      long due = deadlines.now() + lifecycle.disconnectGrace().toMillis();
      connection.graceEnd(
          deadlines.at(due, () -> connection.serial.execute(() -> graceOver(connection, reason))));
      hooks.notify("onDropped", l -> l.onDropped(connection, reason));
      return;
    }
    if (connection.life() == RealConnection.Life.RESUMING) {
      return; // the session was given up; the resume takes the connection over
    }
    end(connection, reason);
  }

  private void graceOver(RealConnection connection, String reason) {
    if (connection.life() == RealConnection.Life.DROPPED) {
      end(connection, reason);
    }
  }

  /** A dropped connection that the application disconnected ends, on its serial executor. */
  void endDropped(RealConnection connection) {
    connection.serial.execute(() -> end(connection, "disconnected by the server"));
  }

  /** Ends every connection, each on its serial executor (the server is stopping). */
  void endAll(String reason) {
    for (RealConnection c : connections.all()) {
      c.serial.execute(() -> end(c, reason));
    }
  }

  /**
   * On the connection's serial executor: the hook sees the rooms, then the connection leaves each
   * (onLeft fires) and is forgotten. A dropped connection is gone first.
   */
  private void end(RealConnection connection, String reason) {
    RealConnection.Life was = connection.end();
    if (was == null) {
      return;
    }
    connection.markClosed();
    connection.graceEnd(null);
    // Its user's place is free at once: the client may connect again while onLeft still runs.
    quotas.connectionEnded(connection.userId());
    if (was == RealConnection.Life.DROPPED) {
      hooks.notify("onGone", l -> l.onGone(connection));
    }
    observer.onDisconnected(reason);
    hooks.notify("onDisconnected", l -> l.onDisconnected(connection, reason));
    List<CompletableFuture<Void>> left = new ArrayList<>();
    for (String roomId : connection.rooms()) {
      Membership m = connection.membership(roomId);
      if (m != null && m.room.remove(connection, connection::detach)) {
        observer.onLeft(roomId, "disconnect");
        left.add(
            m.room.code.runSerially(
                () -> hooks.notify("onLeft", l -> l.onLeft(connection, m.room.face()))));
      }
    }
    // Forgotten once every onLeft ran (on the rooms' executors): endAll waits for that.
    CompletableFuture<Void> all = CompletableFuture.allOf(left.toArray(CompletableFuture[]::new));
    connection.serial.holdUntil(all);
    all.whenComplete(
        (ok, failed) -> {
          connections.remove(connection);
          if (directory != null) {
            directory.removed(connection.userId(), connection.id());
          }
          connection.clearAttributes();
        });
  }
}
