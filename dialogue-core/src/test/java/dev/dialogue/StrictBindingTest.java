package dev.dialogue;

import static dev.dialogue.ErrorCodesTest.assertError;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dialogue.EventDefinition.UnknownProperties;
import dev.dialogue.internal.Wire;
import dev.dialogue.testing.RawClient;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Strict binding of event payloads: a missing or null primitive, a type mismatch and (where the
 * event says so) an unknown property are VALIDATION_FAILED naming the field, for clients (ack and
 * {@code dialogue:error}) and server code alike.
 */
@Timeout(60)
class StrictBindingTest {
  record Move(int row, int col) {}

  enum Side {
    X,
    O
  }

  record Turn(@NotNull @Valid Move move, Side side, boolean pass) {}

  record Replay(@NotNull List<@Valid Move> moves) {}

  static final EventDefinition<Move> MOVE = EventDefinition.of("move", Move.class);
  static final EventDefinition<Turn> TURN = EventDefinition.of("turn", Turn.class);
  static final EventDefinition<Replay> REPLAY = EventDefinition.of("replay", Replay.class);
  static final EventDefinition<Move> STRICT_MOVE =
      EventDefinition.builder("strictMove", Move.class)
          .unknownProperties(UnknownProperties.REJECT)
          .build();
  static final EventDefinition<Turn> STRICT_TURN =
      EventDefinition.builder("strictTurn", Turn.class)
          .unknownProperties(UnknownProperties.REJECT)
          .build();

  private Dialogue server;
  private RawClient alice;

  @BeforeEach
  void start() {
    RoomConfig game =
        RoomConfig.builder("game", "Game")
            .events(MOVE, TURN, REPLAY, STRICT_MOVE, STRICT_TURN)
            .defaultSubscriptions("*")
            .build();
    server = TestServers.builder().room(game).build().start();
    alice = RawClient.connectAs(server.port(), "alice");
    alice.join("game");
  }

  @AfterEach
  void stop() {
    alice.close();
    server.stop();
  }

  /** Triggers with an ack and returns its error, checking the trigger was refused. */
  private JsonNode refused(String event, Object data) {
    JsonNode ack =
        alice.request(Wire.TRIGGER, Map.of("roomId", "game", "event", event, "data", data));
    assertThat(ack.path("ok").asBoolean(true)).as("ack %s", ack).isFalse();
    return ack.path("error");
  }

  private static JsonNode json(String text) {
    try {
      return new ObjectMapper().readTree(text);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(text, e);
    }
  }

  private static Map<String, Object> map(Object... keysAndValues) {
    Map<String, Object> map = new HashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      map.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    return map;
  }

  @Test
  void missingPrimitive_isRequired_withAckAndWithoutOne() {
    assertError(
        refused("move", Map.of("row", 1)),
        "VALIDATION_FAILED",
        "Event 'move' validation failed: col: Required");

    alice.trigger("game", "move", Map.of("row", 1));
    assertError(
        alice.takeError(), "VALIDATION_FAILED", "Event 'move' validation failed: col: Required");
    alice.barrier();
    assertThat(alice.received(Wire.EVENT)).as("nothing was published").isEmpty();
  }

  @Test
  void missingBooleanPrimitive_isRequired() {
    assertError(
        refused("turn", Map.of("move", Map.of("row", 1, "col", 2), "side", "X")),
        "VALIDATION_FAILED",
        "Event 'turn' validation failed: pass: Required");
  }

  @Test
  void nullPrimitive_isATypeMismatch() {
    assertError(
        refused("move", map("row", 1, "col", null)),
        "VALIDATION_FAILED",
        "Event 'move' validation failed: col: Expected number, received null");

    alice.trigger("game", "move", map("row", null, "col", 1));
    assertError(
        alice.takeError(),
        "VALIDATION_FAILED",
        "Event 'move' validation failed: row: Expected number, received null");
  }

  @Test
  void typeMismatches_nameTheFieldAndBothKinds() {
    assertError(
        refused("move", Map.of("row", "x", "col", 1)),
        "VALIDATION_FAILED",
        "Event 'move' validation failed: row: Expected number, received string");
    assertError(
        refused("move", Map.of("row", Map.of("n", 1), "col", 1)),
        "VALIDATION_FAILED",
        "Event 'move' validation failed: row: Expected number, received object");
    assertError(
        refused("move", Map.of("row", 1.5, "col", 1)),
        "VALIDATION_FAILED",
        "Event 'move' validation failed: row: Expected integer, received float");
    assertError(
        refused("turn", Map.of("move", Map.of("row", 1, "col", 2), "side", "X", "pass", 1)),
        "VALIDATION_FAILED",
        "Event 'turn' validation failed: pass: Expected boolean, received number");
    assertError(
        refused("turn", Map.of("move", Map.of("row", 1, "col", 2), "side", "Z", "pass", true)),
        "VALIDATION_FAILED",
        "Event 'turn' validation failed: side: Invalid enum value. Expected 'X' | 'O', received 'Z'");
  }

