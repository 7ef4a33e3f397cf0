package dev.dialogue;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dialogue.internal.Wire;
import dev.dialogue.testing.RawClient;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Delivery: subscription filtering, sender echo, server-set {@code from}, forwarded {@code meta}.
 */
@Timeout(60)
class SubscriptionsTest {

  @Test
  void join_withSubscribeAndUnsubscribe_startsWithThoseSubscriptions_fromTheAdmission() {
    try (Dialogue server = TestServers.builder().build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      JsonNode joined =
          alice.request(
              Wire.JOIN,
              Map.of(
                  "roomId",
                  "chat",
                  "subscribe",
                  List.of("typing"),
                  "unsubscribe",
                  List.of("message")));
      assertThat(joined.path("ok").asBoolean()).as("%s", joined).isTrue();

      // Published right after the join answer: no subscribe request could have come in between.
      server.trigger("chat", "message", Map.of("text", "not subscribed"));
      server.trigger("chat", "typing", Map.of("isTyping", true));

      assertThat(alice.take(Wire.EVENT).data().path("event").asText()).isEqualTo("typing");
      alice.barrier();
      assertThat(alice.received(Wire.EVENT)).isEmpty();
    }
  }

  @Test
  void join_withMalformedSubscriptions_isRefusedWithTheReason_andTheConnectionGoesOn() {
    try (Dialogue server = TestServers.builder().build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      List<Object> bad =
          List.of(
              "typing",
              List.of(""),
              List.of(7),
              java.util.stream.IntStream.range(0, 101).mapToObj(i -> "e" + i).toList());
      for (Object subscribe : bad) {
        JsonNode answer =
            alice.request(Wire.JOIN, Map.of("roomId", "chat", "subscribe", subscribe));
        assertThat(answer.path("ok").asBoolean()).isFalse();
        assertThat(answer.path("error").path("code").asText()).isEqualTo("INVALID_REQUEST");
        assertThat(answer.path("error").path("message").asText())
            .isEqualTo("subscribe must be an array of at most 100 event names (non-empty strings)");
      }
      JsonNode answer = alice.request(Wire.JOIN, Map.of("roomId", "chat", "unsubscribe", 1));
      assertThat(answer.path("error").path("message").asText()).startsWith("unsubscribe must be");
      assertThat(alice.request(Wire.JOIN, Map.of("roomId", "chat")).path("ok").asBoolean())
          .isTrue();
    }
  }

  @Test
  void trigger_echoesToTheSenderWhenSubscribed() {
    try (Dialogue server = TestServers.builder().build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      alice.join("chat");

      alice.trigger("chat", "message", Map.of("text", "echo?"));

      JsonNode echo = alice.take(Wire.EVENT).data();
      assertThat(echo.path("from").asText()).isEqualTo("alice");
      assertThat(echo.path("data").path("text").asText()).isEqualTo("echo?");
    }
  }

  @Test
  void trigger_doesNotEchoToTheSenderWhenNotSubscribed() {
    try (Dialogue server = TestServers.builder().build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice");
        RawClient bob = RawClient.connectAs(server.port(), "bob")) {
      alice.join("chat");
      bob.join("chat");
      bob.emit(Wire.SUBSCRIBE, Map.of("roomId", "chat", "eventName", "typing"));
      bob.barrier();

      alice.trigger("chat", "typing", Map.of("isTyping", true));

      assertThat(bob.take(Wire.EVENT).data().path("event").asText()).isEqualTo("typing");
      alice.barrier();
      assertThat(alice.received(Wire.EVENT)).isEmpty();
    }
  }

  @Test
  void trigger_reachesOnlyParticipantsSubscribedToThatEvent() {
    try (Dialogue server = TestServers.builder().build().start();
        RawClient sender = RawClient.connectAs(server.port(), "sender");
        RawClient messages = RawClient.connectAs(server.port(), "messages");
        RawClient everything = RawClient.connectAs(server.port(), "everything");
        RawClient outsider = RawClient.connectAs(server.port(), "outsider")) {
      sender.join("chat");
      messages.join("chat");
      everything.join("chat");
      everything.request(Wire.SUBSCRIBE_ALL, Map.of("roomId", "chat"));
      outsider.join("lobby");

      sender.trigger("chat", "typing", Map.of("isTyping", true));
      sender.trigger("chat", "message", Map.of("text", "hi"));

      assertThat(everything.take(Wire.EVENT).data().path("event").asText()).isEqualTo("typing");
      assertThat(everything.take(Wire.EVENT).data().path("event").asText()).isEqualTo("message");
      assertThat(messages.take(Wire.EVENT).data().path("event").asText()).isEqualTo("message");
      messages.barrier();
      outsider.barrier();
      assertThat(messages.received(Wire.EVENT)).isEmpty();
      assertThat(outsider.received(Wire.EVENT)).isEmpty();
    }
  }

