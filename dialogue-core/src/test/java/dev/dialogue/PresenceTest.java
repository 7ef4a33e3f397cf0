package dev.dialogue;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dialogue.internal.Wire;
import dev.dialogue.testing.RawClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** PROTOCOL.md 8.4: a user is present while any of their connections is in the room. */
@Timeout(60)
class PresenceTest {

  @Test
  void join_ofFirstConnection_sendsJoinsDiffToParticipants() {
    try (Dialogue server = TestServers.builder().build().start();
        RawClient bob = RawClient.connectAs(server.port(), "bob");
        RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      bob.join("chat");
      bob.take(Wire.PRESENCE);

      alice.join("chat");

      JsonNode diff = bob.take(Wire.PRESENCE).data();
      assertThat(diff.path("roomId").asText()).isEqualTo("chat");
      assertThat(strings(diff.path("joins"))).containsExactly("alice");
      assertThat(strings(diff.path("leaves"))).isEmpty();
    }
  }

  @Test
  void severalConnectionsOfOneUser_countOnceAndDiffOnlyWhenTheSetChanges() {
    try (Dialogue server = TestServers.builder().build().start();
        RawClient bob = RawClient.connectAs(server.port(), "bob");
        RawClient tab1 = RawClient.connectAs(server.port(), "alice");
        RawClient tab2 = RawClient.connectAs(server.port(), "alice")) {
      bob.join("chat");
      bob.take(Wire.PRESENCE);

      tab1.join("chat");
      assertThat(strings(bob.take(Wire.PRESENCE).data().path("joins"))).containsExactly("alice");
      tab2.join("chat");
      tab2.barrier();
      bob.barrier();
      assertThat(bob.received(Wire.PRESENCE)).as("second tab changes nothing").isEmpty();
      assertThat(server.room("chat").orElseThrow().presence())
          .containsExactlyInAnyOrder("alice", "bob");

      tab1.request(Wire.LEAVE, Map.of("roomId", "chat"));
      bob.barrier();
      assertThat(bob.received(Wire.PRESENCE)).as("alice is still there in tab 2").isEmpty();

      tab2.request(Wire.LEAVE, Map.of("roomId", "chat"));
      JsonNode diff = bob.take(Wire.PRESENCE).data();
      assertThat(strings(diff.path("joins"))).isEmpty();
      assertThat(strings(diff.path("leaves"))).containsExactly("alice");
      assertThat(server.room("chat").orElseThrow().presence()).containsExactly("bob");
    }
  }

  @Test
  void disconnect_ofLastConnection_sendsLeavesDiff() {
    try (Dialogue server = TestServers.builder().build().start();
        RawClient bob = RawClient.connectAs(server.port(), "bob");
        RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      bob.join("chat");
      alice.join("chat");
      bob.take(Wire.PRESENCE);
      bob.take(Wire.PRESENCE);

      alice.disconnect();

      assertThat(strings(bob.take(Wire.PRESENCE).data().path("leaves"))).containsExactly("alice");
    }
  }

  @Test
  void getPresence_withAck_answersUsersWithConnectionCounts() {
    try (Dialogue server = TestServers.builder().build().start();
        RawClient bob = RawClient.connectAs(server.port(), "bob");
        RawClient tab1 = RawClient.connectAs(server.port(), "alice");
        RawClient tab2 = RawClient.connectAs(server.port(), "alice")) {
      bob.join("chat");
      tab1.join("chat");
      tab2.join("chat");

      JsonNode result = bob.request(Wire.GET_PRESENCE, Map.of("roomId", "chat"));

      assertThat(result.path("ok").asBoolean()).isTrue();
      assertThat(result.path("roomId").asText()).isEqualTo("chat");
      assertThat(users(result.path("users"))).containsExactlyInAnyOrder("bob=1", "alice=2");
    }
  }

  @Test
  void getPresence_withoutAck_sendsPresenceState() {
    try (Dialogue server = TestServers.builder().build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      alice.join("chat");

      alice.emit(Wire.GET_PRESENCE, Map.of("roomId", "chat"));

      JsonNode state = alice.take(Wire.PRESENCE_STATE).data();
      assertThat(state.path("roomId").asText()).isEqualTo("chat");
      assertThat(users(state.path("users"))).containsExactly("alice=1");
    }
  }

  @Test
  void roomWithoutPresence_sendsNoPresenceDiffs() {
    try (Dialogue server = TestServers.builder().build().start();
        RawClient bob = RawClient.connectAs(server.port(), "bob");
        RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      bob.join("lobby");
      alice.join("lobby");
      alice.request(Wire.LEAVE, Map.of("roomId", "lobby"));
      bob.barrier();

      assertThat(bob.received(Wire.PRESENCE)).isEmpty();
    }
  }

  @Test
  void getPresence_inRoomNotJoined_isNotInRoom() {
    try (Dialogue server = TestServers.builder().build().start();
        RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      JsonNode result = alice.request(Wire.GET_PRESENCE, Map.of("roomId", "chat"));

      assertThat(result.path("error").path("code").asText()).isEqualTo("NOT_IN_ROOM");
    }
  }

  private static List<String> strings(JsonNode array) {
    List<String> list = new ArrayList<>();
    array.forEach(n -> list.add(n.asText()));
    return list;
  }

  private static List<String> users(JsonNode array) {
    List<String> list = new ArrayList<>();
    array.forEach(n -> list.add(n.path("userId").asText() + "=" + n.path("connections").asInt()));
    return list;
  }
}
