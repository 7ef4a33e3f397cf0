package dev.dialogue.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dialogue.client.ConnectionState;
import dev.dialogue.client.DialogueClientException;
import dev.dialogue.client.EventMessage;
import dev.dialogue.test.ChatApp.Half;
import dev.dialogue.test.ChatApp.Halved;
import dev.dialogue.test.ChatApp.Message;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The kit against a real server on a free port, as an application's test would use it. */
@Timeout(60)
class DialogueServerExtensionTest {
  static final TestClock CLOCK = TestClock.atFixedStart();

  @RegisterExtension
  static DialogueServerExtension server =
      DialogueServerExtension.of(() -> ChatApp.builder(CLOCK)).timeout(Duration.ofSeconds(10));

  @Test
  void theApplicationsServerRunsOnLoopbackAndAFreePort() throws Exception {
    assertThat(server.port()).isNotEqualTo(3000).isPositive();
    assertThat(server.url()).isEqualTo("http://127.0.0.1:" + server.port());
    assertThat(server.dialogue().room("chat")).isPresent();
    HttpResponse<String> handshake =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create(server.url() + "/socket.io/?EIO=4&transport=polling"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(handshake.statusCode()).isEqualTo(200);
    assertThat(handshake.body()).startsWith("0{\"sid\"");
  }

  @Test
  void aMessageReachesEveryMemberInOrder_andNothingMore() {
    TestRoom alice = server.client("alice").join("chat");
    Recorder<Message> bobSees = server.client("bob").join("chat").record(ChatApp.MESSAGE);

    alice.send(ChatApp.MESSAGE, new Message("one"));
    alice.send(ChatApp.MESSAGE, new Message("two"));
    alice.send(ChatApp.MESSAGE, new Message("three"));

    assertThat(bobSees.next().text()).isEqualTo("one");
    assertThat(bobSees.await(2)).extracting(Message::text).containsExactly("two", "three");
    bobSees.assertNoMore(Duration.ofMillis(200));
    assertThat(bobSees.count()).isEqualTo(3);
  }

  @Test
  void recordMessages_keepsTheEnvelope() {
    TestClient carol = server.client("carol");
    Recorder<EventMessage> seen = carol.join("chat").recordMessages("message");
    server.client("dave").join("chat").send("message", new Message("from dave"));

    EventMessage message = seen.next();
    assertThat(message.from()).isEqualTo("dave");
    assertThat(message.data(Message.class).text()).isEqualTo("from dave");
  }

  @Test
  void recordSubscribesFirst_soAnEventRightAfterItIsRecorded() {
    // "note" is not a default subscription: record() must subscribe before it returns.
    TestRoom erin = server.client("erin").join("lobby");
    Recorder<Message> notes = erin.record("note", Message.class);
    server.dialogue().trigger("lobby", "note", Map.of("text", "from the server"));
    assertThat(notes.next().text()).isEqualTo("from the server");
  }

  @Test
  void awaitMatching_skipsTheOthers_andLeavesWhatFollows() {
    TestRoom frank = server.client("frank").join("chat");
    Recorder<Message> seen = frank.record("message", Message.class);
    for (String text : List.of("a", "b", "target", "c")) {
      frank.send("message", new Message(text));
    }
    assertThat(seen.awaitMatching(m -> m.text().equals("target")).text()).isEqualTo("target");
    assertThat(seen.next().text()).isEqualTo("c");
  }

  @Test
  void waitsFail_withWhatWasExpectedAndWhatCame() {
    TestRoom grace = server.client("grace").join("chat");
    Recorder<Message> seen = grace.record("message", Message.class);

    assertThatThrownBy(() -> seen.next(Duration.ofMillis(100)))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("expected 1 more 'message' events in room 'chat' for grace")
        .hasMessageContaining("but 0 arrived");

    grace.send("message", new Message("unexpected"));
    assertThatThrownBy(() -> seen.assertNoMore(Duration.ofSeconds(5)))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("expected no more")
        .hasMessageContaining("unexpected");

    assertThatThrownBy(() -> seen.awaitMatching(m -> false, Duration.ofMillis(100)))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("expected a matching value");
  }

  @Test
  void refusalsComeAsTheClientsException() {
    TestClient heidi = server.client("heidi");
    assertThatThrownBy(() -> heidi.join("nowhere"))
        .isInstanceOfSatisfying(
            DialogueClientException.class, e -> assertThat(e.code()).isEqualTo("ROOM_NOT_FOUND"));
    TestRoom chat = heidi.join("chat");
    assertThatThrownBy(() -> chat.send("message", new Message(" ")))
        .isInstanceOfSatisfying(
            DialogueClientException.class,
            e -> assertThat(e.code()).isEqualTo("VALIDATION_FAILED"));
  }

  @Test
  void commands_resultAndApplicationError() {
    TestClient ivan = server.client("ivan");
    assertThat(ivan.request("halve", new Half(42), Halved.class).half()).isEqualTo(21);
    assertThat(ivan.request(ChatApp.HALVE, new Half(10)).half()).isEqualTo(5);
    assertThatThrownBy(() -> ivan.request("halve", new Half(3), Halved.class))
        .isInstanceOfSatisfying(
            DialogueClientException.class,
            e -> {
              assertThat(e.code()).isEqualTo("ODD");
              assertThat(e.getMessage()).contains("3 is odd");
            });
  }

  @Test
  void eventsSentToOneConnection_areRecordedOnTheClient() {
    TestClient quinn = server.client("quinn");
    Recorder<Message> direct = quinn.record("notice", Message.class);
    server.dialogue().clients("quinn").forEach(c -> c.send("notice", new Message("just you")));
    assertThat(direct.next().text()).isEqualTo("just you");
  }

  @Test
  void theServerReadsTheTestClock() {
    TestRoom judy = server.client("judy").join("chat");
    Recorder<EventMessage> seen = judy.recordMessages("message");

    judy.send("message", new Message("now"));
    assertThat(seen.next().timestamp()).isEqualTo(CLOCK.millis());

    long before = CLOCK.millis();
    CLOCK.advance(Duration.ofMinutes(5));
    judy.send("message", new Message("later"));
    assertThat(seen.next().timestamp()).isEqualTo(before + Duration.ofMinutes(5).toMillis());
  }

  @Test
  void aDroppedClientIsOffUntilRestored_thenComesBackWithWhatItMissed() {
    TestRoom kim = server.client("kim").join("chat");
    TestClient lee = server.client("lee");
    Recorder<Message> leeSees = lee.join("chat").record("message", Message.class);

    lee.drop();
    lee.awaitDisconnected();
    assertThat(lee.state()).isEqualTo(ConnectionState.RECONNECTING);
    kim.send("message", new Message("while lee was away"));
    // Refused until restored: lee does not come back by itself and hears nothing.
    leeSees.assertNoMore(Duration.ofMillis(500));
    assertThat(lee.state()).isEqualTo(ConnectionState.RECONNECTING);

    lee.restore();
    lee.awaitReconnected();
    assertThat(leeSees.next().text()).isEqualTo("while lee was away");
    kim.send("message", new Message("welcome back"));
    assertThat(leeSees.next().text()).isEqualTo("welcome back");
  }

  @Test
  void aBlackHoledClientHearsNothingUntilRestored_thenEverythingHeld() {
    TestRoom mia = server.client("mia").join("chat");
    TestClient ned = server.client("ned");
    Recorder<Message> nedSees = ned.join("chat").record("message", Message.class);

    ned.blackHole();
    mia.send("message", new Message("held"));
    nedSees.assertNoMore(Duration.ofMillis(500));

    ned.restore();
    assertThat(nedSees.next().text()).isEqualTo("held");
    assertThat(ned.state()).isEqualTo(ConnectionState.CONNECTED);
  }

  @Test
  void presenceIsRecorded() {
    TestRoom olga = server.client("olga").join("chat");
    Recorder<PresenceChange> presence = olga.recordPresence();
    TestClient pat = server.client("pat");
    pat.join("chat");
    assertThat(presence.awaitMatching(p -> p.joined().contains("pat"))).isNotNull();
    pat.close();
    assertThat(presence.awaitMatching(p -> p.left().contains("pat"))).isNotNull();
  }
}
