package dev.dialogue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dialogue.testing.Browser;
import dev.dialogue.testing.FaultProxy;
import dev.dialogue.testing.MutableClock;
import dev.dialogue.testing.RawClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The browser client ({@code dialogue.js}, in Chromium) and the disconnect grace
 * (docs/lifecycle.md): cut by a {@link FaultProxy}, it comes back into the same connection with its
 * resumption token, and recovers what it missed; past the grace it is gone. The counterpart of the
 * Java client's {@code LifecycleTest}.
 */
@Timeout(60)
class BrowserLifecycleTest {
  private static final EventDefinition<TestServers.Message> MESSAGE =
      EventDefinition.builder("message", TestServers.Message.class).history(1_000).build();

  private static Browser browser;
  private final List<AutoCloseable> closeables = new ArrayList<>();
  private final MutableClock clock = MutableClock.atFixedStart();
  private final List<String> lines = new ArrayList<>();

  @BeforeAll
  static void startBrowser() {
    browser = new Browser();
  }

  @AfterAll
  static void stopBrowser() {
    if (browser != null) {
      browser.close();
    }
  }

  @AfterEach
  void closeAll() throws Exception {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      closeables.get(i).close();
    }
  }

  private Dialogue server() {
    Dialogue server =
        Dialogue.builder()
            .host("127.0.0.1")
            .port(0)
            .clock(clock)
            .disconnectGrace(Duration.ofMinutes(1))
            .listener(
                new DialogueListener() {
                  @Override
                  public void onDropped(ClientConnection client, String reason) {
                    line("dropped " + client.userId());
                  }

                  @Override
                  public void onResumed(ClientConnection client) {
                    line("resumed " + client.userId());
                  }

                  @Override
                  public void onGone(ClientConnection client) {
                    line("gone " + client.userId());
                  }

                  @Override
                  public void onLeft(ClientConnection client, Room room) {
                    line("left " + client.userId());
                  }
                })
            .room(
                RoomConfig.builder("duel", "Duel")
                    .events(MESSAGE)
                    .defaultSubscriptions("message")
                    .maxSize(2)
                    .presence(true)
                    .build())
            .build()
            .start();
    closeables.add(server);
    browser.open(server.port());
    return server;
  }

  private void line(String line) {
    synchronized (lines) {
      lines.add(line);
      lines.notifyAll();
    }
  }

  private void awaitLine(String line) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    synchronized (lines) {
      while (!lines.contains(line)) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError("no '" + line + "' within 15 s: " + lines);
        }
        TimeUnit.NANOSECONDS.timedWait(lines, left);
      }
    }
  }

  private List<String> lines() {
    synchronized (lines) {
      return List.copyOf(lines);
    }
  }

  private FaultProxy cutAfterJoining(Dialogue server) throws InterruptedException {
    FaultProxy proxy = FaultProxy.to(server.port());
    closeables.add(proxy);
    RawClient bob = RawClient.connectAs(server.port(), "bob");
    closeables.add(bob);
    browser.run(
        """
        window.alice = Dialogue.connect('http://127.0.0.1:%d', {auth: {userId: 'alice'},
            requestTimeout: 2000, connectTimeout: 15000, reconnect: {initial: 50, max: 200, jitter: 0.5}});
        await alice.connect();
        window.firstId = alice.clientId;
        window.room = await alice.join('duel');
        window.received = [];
        room.on('message', (d, e) => received.push(d.text));
        window.removed = [];
        room.onRemoved((e) => removed.push(e.code));
        """
            .formatted(proxy.port()));
    bob.join("duel");
    proxy.refuse(true);
    proxy.reset();
    awaitLine("dropped alice");
    return proxy;
  }

  @Test
  void cutWithinTheGrace_resumesTheSameConnection_andRecoversWhatItMissed() throws Exception {
    Dialogue server = server();
    FaultProxy proxy = cutAfterJoining(server);
    server.trigger("duel", MESSAGE, new TestServers.Message("while away"));
    RawClient carol = RawClient.connectAs(server.port(), "carol");
    closeables.add(carol);
    carol.emit("dialogue:join", Map.of("roomId", "duel"));
    assertThat(carol.takeError().path("code").asText()).isEqualTo("ROOM_FULL");

    proxy.restore();
    awaitLine("resumed alice");
    browser.await("received.length >= 1");
    server.trigger("duel", MESSAGE, new TestServers.Message("after"));
    browser.await("received.length >= 2");
    assertThat(browser.eval("received")).isEqualTo(List.of("while away", "after"));
    assertThat(browser.eval("alice.clientId === firstId")).isEqualTo(true);
    assertThat(lines()).doesNotContain("left alice", "gone alice");
  }

  @Test
  void cutPastTheGrace_isGone_andTheReconnectIsANewConnection() throws Exception {
    Dialogue server = server();
    FaultProxy proxy = cutAfterJoining(server);
    clock.advance(Duration.ofSeconds(61));
    awaitLine("gone alice");
    awaitLine("left alice");

    proxy.restore();
    browser.await("alice.state === 'connected' && alice.clientId !== firstId");
    assertThat(lines()).doesNotContain("resumed alice");
  }
}