  @Test
  void subscriptions_areResetToTheRoomDefaultsOnRejoin() {
    try (Dialogue server = TestServers.builder().build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      alice.join("chat");
      alice.request(Wire.SUBSCRIBE, Map.of("roomId", "chat", "eventName", "typing"));
      alice.request(Wire.UNSUBSCRIBE, Map.of("roomId", "chat", "eventName", "message"));
      alice.request(Wire.LEAVE, Map.of("roomId", "chat"));

      alice.join("chat");

      assertThat(server.clients("alice").get(0).subscriptions("chat")).containsExactly("message");
      alice.trigger("chat", "typing", Map.of("isTyping", true));
      alice.trigger("chat", "message", Map.of("text", "back"));
      assertThat(alice.take(Wire.EVENT).data().path("event").asText()).isEqualTo("message");
      alice.barrier();
      assertThat(alice.received(Wire.EVENT)).isEmpty();
    }
  }

  @Test
  void subscribe_toRoomNotJoined_changesNothing() {
    try (Dialogue server = TestServers.builder().build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      JsonNode result =
          alice.request(Wire.SUBSCRIBE, Map.of("roomId", "chat", "eventName", "message"));

      assertThat(result.path("error").path("code").asText()).isEqualTo("NOT_IN_ROOM");
      assertThat(server.clients("alice").get(0).subscriptions("chat")).isEmpty();
    }
  }

  @Test
  void trigger_ignoresAFromSentByTheClient() {
    try (Dialogue server = TestServers.builder().build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice");
        RawClient bob = RawClient.connectAs(server.port(), "bob")) {
      alice.join("lobby");
      bob.join("lobby");

      alice.emit(
          Wire.TRIGGER,
          Map.of(
              "roomId",
              "lobby",
              "event",
              "say",
              "data",
              Map.of("text", "trust me"),
              "from",
              "system",
              "timestamp",
              1,
              "id",
              "forged"));

      JsonNode event = bob.take(Wire.EVENT).data();
      assertThat(event.path("from").asText()).isEqualTo("alice");
      assertThat(event.path("timestamp").asLong()).isGreaterThan(1);
      assertThat(event.path("id").asText()).isNotEqualTo("forged");
    }
  }

  @Test
  void trigger_forwardsMetaAsIs() {
    try (Dialogue server = TestServers.builder().build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice");
        RawClient bob = RawClient.connectAs(server.port(), "bob")) {
      alice.join("chat");
      bob.join("chat");
      Map<String, Object> meta =
          Map.of("replyTo", "m-17", "tags", java.util.List.of("a", "b"), "nested", Map.of("n", 1));

      alice.emit(
          Wire.TRIGGER,
          Map.of("roomId", "chat", "event", "message", "data", Map.of("text", "re"), "meta", meta));

      JsonNode event = bob.take(Wire.EVENT).data();
      assertThat(event.path("meta")).isEqualTo(RawClient.toJson(new org.json.JSONObject(meta)));
      JsonNode stored =
          alice.request(Wire.GET_HISTORY, Map.of("roomId", "chat", "eventName", "message"));
      assertThat(stored.path("events").get(0).path("meta").path("replyTo").asText())
          .isEqualTo("m-17");
    }
  }

  @Test
  void trigger_withMetaOverTheLimit_isPayloadTooLarge() {
    try (Dialogue server = TestServers.builder().maxMetaBytes(32).build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      alice.join("lobby");

      JsonNode result =
          alice.request(
              Wire.TRIGGER,
              Map.of(
                  "roomId",
                  "lobby",
                  "event",
                  "x",
                  "data",
                  Map.of(),
                  "meta",
                  Map.of("blob", "x".repeat(100))));

      assertThat(result.path("error").path("code").asText()).isEqualTo("PAYLOAD_TOO_LARGE");
    }
  }
}
