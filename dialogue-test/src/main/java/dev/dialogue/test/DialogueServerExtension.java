package dev.dialogue.test;

import static java.util.Objects.requireNonNull;

import dev.dialogue.Dialogue;
import dev.dialogue.client.DialogueClient;
import dev.dialogue.testing.FaultProxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A JUnit 5 extension that runs the application's own server in the test's process, on 127.0.0.1
 * and a free port, and hands out connected {@link TestClient}s.
 *
 * <pre>{@code
 * class ChatTest {
 *   @RegisterExtension
 *   static DialogueServerExtension server = DialogueServerExtension.of(() -> ChatApp.builder());
 *
 *   @Test
 *   void aMessageReachesTheRoom() {
 *     TestRoom alice = server.client("alice").join("chat");
 *     Recorder<Message> bobSees = server.client("bob").join("chat").record("message", Message.class);
 *     alice.send("message", new Message("hi"));
 *     assertThat(bobSees.next().text()).isEqualTo("hi");
 *   }
 * }
 * }</pre>
 *
 * <p>The supplier returns the application's {@link Dialogue.Builder}, configured as in production
 * (rooms, events, commands, policies, hooks); the extension then sets {@code host("127.0.0.1")} and
 * {@code port(0)} on it, builds and starts it. How long one server lives depends on the field:
 *
 * <ul>
 *   <li>a {@code static} field: one server for the whole class, started before the first test
 *       (before {@code @BeforeAll} methods) and stopped after the last. Faster; the tests share the
 *       server's state (rooms created, history), so use distinct rooms or users where that matters.
 *       {@code @Nested} classes share the outer class's server.
 *   <li>an instance field: a new server for every test, started before {@code @BeforeEach} methods
 *       and stopped after {@code @AfterEach} methods. Every test starts from a fresh server.
 * </ul>
 *
 * <p>Clients made during a test (or in {@code @BeforeEach}) are closed after it; clients made in
 * {@code @BeforeAll} are closed after the class. Every call that waits (connecting, joining,
 * recorders, reconnection) gives up after {@link #timeout(Duration)} (default 10 seconds) with an
 * {@link AssertionError}.
 *
 * <p>The tests of one class must run one at a time (JUnit's default): the clients of a test are
 * told apart by when they were made, not by which thread made them.
 *
 * <p>Outside JUnit, {@link #start()} and {@link #close()} run the same server by hand.
 */
public final class DialogueServerExtension
    implements BeforeAllCallback,
        AfterAllCallback,
        BeforeEachCallback,
        AfterEachCallback,
        AutoCloseable {
  /** The default wait of every blocking call and recorder. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

  /** Starts one server and says how to stop it. */
  private final Supplier<Started> application;

  private record Started(Dialogue dialogue, AutoCloseable stop) {}

  private Duration timeout = DEFAULT_TIMEOUT;
  private Consumer<DialogueClient.Builder> clientDefaults = builder -> {};
  private final List<TestClient> classClients = new ArrayList<>();
  private final List<TestClient> testClients = new ArrayList<>();
  private volatile Dialogue dialogue;
  private AutoCloseable stop;
  private int classDepth;
  private boolean inTest;
  private boolean serverPerTest;

  private DialogueServerExtension(Supplier<Started> application) {
    this.application = application;
  }

  /**
   * An extension for the server that {@code application} builds: called once per server (once per
   * class or once per test, see above), it returns the application's builder, not yet built.
   */
  public static DialogueServerExtension of(Supplier<Dialogue.Builder> application) {
    requireNonNull(application, "application == null");
    return new DialogueServerExtension(
        () -> {
          Dialogue.Builder builder =
              requireNonNull(application.get(), "the application's supplier returned null");
          Dialogue started = builder.host("127.0.0.1").port(0).build().start();
          return new Started(started, started::stop);
        });
  }

  /**
   * An extension for an application that starts its own server, for one that does more than build a
   * {@link Dialogue} (opens a database, creates rooms, seeds data after the start): {@code start}
   * starts the application, listening on 127.0.0.1 and a free port (the extension cannot set that
   * here: pass it in the application's own options), and {@code server} gives its running {@link
   * Dialogue}. Closing the application stops it.
   *
   * <pre>{@code
   * @RegisterExtension
   * static DialogueServerExtension chat =
   *     DialogueServerExtension.ofApplication(
   *         () -> ChatServer.start(options.withPort(0)), ChatServer::dialogue);
   * }</pre>
   */
  public static <A extends AutoCloseable> DialogueServerExtension ofApplication(
      Supplier<A> start, Function<? super A, Dialogue> server) {
    requireNonNull(start, "start == null");
    requireNonNull(server, "server == null");
    return new DialogueServerExtension(
        () -> {
          A app = requireNonNull(start.get(), "the application's start returned null");
          Dialogue running;
          try {
            running = requireNonNull(server.apply(app), "the application has no server");
          } catch (RuntimeException e) {
            closeQuietly(app);
            throw e;
          }
          return new Started(running, app);
        });
  }

  private static void closeQuietly(AutoCloseable closeable) {
    try {
      closeable.close();
    } catch (Exception e) {
      // already failing: the first failure is the one to report
    }
  }

  /**
   * How long every blocking call and recorder of this extension's clients waits (default {@link
   * #DEFAULT_TIMEOUT}); also the clients' request timeout.
   *
   * @throws IllegalArgumentException if not positive
   */
  public DialogueServerExtension timeout(Duration timeout) {
    requireNonNull(timeout, "timeout == null");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive but was " + timeout);
    }
    this.timeout = timeout;
    return this;
  }

  /**
   * Applied to every client's builder after the kit's settings (auth, a reconnect back-off of 50 to
   * 500 ms, the request timeout) and before the per-client ones of {@link #client(Map, Consumer)}.
   */
  public DialogueServerExtension clientDefaults(Consumer<DialogueClient.Builder> defaults) {
    this.clientDefaults = requireNonNull(defaults, "defaults == null");
    return this;
  }

  // ---- JUnit's callbacks ----

  /** Starts the class's server (a {@code static} field). */
  @Override
  public synchronized void beforeAll(ExtensionContext context) {
    if (classDepth++ == 0) {
      start();
    }
  }

  /** Starts the test's server (an instance field), or notes that a test runs. */
  @Override
  public synchronized void beforeEach(ExtensionContext context) {
    if (dialogue == null) {
      serverPerTest = true;
      start();
    }
    inTest = true;
  }

  /** Closes the test's clients, and stops the test's server (an instance field). */
  @Override
  public void afterEach(ExtensionContext context) {
    List<TestClient> clients;
    synchronized (this) {
      inTest = false;
      clients = List.copyOf(testClients);
      testClients.clear();
    }
    closeAll(clients);
    if (serverPerTest) {
      close();
    }
  }

  /** Closes the class's clients and stops the class's server. */
  @Override
  public void afterAll(ExtensionContext context) {
    synchronized (this) {
      if (--classDepth > 0) {
        return;
      }
    }
    close();
  }

  // ---- by hand ----

  /**
   * Builds the application's server on 127.0.0.1, port 0, and starts it; does nothing if it is
   * running. JUnit calls this; call it only when using the extension without JUnit.
   *
   * @throws IllegalStateException if the application's server cannot be built or started
   */
  public synchronized DialogueServerExtension start() {
    if (dialogue != null) {
      return this;
    }
    Started started = application.get();
    stop = started.stop();
    dialogue = started.dialogue();
    return this;
  }

  /** Closes every client and stops the server; idempotent. JUnit calls this. */
  @Override
  public void close() {
    List<TestClient> clients;
    AutoCloseable running;
    synchronized (this) {
      clients = new ArrayList<>(testClients);
      clients.addAll(classClients);
      testClients.clear();
      classClients.clear();
      running = dialogue == null ? null : stop;
      dialogue = null;
      stop = null;
    }
    closeAll(clients);
    if (running != null) {
      try {
        running.close();
      } catch (Exception e) {
        throw new IllegalStateException("stopping the application failed: " + e, e);
      }
    }
  }

  // ---- for the tests ----

  /**
   * The running server, for server-side calls ({@code trigger}, {@code room(...)}, {@code
   * clients(...)}).
   *
   * @throws IllegalStateException outside the extension's lifetime (see the class comment)
   */
  public Dialogue dialogue() {
    Dialogue running = dialogue;
    if (running == null) {
      throw new IllegalStateException(
          "no server is running: register the extension with @RegisterExtension and call this"
              + " from a test or a lifecycle method");
    }
    return running;
  }

  /** The server's port on 127.0.0.1. */
  public int port() {
    return dialogue().port();
  }

  /**
   * The server's URL, {@code http://127.0.0.1:PORT}: for other clients (a browser, Node, any
   * Socket.IO client). Kit clients do not use it: they connect through their own proxy.
   */
  public String url() {
    return "http://127.0.0.1:" + port();
  }

  /**
   * A client connected as {@code userId} in development mode ({@code auth: {userId}}); waits until
   * the server identified it.
   *
   * @throws AssertionError if it is not connected within the timeout
   * @throws dev.dialogue.client.DialogueClientException if the server refused the connection
   */
  public TestClient client(String userId) {
    requireNonNull(userId, "userId == null");
    return client(Map.of("userId", userId), builder -> {});
  }

  /**
   * A client that connects with {@code auth} (for example {@code Map.of("userId", "root", "role",
   * "admin")}, or {@code Map.of("token", jwt)} with an authenticator); waits until connected.
   */
  public TestClient client(Map<String, String> auth) {
    return client(auth, builder -> {});
  }

  /**
   * A client that connects with {@code auth}, its builder adjusted by {@code configure} last (for
   * example {@code b -> b.transports("polling")}); waits until connected.
   */
  public TestClient client(Map<String, String> auth, Consumer<DialogueClient.Builder> configure) {
    requireNonNull(auth, "auth == null");
    requireNonNull(configure, "configure == null");
    String name = auth.getOrDefault("userId", "client");
    FaultProxy proxy = FaultProxy.to(port());
    TestClient client;
    try {
      DialogueClient.Builder builder =
          DialogueClient.builder("http://127.0.0.1:" + proxy.port())
              .auth(auth)
              .requestTimeout(timeout)
              .reconnectBackoff(Duration.ofMillis(50), Duration.ofMillis(500), 0.5);
      clientDefaults.accept(builder);
      configure.accept(builder);
      client = new TestClient(name, builder.build(), proxy, timeout);
    } catch (RuntimeException e) {
      proxy.close();
      throw e;
    }
    synchronized (this) {
      (inTest ? testClients : classClients).add(client);
    }
    try {
      client.connect();
    } catch (RuntimeException | Error e) {
      client.close();
      throw e;
    }
    return client;
  }

  /** The timeout of every wait; see {@link #timeout(Duration)}. */
  public Duration timeout() {
    return timeout;
  }

  private static void closeAll(List<TestClient> clients) {
    RuntimeException failure = null;
    for (int i = clients.size() - 1; i >= 0; i--) {
      try {
        clients.get(i).close();
      } catch (RuntimeException e) {
        if (failure == null) {
          failure = e;
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }
}
