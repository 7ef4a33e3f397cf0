package dev.dialogue.examples.reference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dialogue.client.DialogueClientException;
import dev.dialogue.client.EventMessage;
import dev.dialogue.examples.reference.ReferenceServer.Message;
import dev.dialogue.examples.reference.ReferenceServer.Total;
import dev.dialogue.test.DialogueServerExtension;
import dev.dialogue.test.PresenceChange;
import dev.dialogue.test.Recorder;
import dev.dialogue.test.TestClient;
import dev.dialogue.test.TestRoom;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The reference server through the test kit (dialogue-test), as an application would test its own
 * server: its real builder, Java clients that record what they receive, and a client whose network
 * the test cuts. {@link ReferenceServerTest} checks the same configuration on the wire, with a raw
 * Socket.IO client.
 */
@Timeout(120)
class ReferenceServerKitTest {
  /** One reference server for the class, in development mode; each test uses its own users. */
  @RegisterExtension
  static DialogueServerExtension server =
      DialogueServerExtension.of(() -> ReferenceServer.builder(Options.parse()));

  @Test
  void chat_aMessageReachesTheOthers_withItsSender() {
    TestRoom alice = server.client("alice").join("chat");
    Recorder<EventMessage> bobSees = server.client("bob").join("chat").recordMessages("message");

    alice.send("message", new Message("hello"));

    EventMessage message = bobSees.next();
    assertThat(message.from()).isEqualTo("alice");
    assertThat(message.data(Message.class).text()).isEqualTo("hello");
    assertThat(message.offset()).isNotNull();
  }

  @Test
  void chat_typingIsNotDeliveredByDefault_andBlankMessagesAreRefused() {
    TestRoom carol = server.client("carol").join("chat");
    Recorder<EventMessage> daveSees = server.client("dave").join("chat").recordAll();

    carol.send("typing", Map.of("isTyping", true));
    carol.send("message", new Message("after typing"));
    assertThatThrownBy(() -> carol.send("message", new Message("  ")))
        .isInstanceOfSatisfying(
            DialogueClientException.class,
            e -> {
              assertThat(e.code()).isEqualTo("VALIDATION_FAILED");
              assertThat(e.getMessage()).startsWith("Event 'message' validation failed: text");
            });

    // One order per room: had typing been delivered, it would have come first.
    assertThat(daveSees.next().event()).isEqualTo("message");
    daveSees.assertNoMore(Duration.ofMillis(200));
  }

  @Test
  void chat_presence_announcesWhoJoinsAndLeaves() {
    Recorder<PresenceChange> presence = server.client("erin").join("chat").recordPresence();
    TestClient frank = server.client("frank");
    frank.join("chat");
    presence.awaitMatching(change -> change.joined().contains("frank"));

    frank.close();
    presence.awaitMatching(change -> change.left().contains("frank"));
  }

  @Test
  void sum_answersTheSum_refusesNegatives_andRequiresBothNumbers() {
    TestClient grace = server.client("grace");

    assertThat(grace.request("sum", Map.of("a", 2, "b", 3), Total.class).sum()).isEqualTo(5);
    assertThat(grace.request("sum", Map.of("a", Integer.MAX_VALUE, "b", 1), Total.class).sum())
        .isEqualTo(Integer.MAX_VALUE + 1L);
    assertThatThrownBy(() -> grace.request("sum", Map.of("a", -1, "b", 3), Total.class))
        .isInstanceOfSatisfying(
            DialogueClientException.class,
            e -> {
              assertThat(e.code()).isEqualTo("NEGATIVE");
              assertThat(e.getMessage()).isEqualTo("a and b must not be negative");
              assertThat(e.data().path("a").asInt()).isEqualTo(-1);
              assertThat(e.data().path("b").asInt()).isEqualTo(3);
            });
    assertThatThrownBy(() -> grace.request("sum", Map.of("a", 1), Total.class))
        .isInstanceOfSatisfying(
            DialogueClientException.class,
            e -> {
              assertThat(e.code()).isEqualTo("VALIDATION_FAILED");
              assertThat(e.getMessage())
                  .isEqualTo("Command 'sum' validation failed: b: must not be null");
            });
  }

  @Test
  void secretAndVault_areForAdmins_andTheVaultDoesNotExistForOthers() {
    TestClient heidi = server.client("heidi");
    TestClient root = server.client(Map.of("userId", "root", "role", "admin"));

    assertThatThrownBy(() -> heidi.join("secret"))
        .isInstanceOfSatisfying(
            DialogueClientException.class,
            e -> {
              assertThat(e.code()).isEqualTo("JOIN_DENIED");
              assertThat(e.getMessage()).isEqualTo("admins only");
            });
    assertThatThrownBy(() -> heidi.join("vault"))
        .isInstanceOfSatisfying(
            DialogueClientException.class,
            e -> {
              assertThat(e.code()).isEqualTo("ROOM_NOT_FOUND");
              assertThat(e.getMessage()).isEqualTo("Room 'vault' does not exist");
            });
    assertThat(root.join("secret").id()).isEqualTo("secret");
    assertThat(root.join("vault").id()).isEqualTo("vault");
  }

  @Test
  void tiny_holdsOneConnection() {
    server.client("ivan").join("tiny");
    assertThatThrownBy(() -> server.client("judy").join("tiny"))
        .isInstanceOfSatisfying(
            DialogueClientException.class, e -> assertThat(e.code()).isEqualTo("ROOM_FULL"));
  }

  @Test
  void aDroppedClient_getsWhatItMissed_onceItsNetworkIsBack() {
    TestRoom kim = server.client("kim").join("chat");
    TestClient lee = server.client("lee");
    Recorder<Message> leeSees = lee.join("chat").record("message", Message.class);

    lee.drop();
    lee.awaitDisconnected();
    kim.send("message", new Message("while lee was away"));
    leeSees.assertNoMore(Duration.ofMillis(300));

    lee.restore();
    lee.awaitReconnected();
    assertThat(leeSees.next().text()).isEqualTo("while lee was away");
    assertThat(server.dialogue().isInRoom("lee", "chat")).isTrue();
    kim.send("message", new Message("welcome back"));
    assertThat(leeSees.next().text()).isEqualTo("welcome back");
    leeSees.assertNoMore(Duration.ofMillis(200));
  }
}
