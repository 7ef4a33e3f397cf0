package dev.dialogue;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dialogue.internal.Wire;
import dev.dialogue.internal.socketio.Internals;
import dev.dialogue.testing.Await;
import dev.dialogue.testing.RawClient;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link DialogueObserver}: what the server tells an observer, and that none costs nothing. */
@Timeout(30)
class DialogueObserverTest {

  /** Records each call as one line, such as {@code joined lobby}. */
  static final class Recording implements DialogueObserver {
    final ConcurrentLinkedQueue<String> calls = new ConcurrentLinkedQueue<>();
    final AtomicLong writtenBytes = new AtomicLong();
    final AtomicLong writtenDeliveries = new AtomicLong();
    final AtomicReference<Dialogue> started = new AtomicReference<>();

    @Override
    public void onStart(Dialogue server, Executor hooks) {
      started.set(server);
    }

    @Override
    public void onConnected(String transport, boolean resumed) {
      calls.add("connected " + transport + " " + resumed);
    }

    @Override
    public void onDisconnected(String reason) {
      calls.add("disconnected " + reason);
    }

    @Override
    public void onHandshakeRefused(String reason) {
      calls.add("handshakeRefused " + reason);
    }

    @Override
    public void onJoined(String roomId) {
      calls.add("joined " + roomId);
    }

    @Override
    public void onLeft(String roomId, String reason) {
      calls.add("left " + roomId + " " + reason);
    }

    @Override
    public void onRecovery(String roomId, boolean recovered) {
      calls.add("recovery " + roomId + " " + recovered);
    }

    @Override
    public void onRefused(String request, String code) {
      calls.add("refused " + request + " " + code);
    }

    @Override
    public void onPublished(String roomId, String eventName, boolean defined, int recipients) {
      calls.add("published " + roomId + " " + eventName + " " + defined + " " + recipients);
    }

    @Override
    public void onWritten(long nanos, int deliveries, long bytes) {
      writtenDeliveries.addAndGet(deliveries);
      writtenBytes.addAndGet(bytes);
    }

    @Override
    public void onHook(String hook, long nanos) {
      if (nanos >= 0) {
        calls.add("hook " + hook);
      }
    }

    void await(String call) {
      Await.until("observer call '" + call + "' in " + calls, () -> calls.contains(call));
    }
  }

  @Test
  void observer_isToldOfConnectsJoinsPublishesWritesLeavesAndDisconnects() {
    Recording observer = new Recording();
    try (Dialogue server = TestServers.builder().observer(observer).build().start()) {
      assertThat(observer.started.get()).isSameAs(server);
      RawClient alice = RawClient.connectAs(server.port(), "alice");
      observer.await("connected websocket false");
      try (RawClient pat = RawClient.open(server.port(), Map.of("userId", "pat"), "polling")) {
        pat.awaitConnected();
        observer.await("connected polling false");
      }
      HistoryTest.ack(alice, Wire.JOIN, Map.of("roomId", "lobby"));
      HistoryTest.ack(alice, Wire.JOIN, Map.of("roomId", "chat"));
      observer.await("joined lobby");

      server.trigger("lobby", "tick", Map.of("n", 1));
      server.trigger("chat", "message", Map.of("text", "hi"));
      alice.take(Wire.EVENT);
      alice.take(Wire.EVENT);
      observer.await("published lobby tick false 1");
      observer.await("published chat message true 1");
      // Chat's presence diff is a broadcast too.
      Await.until("both events written", () -> observer.writtenDeliveries.get() >= 2);
      assertThat(observer.writtenBytes.get()).as("frame bytes").isGreaterThan(40);

      HistoryTest.ack(alice, Wire.LEAVE, Map.of("roomId", "lobby"));
      observer.await("left lobby leave");
      alice.close();
      observer.await("disconnected client namespace disconnect");
      observer.await("left chat disconnect");
    }
  }

