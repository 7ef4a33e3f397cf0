package dev.dialogue.examples.chat;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dialogue.client.ClientRoom;
import dev.dialogue.client.DialogueClient;
import dev.dialogue.client.EventMessage;
import dev.dialogue.client.Rejoin;
import dev.dialogue.testing.CallbackRecorder;
import dev.dialogue.testing.FaultProxy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A restart keeps everything (issue 15, "Persistence"): accounts and their tokens, channels,
 * messages with their offsets; a client that was away across the restart recovers, by offset, the
 * messages sent meanwhile, none lost or doubled.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ChatRestartTest {
  @TempDir Path data;
  private final List<AutoCloseable> open = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
  }

  private ChatServer start() {
    return ChatServer.start(new ChatOptions(0, "127.0.0.1", data, null, false));
  }

  private DialogueClient connect(int port, String token) {
    DialogueClient client =
        DialogueClient.builder("http://127.0.0.1:" + port)
            .auth(Map.of("token", token))
            .reconnectBackoff(Duration.ofMillis(50), Duration.ofMillis(300), 0.5)
            .build();
    open.add(client::close);
    return client;
  }

  @Test
  void aClientAwayAcrossARestart_recoversTheMessagesSentMeanwhile() throws Exception {
    ChatServer first = start();
    FaultProxy proxy = FaultProxy.to(first.port());
    open.add(proxy);
    String aliceToken = new ChatHttpClient(first.port()).signIn("alice", "password");
    String general = roomOf(first.port(), aliceToken, "general");

    CallbackRecorder<EventMessage> received = new CallbackRecorder<>();
    CallbackRecorder<Rejoin> rejoins = new CallbackRecorder<>();
    DialogueClient alice = connect(proxy.port(), aliceToken);
    alice.connect().get(10, TimeUnit.SECONDS);
    // The server joins the connection to its channels on connect; join(id, setup) hands over the
    // room whether that join or this one came first.
    ClientRoom aliceGeneral =
        alice
            .join(
                general,
                room -> {
                  room.onAny(
                      m -> {
                        if (m.event().equals("message")) {
                          received.accept(m);
                        }
                      });
                  room.onRejoined(rejoins);
                })
            .get(10, TimeUnit.SECONDS);
    String before =
        aliceGeneral
            .trigger("message", Map.of("text", "before the restart"))
            .result()
            .get(10, TimeUnit.SECONDS)
            .id();
    received.awaitMatching(m -> m.id().equals(before));
    long offsetBefore = aliceGeneral.lastOffset();

    proxy.refuse(true);
    proxy.reset();
    first.close();
    ChatServer second = start();
    open.add(second);
    proxy.retarget(second.port());

    String bobToken = new ChatHttpClient(second.port()).signIn("bob", "password");
    DialogueClient bob = connect(second.port(), bobToken);
    bob.connect().get(10, TimeUnit.SECONDS);
    ClientRoom bobGeneral = bob.join(general).get(10, TimeUnit.SECONDS);
    List<String> meanwhile = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      meanwhile.add(
          bobGeneral
              .trigger("message", Map.of("text", "meanwhile " + i))
              .result()
              .get(10, TimeUnit.SECONDS)
              .id());
    }
    assertThat(bobGeneral.lastOffset()).isGreaterThan(offsetBefore);

    proxy.refuse(false);
    Rejoin rejoin = rejoins.next();
    assertThat(rejoin.recovered()).as("recovery after the restart").isTrue();
    assertThat(rejoin.missed()).isGreaterThanOrEqualTo(3);
    for (String id : meanwhile) {
      received.awaitMatching(m -> m.id().equals(id));
    }
    List<String> ids = received.all().stream().map(EventMessage::id).toList();
    assertThat(ids).doesNotHaveDuplicates().containsSubsequence(before, meanwhile.get(0));

    JsonNode page =
        alice
            .request("messages.page", Map.of("roomId", general, "limit", 4), JsonNode.class)
            .get(10, TimeUnit.SECONDS);
    assertThat(page.path("messages").get(0).path("text").asText()).isEqualTo("meanwhile 3");
    assertThat(page.path("messages").get(3).path("text").asText()).isEqualTo("before the restart");
  }

  private static String roomOf(int port, String token, String name) throws Exception {
    DialogueClient client =
        DialogueClient.builder("http://127.0.0.1:" + port).auth(Map.of("token", token)).build();
    try {
      client.connect().get(10, TimeUnit.SECONDS);
      JsonNode me = client.request("me", null, JsonNode.class).get(10, TimeUnit.SECONDS);
      for (JsonNode channel : me.path("channels")) {
        if (channel.path("name").asText().equals(name)) {
          return channel.path("roomId").asText();
        }
      }
      throw new AssertionError("no #" + name);
    } finally {
      client.close();
    }
  }
}
