package dev.dialogue.redis;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dialogue.Dialogue;
import dev.dialogue.EventDefinition;
import dev.dialogue.RoomConfig;
import dev.dialogue.internal.Wire;
import dev.dialogue.testing.RawClient;
import dev.dialogue.testing.TestRedis;
import jakarta.validation.constraints.NotBlank;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Several real Dialogue servers on one real Redis (Debian's redis-server as a child process): order
 * and offsets across nodes, idempotency across nodes, recovery on another node, history pages on
 * every node, and a Redis that goes away.
 */
@Timeout(120)
class RedisBrokerTest {
  record Message(@NotBlank String text) {}

  static final EventDefinition<Message> MESSAGE =
      EventDefinition.builder("message", Message.class).history(100).build();

  private TestRedis redis;
  private final List<Dialogue> nodes = new ArrayList<>();
  private final List<RawClient> clients = new ArrayList<>();

  @BeforeEach
  void startRedis() {
    redis = TestRedis.start();
  }

  @AfterEach
  void stopAll() {
    clients.forEach(RawClient::close);
    nodes.forEach(Dialogue::stop);
    redis.close();
  }

  private Dialogue node() {
    return node(RedisBroker.create(redis.uri()));
  }

  private Dialogue node(RedisBroker broker) {
    Dialogue node =
        Dialogue.builder()
            .host("127.0.0.1")
            .port(0)
            .maxRecoveryEvents(1_000)
            .room(
                RoomConfig.builder("chat", "Chat")
                    .events(MESSAGE)
                    .defaultSubscriptions("message")
                    .presence(true)
                    .build())
            .room(RoomConfig.builder("tiny", "Tiny").events(MESSAGE).maxSize(2).build())
            .broker(broker)
            .build()
            .start();
    nodes.add(node);
    return node;
  }

  private RawClient client(Dialogue node, String user) {
    RawClient client = RawClient.connectAs(node.port(), user);
    clients.add(client);
    return client;
  }

  static Map<String, Object> trigger(String text) {
    return Map.of("roomId", "chat", "event", "message", "data", Map.of("text", text));
  }

  static Map<String, Object> trigger(String text, String clientMessageId) {
    return Map.of(
        "roomId",
        "chat",
        "event",
        "message",
        "data",
        Map.of("text", text),
        "clientMessageId",
        clientMessageId);
  }

  static JsonNode ok(JsonNode ack) {
    assertThat(ack.path("ok").asBoolean()).as("ack %s", ack).isTrue();
    return ack;
  }

  private static List<String> texts(RawClient client, int count) {
    List<String> texts = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      JsonNode event = client.take(Wire.EVENT).data();
      texts.add(event.path("offset").asLong() + ":" + event.path("data").path("text").asText());
    }
    return texts;
  }

  @Test
  void publishesOnTwoNodes_reachTheMembersOfThreeNodes_inOneOrder_withConsecutiveOffsets() {
    Dialogue a = node();
    Dialogue b = node();
    Dialogue c = node();
    RawClient onA = client(a, "ann");
    RawClient onB = client(b, "ben");
    RawClient onC = client(c, "cat");
    for (RawClient client : List.of(onA, onB, onC)) {
      ok(client.request(Wire.JOIN, Map.of("roomId", "chat")));
    }
    List<CompletableFuture<JsonNode>> acks = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      acks.add(onA.requestAsync(Wire.TRIGGER, trigger("a" + i)));
      acks.add(onB.requestAsync(Wire.TRIGGER, trigger("b" + i)));
    }
    acks.forEach(f -> ok(f.join()));

    List<String> seenOnA = texts(onA, 400);
    assertThat(texts(onB, 400)).isEqualTo(seenOnA);
    assertThat(texts(onC, 400)).isEqualTo(seenOnA);
    List<Long> offsets = seenOnA.stream().map(t -> Long.parseLong(t.split(":")[0])).toList();
    assertThat(offsets).isEqualTo(Stream.iterate(1L, o -> o + 1).limit(400).toList());
    // Each publisher's own events keep its order.
    List<String> fromA =
        seenOnA.stream().map(t -> t.split(":")[1]).filter(t -> t.startsWith("a")).toList();
    assertThat(fromA)
        .isEqualTo(Stream.iterate(0, i -> i + 1).limit(200).map(i -> "a" + i).toList());
    onC.barrier();
    assertThat(onC.received(Wire.EVENT)).isEmpty(); // nothing twice
  }

  @Test
  void aClientMessageIdRepeatedOnAnotherNode_isAnsweredWithTheFirst_andDeliveredOnce() {
    Dialogue a = node();
    Dialogue b = node();
    RawClient watcher = client(b, "wes");
    ok(watcher.request(Wire.JOIN, Map.of("roomId", "chat")));
    RawClient first = client(a, "ann");
    ok(first.request(Wire.JOIN, Map.of("roomId", "chat")));
    JsonNode original = ok(first.request(Wire.TRIGGER, trigger("hello", "m-1")));

    RawClient again = client(b, "ann"); // the same user, reconnected to the other node
    ok(again.request(Wire.JOIN, Map.of("roomId", "chat")));
    JsonNode repeat = ok(again.request(Wire.TRIGGER, trigger("hello", "m-1")));

    assertThat(repeat.path("id").asText()).isEqualTo(original.path("id").asText());
    assertThat(repeat.path("offset").asLong()).isEqualTo(original.path("offset").asLong());
    assertThat(repeat.path("duplicate").asBoolean()).isTrue();
    assertThat(texts(watcher, 1)).containsExactly("1:hello");
    ok(again.request(Wire.TRIGGER, trigger("next", "m-2")));
    assertThat(texts(watcher, 1)).containsExactly("2:next");
  }

  @Test
  void aClientThatMovesToAnotherNode_recoversExactlyWhatItMissed() {
    Dialogue a = node();
    Dialogue b = node();
    RawClient alice = client(a, "alice");
    ok(alice.request(Wire.JOIN, Map.of("roomId", "chat")));
    RawClient bob = client(a, "bob");
    JsonNode joined = ok(bob.request(Wire.JOIN, Map.of("roomId", "chat")));
    ok(alice.request(Wire.TRIGGER, trigger("before")));
    long seen = bob.take(Wire.EVENT).data().path("offset").asLong();
    bob.close();

    List<CompletableFuture<JsonNode>> acks = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      acks.add(alice.requestAsync(Wire.TRIGGER, trigger("m" + i)));
    }
    acks.forEach(f -> ok(f.join()));

    RawClient back = client(b, "bob");
    CompletableFuture<JsonNode> during = alice.requestAsync(Wire.TRIGGER, trigger("during"));
    JsonNode result =
        ok(
            back.request(
                Wire.JOIN,
                Map.of(
                    "roomId",
                    "chat",
                    "since",
                    Map.of("offset", seen, "epoch", joined.path("epoch").asText()))));
    ok(during.join());
    ok(alice.request(Wire.TRIGGER, trigger("after")));
    long last =
        back.take(
                e ->
                    e.name().equals(Wire.EVENT)
                        && e.data().path("data").path("text").asText().equals("after"),
                "after")
            .data()
            .path("offset")
            .asLong();

    assertThat(result.path("recovered").asBoolean()).as("join %s", result).isTrue();
    List<Long> offsets = new ArrayList<>();
    result.path("missed").forEach(m -> offsets.add(m.path("offset").asLong()));
    back.received(Wire.EVENT).forEach(e -> offsets.add(e.data().path("offset").asLong()));
    offsets.add(last);
    assertThat(offsets).isEqualTo(Stream.iterate(seen + 1, o -> o + 1).limit(302).toList());
    assertThat(result.path("missed").get(0).path("data").path("text").asText()).isEqualTo("m0");
  }

  @Test
  void historyPublishedThroughOneNode_isReadOnAnother_newestFirst_withinTheEventsLimit() {
    Dialogue a = node();
    Dialogue b = node();
    RawClient alice = client(a, "alice");
    ok(alice.request(Wire.JOIN, Map.of("roomId", "chat")));
    for (int i = 0; i < 120; i++) {
      ok(alice.request(Wire.TRIGGER, trigger("m" + i)));
    }
    RawClient bob = client(b, "bob");
    ok(bob.request(Wire.JOIN, Map.of("roomId", "chat")));
    JsonNode page =
        ok(
            bob.request(
                Wire.GET_HISTORY,
                Map.of("roomId", "chat", "eventName", "message", "start", 0, "end", 3)));
    List<String> texts = new ArrayList<>();
    page.path("events").forEach(e -> texts.add(e.path("data").path("text").asText()));
    assertThat(texts).as("page %s", page).containsExactly("m119", "m118", "m117");
    JsonNode beyond =
        ok(
            bob.request(
                Wire.GET_HISTORY,
                Map.of("roomId", "chat", "eventName", "message", "start", 99, "end", 110)));
    // The event keeps 100: index 99 is the oldest kept (m20); nothing older.
    List<String> old = new ArrayList<>();
    beyond.path("events").forEach(e -> old.add(e.path("data").path("text").asText()));
    assertThat(old).containsExactly("m20");
  }

  @Test
  void whileRedisIsAway_aPublishFailsWithUnavailable_andTheConnectionStaysUp() {
    Dialogue a = node(RedisBroker.create(redis.uri()).withTimeout(Duration.ofMillis(500)));
    RawClient alice = client(a, "alice");
    ok(alice.request(Wire.JOIN, Map.of("roomId", "chat")));
    ok(alice.request(Wire.TRIGGER, trigger("one")));
    redis.close();

    JsonNode refused = alice.request(Wire.TRIGGER, trigger("two"));
    assertThat(refused.path("ok").asBoolean()).isFalse();
    assertThat(refused.path("error").path("code").asText()).isEqualTo("UNAVAILABLE");
    assertThat(refused.path("error").path("message").asText()).contains("Redis");
    assertThat(alice.isConnected()).isTrue();
    JsonNode again = alice.request(Wire.TRIGGER, trigger("three"));
    assertThat(again.path("error").path("code").asText()).isEqualTo("UNAVAILABLE");
  }

  @Test
  void aRedisThatLostTheRoom_startsANewEpoch_andAnOldPositionIsNotRecovered() throws Exception {
    Dialogue a = node(RedisBroker.create(redis.uri()).withCheckInterval(Duration.ofMillis(200)));
    RawClient alice = client(a, "alice");
    JsonNode joined = ok(alice.request(Wire.JOIN, Map.of("roomId", "chat")));
    ok(alice.request(Wire.TRIGGER, trigger("one")));
    alice.take(Wire.EVENT);
    redis.flushAll();

    JsonNode after = ok(alice.request(Wire.TRIGGER, trigger("two")));
    assertThat(after.path("offset").asLong()).isEqualTo(1);
    RawClient back = client(node(), "alice");
    JsonNode rejoined =
        ok(
            back.request(
                Wire.JOIN,
                Map.of(
                    "roomId",
                    "chat",
                    "since",
                    Map.of("offset", 1, "epoch", joined.path("epoch").asText()))));
    assertThat(rejoined.path("epoch").asText()).isNotEqualTo(joined.path("epoch").asText());
    assertThat(rejoined.path("recovered").asBoolean()).isFalse();
  }

  private static List<String> presenceDiffs(RawClient client) {
    List<String> diffs = new ArrayList<>();
    for (RawClient.Received r : client.received(Wire.PRESENCE)) {
      r.data().path("joins").forEach(u -> diffs.add("+" + u.asText()));
      r.data().path("leaves").forEach(u -> diffs.add("-" + u.asText()));
    }
    return diffs;
  }

  @Test
  void presence_countsAUsersTabsAcrossNodes_andAnnouncesTheFirstAndTheLastOnce() {
    Dialogue a = node();
    Dialogue b = node();
    RawClient ann = client(a, "ann");
    ok(ann.request(Wire.JOIN, Map.of("roomId", "chat")));
    RawClient benOnB = client(b, "ben");
    ok(benOnB.request(Wire.JOIN, Map.of("roomId", "chat")));
    ann.take(
        e -> e.name().equals(Wire.PRESENCE) && e.data().path("joins").toString().contains("ben"),
        "ben came");
    RawClient benOnA = client(a, "ben"); // a second tab, on the other node
    ok(benOnA.request(Wire.JOIN, Map.of("roomId", "chat")));
    JsonNode state = ok(ann.request(Wire.GET_PRESENCE, Map.of("roomId", "chat")));
    assertThat(state.toString()).contains("\"userId\":\"ben\",\"connections\":2");
    benOnB.close(); // one tab left: ben is still present
    benOnA.close();
    ann.take(
        e -> e.name().equals(Wire.PRESENCE) && e.data().path("leaves").toString().contains("ben"),
        "ben left");
    ok(ann.request(Wire.TRIGGER, trigger("barrier")));
    ann.take(Wire.EVENT);
    // What arrived besides the two taken: ann's own arrival only; ben came and left once each.
    assertThat(presenceDiffs(ann)).doesNotContain("+ben", "-ben");
    assertThat(ok(ann.request(Wire.GET_PRESENCE, Map.of("roomId", "chat"))).toString())
        .doesNotContain("ben");
  }

  @Test
  void maxSize_holdsOverEveryNode_underConcurrentJoins_andALeaveFreesTheSeat() {
    List<Dialogue> three = List.of(node(), node(), node());
    List<RawClient> joiners = new ArrayList<>();
    for (int i = 0; i < 9; i++) {
      joiners.add(client(three.get(i % 3), "u" + i));
    }
    List<CompletableFuture<JsonNode>> answers = new ArrayList<>();
    for (RawClient c : joiners) {
      answers.add(c.requestAsync(Wire.JOIN, Map.of("roomId", "tiny")));
    }
    List<RawClient> admitted = new ArrayList<>();
    List<String> refusals = new ArrayList<>();
    for (int i = 0; i < joiners.size(); i++) {
      JsonNode answer = answers.get(i).join();
      if (answer.path("ok").asBoolean()) {
        admitted.add(joiners.get(i));
      } else {
        refusals.add(answer.path("error").path("code").asText());
      }
    }
    assertThat(admitted).hasSize(2);
    assertThat(refusals).hasSize(7).containsOnly("ROOM_FULL");

    RawClient outside =
        joiners.stream().filter(c -> !admitted.contains(c)).findFirst().orElseThrow();
    ok(admitted.get(0).request(Wire.LEAVE, Map.of("roomId", "tiny")));
    ok(outside.request(Wire.JOIN, Map.of("roomId", "tiny")));
    RawClient another =
        joiners.stream()
            .filter(c -> !admitted.contains(c) && c != outside)
            .findFirst()
            .orElseThrow();
    assertThat(
            another
                .request(Wire.JOIN, Map.of("roomId", "tiny"))
                .path("error")
                .path("code")
                .asText())
        .isEqualTo("ROOM_FULL");
  }

  /** Triggers until Redis answers again (the nodes reconnect on their own); the first ok ack. */
  private static JsonNode publishOnceRedisIsBack(RawClient client, String text) {
    JsonNode[] ack = new JsonNode[1];
    dev.dialogue.testing.Await.until(
        "a publish succeeds after Redis restarted",
        Duration.ofSeconds(30),
        () -> {
          JsonNode answer = client.request(Wire.TRIGGER, trigger(text, "after-restart"));
          ack[0] = answer;
          return answer.path("ok").asBoolean();
        });
    return ack[0];
  }

  @Test
  void aRedisRestartedWithoutItsData_isServedAgain_inANewEpoch_onEveryNode() {
    Dialogue a = node();
    Dialogue b = node();
    RawClient ann = client(a, "ann");
    JsonNode joined = ok(ann.request(Wire.JOIN, Map.of("roomId", "chat")));
    RawClient ben = client(b, "ben");
    ok(ben.request(Wire.JOIN, Map.of("roomId", "chat")));
    ok(ann.request(Wire.TRIGGER, trigger("one")));
    assertThat(texts(ben, 1)).containsExactly("1:one");

    redis.restart();
    JsonNode again = publishOnceRedisIsBack(ann, "two");
    assertThat(again.path("offset").asLong()).isEqualTo(1);
    // Node B subscribed its channel again and follows the new epoch.
    assertThat(texts(ben, 1)).containsExactly("1:two");
    RawClient back = client(b, "cal");
    JsonNode rejoined =
        ok(
            back.request(
                Wire.JOIN,
                Map.of(
                    "roomId",
                    "chat",
                    "since",
                    Map.of("offset", 1, "epoch", joined.path("epoch").asText()))));
    assertThat(rejoined.path("epoch").asText()).isNotEqualTo(joined.path("epoch").asText());
    assertThat(rejoined.path("recovered").asBoolean()).isFalse();
  }

  @Test
  void aRedisRestartedFromItsAppendOnlyFile_keepsTheEpochAndOffsets_andRecoveryAcrossIt() {
    redis.close();
    redis = TestRedis.startAppendOnly();
    Dialogue a = node();
    Dialogue b = node();
    RawClient ann = client(a, "ann");
    JsonNode joined = ok(ann.request(Wire.JOIN, Map.of("roomId", "chat")));
    for (String text : List.of("one", "two", "three")) {
      ok(ann.request(Wire.TRIGGER, trigger(text)));
    }
    redis.restart();
    JsonNode four = publishOnceRedisIsBack(ann, "four");
    assertThat(four.path("offset").asLong()).isEqualTo(4);
    RawClient bob = client(b, "bob");
    JsonNode rejoined =
        ok(
            bob.request(
                Wire.JOIN,
                Map.of(
                    "roomId",
                    "chat",
                    "since",
                    Map.of("offset", 1, "epoch", joined.path("epoch").asText()))));
    assertThat(rejoined.path("epoch").asText()).isEqualTo(joined.path("epoch").asText());
    assertThat(rejoined.path("recovered").asBoolean()).isTrue();
    List<String> missed = new ArrayList<>();
    rejoined.path("missed").forEach(m -> missed.add(m.path("data").path("text").asText()));
    assertThat(missed).containsExactly("two", "three", "four");
  }

  @Test
  void aUsersConnectionOnAnotherNode_isFound_reachedAndDisconnected_fromThisOne() {
    Dialogue a = node();
    Dialogue b = node();
    RawClient here = client(a, "ann");
    RawClient there = client(b, "ann");
    ok(there.request(Wire.JOIN, Map.of("roomId", "chat")));
    dev.dialogue.testing.Await.until(
        "node A sees ann's connection on node B in chat", () -> a.isInRoom("ann", "chat"));
    assertThat(a.clients("ann")).hasSize(2);
    assertThat(a.clientRooms("ann")).containsExactly("chat");
    assertThat(a.isInRoom("ann", "tiny")).isFalse();

    dev.dialogue.ClientConnection remote =
        a.clients("ann").stream()
            .filter(c -> !c.id().equals(here.clientId()))
            .findFirst()
            .orElseThrow();
    assertThat(remote.rooms()).containsExactly("chat");
    remote.send("notice", Map.of("text", "from node A"));
    assertThat(there.take("notice").data().path("text").asText()).isEqualTo("from node A");
    remote.join("tiny");
    there.take(Wire.JOINED);
    dev.dialogue.testing.Await.until("ann is in tiny on node B", () -> a.isInRoom("ann", "tiny"));
    remote.disconnect();
    dev.dialogue.testing.Await.until(
        "ann's connection on node B ended", () -> !there.isConnected());
    dev.dialogue.testing.Await.until(
        "node A no longer lists it", () -> a.clients("ann").size() == 1);
    assertThat(here.isConnected()).isTrue();
  }

  /** How many XRANGE calls Redis has served (INFO commandstats). */
  private long xranges() throws Exception {
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("cmdstat_xrange:calls=(\\d+)")
            .matcher(redis.command("INFO", "commandstats"));
    return m.find() ? Long.parseLong(m.group(1)) : 0;
  }

  @Test
  void aRecoveryOnANodeThatDeliveredTheMissedEvents_readsNothingFromRedis() throws Exception {
    Dialogue a = node();
    RawClient alice = client(a, "alice");
    ok(alice.request(Wire.JOIN, Map.of("roomId", "chat")));
    RawClient bob = client(a, "bob");
    JsonNode joined = ok(bob.request(Wire.JOIN, Map.of("roomId", "chat")));
    ok(alice.request(Wire.TRIGGER, trigger("before")));
    long seen = bob.take(Wire.EVENT).data().path("offset").asLong();
    bob.close();
    for (int i = 0; i < 50; i++) {
      ok(alice.request(Wire.TRIGGER, trigger("m" + i)));
    }
    long before = xranges();
    RawClient back = client(a, "bob");
    JsonNode rejoined =
        ok(
            back.request(
                Wire.JOIN,
                Map.of(
                    "roomId",
                    "chat",
                    "since",
                    Map.of("offset", seen, "epoch", joined.path("epoch").asText()))));
    assertThat(rejoined.path("recovered").asBoolean()).isTrue();
    assertThat(rejoined.path("missed")).hasSize(50);
    assertThat(xranges()).as("XRANGE calls").isEqualTo(before);
  }
}