  @Test
  void observer_isToldOfRefusedRequestsByRequestAndCode() {
    Recording observer = new Recording();
    try (Dialogue server = TestServers.builder().observer(observer).build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice");
        RawClient bob = RawClient.connectAs(server.port(), "bob")) {
      HistoryTest.ack(alice, Wire.JOIN, Map.of("roomId", "tiny"));
      JsonNode full = bob.request(Wire.JOIN, Map.of("roomId", "tiny"));
      assertThat(full.path("error").path("code").asText()).isEqualTo("ROOM_FULL");
      observer.await("refused dialogue:join ROOM_FULL");

      bob.request("dialogue:noSuchRequest", Map.of());
      observer.await("refused other INVALID_REQUEST");
      assertThat(observer.calls).noneMatch(c -> c.contains("noSuchRequest"));
    }
  }

  @Test
  void observer_isToldOfRefusedHandshakes() {
    Recording observer = new Recording();
    try (Dialogue server =
            TestServers.builder()
                .observer(observer)
                .authenticator(handshake -> AuthResult.reject("no"))
                .build()
                .start();
        RawClient refused = RawClient.open(server.port(), Map.of("token", "x"), true)) {
      assertThat(refused.connectError()).isEqualTo("no");
      observer.await("handshakeRefused unauthenticated");
    }
    Recording malformed = new Recording();
    try (Dialogue server = TestServers.builder().observer(malformed).build().start();
        RawClient refused =
            RawClient.open(server.port(), Map.of("userId", "a", "rejoin", "not a list"), true)) {
      assertThat(refused.connectError()).contains("Invalid auth payload");
      malformed.await("handshakeRefused invalid_auth");
    }
  }

  @Test
  void observer_isToldOfRecoveryOutcomes() {
    Recording observer = new Recording();
    try (Dialogue server = TestServers.builder().observer(observer).build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      JsonNode joined = HistoryTest.ack(alice, Wire.JOIN, Map.of("roomId", "chat"));
      String epoch = joined.path("epoch").asText();
      server.trigger("chat", "message", Map.of("text", "missed"));
      HistoryTest.ack(alice, Wire.LEAVE, Map.of("roomId", "chat"));
      HistoryTest.ack(alice, Wire.JOIN, RecoveryTest.since(0, epoch));
      observer.await("recovery chat true");
      HistoryTest.ack(alice, Wire.LEAVE, Map.of("roomId", "chat"));
      HistoryTest.ack(alice, Wire.JOIN, RecoveryTest.since(0, "another-epoch"));
      observer.await("recovery chat false");
    }
  }

  @Test
  void hooks_areTimedByKind() {
    Recording observer = new Recording();
    DialogueListener listener = new DialogueListener() {};
    try (Dialogue server =
            TestServers.builder()
                .observer(observer)
                .listener(listener)
                .joinPolicy((client, room) -> Decision.allow())
                .build()
                .start();
        RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      HistoryTest.ack(alice, Wire.JOIN, Map.of("roomId", "lobby"));
      observer.await("hook onConnected");
      observer.await("hook joinPolicy");
      observer.await("hook onJoined");
    }
  }

  @Test
  void aFailingObserver_isLogged_andDeliveryGoesOn() {
    Recording second = new Recording();
    DialogueObserver failing =
        new DialogueObserver() {
          @Override
          public void onPublished(String roomId, String eventName, boolean defined, int n) {
            throw new IllegalStateException("observer bug");
          }
        };
    try (Dialogue server =
            TestServers.builder().observer(failing).observer(second).build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      HistoryTest.ack(alice, Wire.JOIN, Map.of("roomId", "lobby"));
      server.trigger("lobby", "tick", Map.of());
      assertThat(alice.take(Wire.EVENT).data().path("event").asText()).isEqualTo("tick");
      second.await("published lobby tick false 1");
    }
  }

  @Test
  void withoutObserver_theServerCallsTheSharedNoOp() {
    try (Dialogue server = TestServers.builder().build()) {
      assertThat(Internals.settings(server).runtime().observer()).isSameAs(DialogueObserver.NONE);
    }
    try (Dialogue server = TestServers.builder().observer(new Recording()).build()) {
      assertThat(Internals.settings(server).runtime().observer())
          .isNotSameAs(DialogueObserver.NONE);
    }
  }
}
