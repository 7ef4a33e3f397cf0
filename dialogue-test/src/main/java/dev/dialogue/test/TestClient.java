package dev.dialogue.test;

import static java.util.Objects.requireNonNull;

import dev.dialogue.CommandDefinition;
import dev.dialogue.client.ConnectionState;
import dev.dialogue.client.DialogueClient;
import dev.dialogue.client.DialogueClientException;
import dev.dialogue.testing.FaultProxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A connected Java client ({@link DialogueClient}) for tests, from {@link
 * DialogueServerExtension#client(String)}: blocking calls with a timeout, recorders, and a network
 * between it and the server that the test can break.
 *
 * <p>Each test client reaches the server through its own {@link FaultProxy} on 127.0.0.1, so {@link
 * #drop()} and {@link #blackHole()} hit this client only. The client reconnects by itself as a real
 * one does (quickly: the kit sets a short back-off), re-joins its rooms and gets the events it
 * missed; {@link #restore()} lets it through again and {@link #awaitReconnected()} waits until it
 * is back.
 *
 * <pre>{@code
 * TestClient bob = server.client("bob");
 * Recorder<Message> inbox = bob.join("chat").record("message", Message.class);
 * bob.drop();                       // cut, and the server stays unreachable for bob
 * alice.join("chat").send("message", new Message("while you were away"));
 * bob.restore();
 * bob.awaitReconnected();
 * assertThat(inbox.next().text()).isEqualTo("while you were away");
 * }</pre>
 *
 * <p>Closed by the extension after the test (or after the class, for a client made in
 * {@code @BeforeAll}); {@link #close()} may be called earlier. Blocking calls throw the server's
 * refusal as the client's {@link DialogueClientException} and fail with an {@link AssertionError}
 * when no answer comes within the timeout.
 */
public final class TestClient implements AutoCloseable {
  private final String name;
  private final DialogueClient client;
  private final FaultProxy proxy;
  private final Duration timeout;
  private final List<AutoCloseable> recorders = new ArrayList<>();
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private long connects;
  private long connectsAtFault;
  private long disconnects;
  private long disconnectsAtFault;
  private volatile boolean closed;

  TestClient(String name, DialogueClient client, FaultProxy proxy, Duration timeout) {
    this.name = name;
    this.client = client;
    this.proxy = proxy;
    this.timeout = timeout;
    client.onConnect(() -> count(true));
    client.onDisconnect(reason -> count(false));
  }

  /** Connects and waits until the server identified this client. */
  void connect() {
    Waits.get(client.connect(), timeout, name + " connecting");
  }

  /**
   * The user id the server assigned (in development mode the one the client sent); before the first
   * connection, the name the client was made with.
   */
  public String userId() {
    String id = client.userId();
    return id != null ? id : name;
  }

  /** The client itself, for everything this class does not wrap. */
  public DialogueClient dialogueClient() {
    return client;
  }

  /** The proxy between this client and the server, for faults beyond drop and black hole. */
  public FaultProxy proxy() {
    return proxy;
  }

  /**
   * Joins a room and waits for the server's answer.
   *
   * @throws DialogueClientException the refusal, e.g. {@code ROOM_NOT_FOUND}, {@code JOIN_DENIED}
   */
  public TestRoom join(String roomId) {
    requireNonNull(roomId, "roomId == null");
    return new TestRoom(
        this,
        Waits.get(client.join(roomId), timeout, name + " joining room '" + roomId + "'"),
        timeout);
  }

  /**
   * Sends the global command {@code command} and waits for its result, read as {@code resultType}.
   *
   * @throws DialogueClientException the refusal: the application's code (a {@code CommandException}
   *     on the server) or the server's ({@code VALIDATION_FAILED}, {@code COMMAND_NOT_FOUND}, ...)
   */
  public <T> T request(String command, Object payload, Class<T> resultType) {
    return Waits.get(
        client.request(command, payload, resultType),
        timeout,
        name + " requesting '" + command + "'");
  }

  /**
   * {@link #request(String, Object, Class)} typed by the application's own definition of the
   * command: a request of its type, a result of its type.
   */
  public <Req, Res> Res request(CommandDefinition<Req, Res> command, Req payload) {
    requireNonNull(command, "command == null");
    return request(command.name(), payload, command.resultType());
  }

  /**
   * Records the payloads of events the server sends to this connection alone ({@code
   * ClientConnection.send}) named {@code eventName}, read as {@code type}.
   */
  public <T> Recorder<T> record(String eventName, Class<T> type) {
    requireNonNull(eventName, "eventName == null");
    requireNonNull(type, "type == null");
    Recorder<T> recorder =
        track(new Recorder<>("direct '" + eventName + "' events for " + name, timeout));
    recorder.stopWith(client.on(eventName, type, recorder::add));
    return recorder;
  }

  /**
   * Cuts the connection (a reset on both sides, as when a network fails abruptly) and keeps the
   * server unreachable for this client until {@link #restore()}: its reconnect attempts are
   * refused. The server sees the connection end at once.
   */
  public void drop() {
    markFault();
    proxy.refuse(true);
    proxy.reset();
  }

  /**
   * Holds every byte between this client and the server, both ways, until {@link #restore()}: what
   * a dead route does. Nothing is lost, and neither side notices until its heartbeat times out (the
   * server's {@code heartbeat} setting; shorten it in the application's builder for a test that
   * waits for that).
   */
  public void blackHole() {
    markFault();
    proxy.blackHole();
  }

  /**
   * Ends {@link #drop()} and {@link #blackHole()}: held bytes flow, and the client's next reconnect
   * attempt gets through.
   */
  public void restore() {
    proxy.restore();
  }

  /**
   * Waits until the client has lost its connection since the last {@link #drop()} or {@link
   * #blackHole()} (at once after a drop; after a black hole, when a heartbeat times out).
   */
  public void awaitDisconnected() {
    awaitDisconnected(timeout);
  }

  /** {@link #awaitDisconnected()} waiting up to {@code within}. */
  public void awaitDisconnected(Duration within) {
    waitUntil(() -> disconnects > disconnectsAtFault, within, "lose its connection");
  }

  /**
   * Waits until the client has connected again since the last {@link #drop()} or {@link
   * #blackHole()}, and the server has taken its re-joins: events the client missed meanwhile are
   * then on their way to it (recovered by offset), and a request sent now finds it back in its
   * rooms. Call {@link #restore()} first, or this waits in vain.
   */
  public void awaitReconnected() {
    awaitReconnected(timeout);
  }

  /** {@link #awaitReconnected()} waiting up to {@code within}. */
  public void awaitReconnected(Duration within) {
    waitUntil(
        () -> connects > connectsAtFault && client.state() == ConnectionState.CONNECTED,
        within,
        "connect again");
    // The re-joins were sent before the connect callback ran, and the server answers one
    // connection's requests in order: once this round trip is answered, they were handled.
    Waits.get(client.listRooms(), within, name + " listing rooms after reconnecting");
  }

  /** The connection state now. */
  public ConnectionState state() {
    return client.state();
  }

  /** Closes the client and its proxy; idempotent. Recorders keep what they recorded. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    List<AutoCloseable> toStop;
    synchronized (recorders) {
      toStop = List.copyOf(recorders);
    }
    for (AutoCloseable recorder : toStop) {
      try {
        recorder.close();
      } catch (Exception e) {
        // The client is going away anyway; its callbacks end with it.
      }
    }
    try {
      client.close();
    } finally {
      proxy.close();
    }
  }

  /** The name, the state and the proxy's port. */
  @Override
  public String toString() {
    return "TestClient[" + name + ", " + client.state() + ", via port " + proxy.port() + "]";
  }

  <R extends AutoCloseable> R track(R recorder) {
    if (closed) {
      throw new IllegalStateException(name + " is closed");
    }
    synchronized (recorders) {
      recorders.add(recorder);
    }
    return recorder;
  }

  private void markFault() {
    lock.lock();
    try {
      connectsAtFault = connects;
      disconnectsAtFault = disconnects;
    } finally {
      lock.unlock();
    }
  }

  private void count(boolean connected) {
    lock.lock();
    try {
      if (connected) {
        connects++;
      } else {
        disconnects++;
      }
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  private void waitUntil(java.util.function.BooleanSupplier done, Duration within, String what) {
    requireNonNull(within, "within == null");
    lock.lock();
    try {
      long left = within.toNanos();
      while (!done.getAsBoolean()) {
        if (left <= 0) {
          throw new AssertionError(
              name + " did not " + what + " within " + within + " (state " + client.state() + ")");
        }
        try {
          left = changed.awaitNanos(left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException(
              "interrupted while waiting for " + name + " to " + what, e);
        }
      }
    } finally {
      lock.unlock();
    }
  }
}