  @Test
  void nestedFields_areNamedByTheirPath() {
    assertError(
        refused("turn", Map.of("move", Map.of("row", 1), "side", "X", "pass", false)),
        "VALIDATION_FAILED",
        "Event 'turn' validation failed: move.col: Required");
    assertError(
        refused("turn", Map.of("move", Map.of("row", 1, "col", "2"), "side", "X", "pass", false)),
        "VALIDATION_FAILED",
        "Event 'turn' validation failed: move.col: Expected number, received string");
    assertError(
        refused("replay", Map.of("moves", List.of(Map.of("row", 0, "col", 0), Map.of("col", 1)))),
        "VALIDATION_FAILED",
        "Event 'replay' validation failed: moves.1.row: Required");
  }

  @Test
  void unknownProperty_underIgnore_isDropped() {
    JsonNode ack =
        alice.request(
            Wire.TRIGGER,
            Map.of(
                "roomId", "game", "event", "move", "data", Map.of("row", 1, "col", 2, "cheat", 9)));

    assertThat(ack.path("ok").asBoolean()).as("ack %s", ack).isTrue();
    JsonNode data = alice.take(Wire.EVENT).data().path("data");
    assertThat(data).isEqualTo(json("{\"row\":1,\"col\":2}"));
  }

  @Test
  void unknownProperty_underReject_isRefusedNamingTheKey() {
    assertError(
        refused("strictMove", Map.of("row", 1, "col", 2, "cheat", 9)),
        "VALIDATION_FAILED",
        "Event 'strictMove' validation failed: : Unrecognized key(s) in object: 'cheat'");

    alice.trigger(
        "game",
        "strictTurn",
        Map.of("move", Map.of("row", 1, "col", 2, "z", 0), "side", "O", "pass", false));
    assertError(
        alice.takeError(),
        "VALIDATION_FAILED",
        "Event 'strictTurn' validation failed: move: Unrecognized key(s) in object: 'z'");
    alice.barrier();
    assertThat(alice.received(Wire.EVENT)).as("nothing was published").isEmpty();
  }

  @Test
  void validPayloads_stillPass_underBothPolicies() {
    JsonNode first =
        alice.request(
            Wire.TRIGGER,
            Map.of("roomId", "game", "event", "move", "data", Map.of("row", 0, "col", 0)));
    JsonNode second =
        alice.request(
            Wire.TRIGGER,
            Map.of(
                "roomId",
                "game",
                "event",
                "strictTurn",
                "data",
                Map.of("move", Map.of("row", 2, "col", 1), "side", "O", "pass", true)));

    assertThat(first.path("ok").asBoolean()).as("ack %s", first).isTrue();
    assertThat(second.path("ok").asBoolean()).as("ack %s", second).isTrue();
    assertThat(alice.take(Wire.EVENT).data().path("data")).isEqualTo(json("{\"row\":0,\"col\":0}"));
    assertThat(alice.take(Wire.EVENT).data().path("data"))
        .isEqualTo(json("{\"move\":{\"row\":2,\"col\":1},\"side\":\"O\",\"pass\":true}"));
  }

  @Test
  void serverTrigger_runsTheSameStrictPipeline() {
    Room game = server.room("game").orElseThrow();

    assertThatThrownBy(() -> game.trigger("move", Map.of("row", 1)))
        .isInstanceOfSatisfying(
            DialogueException.class,
            e -> assertThat(e.code()).isEqualTo(ErrorCode.VALIDATION_FAILED))
        .hasMessage("Event 'move' validation failed: col: Required");
    assertThatThrownBy(
            () -> server.trigger("game", "strictMove", Map.of("row", 1, "col", 2, "x", 3)))
        .isInstanceOf(DialogueException.class)
        .hasMessage("Event 'strictMove' validation failed: : Unrecognized key(s) in object: 'x'");

    game.trigger(MOVE, new Move(3, 4));
    assertThat(alice.take(Wire.EVENT).data().path("data")).isEqualTo(json("{\"row\":3,\"col\":4}"));
  }

  @Test
  void rejectOnAnUntypedEvent_isRefusedAtBuild() {
    assertThatThrownBy(
            () ->
                EventDefinition.builder("any", JsonNode.class)
                    .unknownProperties(UnknownProperties.REJECT))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("event 'any' is untyped (JsonNode): it has no properties to check");
  }
}
