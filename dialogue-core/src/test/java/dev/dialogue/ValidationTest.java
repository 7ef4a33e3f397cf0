package dev.dialogue;

import static dev.dialogue.ErrorCodesTest.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dialogue.internal.Wire;
import dev.dialogue.testing.RawClient;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Payload validation: the VALIDATION_FAILED message format, and data as the server parsed it. */
@Timeout(60)
class ValidationTest {
  record Score(@Min(0) @Max(10) int points, String note) {}

  record Discussion(@Valid List<TestServers.@Valid Author> authors) {}

  static final EventDefinition<Score> SCORE = EventDefinition.of("score", Score.class);
  static final EventDefinition<Discussion> THREAD = EventDefinition.of("thread", Discussion.class);

  private static Dialogue server() {
    RoomConfig game =
        RoomConfig.builder("game", "Game").events(SCORE).defaultSubscriptions("score").build();
    RoomConfig thread = RoomConfig.builder("thread", "Thread").events(THREAD).build();
    return TestServers.builder().room(game, thread).build().start();
  }

  @Test
  void trigger_withSeveralInvalidFields_listsEveryIssueSortedByPath() {
    try (Dialogue server = server();
        RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      alice.join("chat");

      alice.trigger(
          "chat",
          "post",
          Map.of("author", Map.of("name", ""), "tags", List.of("a", "b", "c", "d")));

      assertError(
          alice.takeError(),
          "VALIDATION_FAILED",
          "Event 'post' validation failed: author.name: must not be blank, tags: size must be between 0 and 3");
    }
  }

  @Test
  void trigger_withInvalidListElement_namesItsIndex() {
    try (Dialogue server = server();
        RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      alice.join("chat");

      alice.trigger(
          "chat", "post", Map.of("author", Map.of("name", "ann"), "tags", List.of("ok", " ")));

      assertError(
          alice.takeError(),
          "VALIDATION_FAILED",
          "Event 'post' validation failed: tags.1: must not be blank");
    }
  }

  @Test
  void trigger_withInvalidFieldInsideListOfObjects_namesIndexAndField() {
    try (Dialogue server = server();
        RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      alice.join("thread");

      alice.trigger(
          "thread",
          "thread",
          Map.of("authors", List.of(Map.of("name", "ann"), Map.of("name", ""))));

      assertError(
          alice.takeError(),
          "VALIDATION_FAILED",
          "Event 'thread' validation failed: authors.1.name: must not be blank");
    }
  }

  @Test
  void trigger_withMissingNestedObject_namesTheField() {
    try (Dialogue server = server();
        RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      alice.join("chat");

      alice.trigger("chat", "post", Map.of("tags", List.of()));

      assertError(
          alice.takeError(),
          "VALIDATION_FAILED",
          "Event 'post' validation failed: author: must not be null");
    }
  }

  @Test
  void trigger_withWrongFieldType_saysWhatWasExpected() {
    try (Dialogue server = server();
        RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      alice.join("chat");

      alice.trigger("chat", "typing", Map.of("isTyping", List.of(1)));

      assertError(
          alice.takeError(),
          "VALIDATION_FAILED",
          "Event 'typing' validation failed: isTyping: Expected boolean, received array");
    }
  }

  @Test
  void trigger_withNonObjectPayload_reportsARootIssueWithEmptyPath() {
    try (Dialogue server = server();
        RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      alice.join("chat");

      alice.trigger("chat", "message", 42);

      assertError(
          alice.takeError(),
          "VALIDATION_FAILED",
          "Event 'message' validation failed: : Expected object, received number");
    }
  }

  @Test
  void trigger_withoutData_reportsARootIssue() {
    try (Dialogue server = server();
        RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      alice.join("chat");

      alice.emit(Wire.TRIGGER, Map.of("roomId", "chat", "event", "message"));

      assertError(
          alice.takeError(),
          "VALIDATION_FAILED",
          "Event 'message' validation failed: : Expected object, received null");
    }
  }

  @Test
  void trigger_withRangeViolation_namesTheRule() {
    try (Dialogue server = server();
        RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      alice.join("game");

      alice.trigger("game", "score", Map.of("points", 11));

      assertError(
          alice.takeError(),
          "VALIDATION_FAILED",
          "Event 'score' validation failed: points: must be less than or equal to 10");
    }
  }

  @Test
  void trigger_deliversDataAsTheServerParsedIt() {
    try (Dialogue server = server();
        RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      alice.join("game");

      alice.trigger("game", "score", Map.of("points", 7, "note", "nice", "cheat", true));

      JsonNode data = alice.take(Wire.EVENT).data().path("data");
      assertThat(data.path("points").asInt()).isEqualTo(7);
      assertThat(data.has("cheat")).as("unknown field dropped: %s", data).isFalse();
      assertThat(data.path("note").asText()).isEqualTo("nice");
    }
  }

  @Test
  void trigger_doesNotCoerceScalars() {
    try (Dialogue server = server();
        RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      alice.join("game");

      alice.trigger("game", "score", Map.of("points", "7"));
      assertError(
          alice.takeError(),
          "VALIDATION_FAILED",
          "Event 'score' validation failed: points: Expected number, received string");

      alice.trigger("game", "score", Map.of("points", 7, "note", 5));
      assertError(
          alice.takeError(),
          "VALIDATION_FAILED",
          "Event 'score' validation failed: note: Expected string, received number");
    }
  }

  @Test
  void trigger_ofUntypedEvent_acceptsAnyJson() {
    try (Dialogue server = server();
        RawClient alice = RawClient.connectAs(server.port(), "alice")) {
      alice.join("chat");
      alice.emit(Wire.SUBSCRIBE, Map.of("roomId", "chat", "eventName", "ping"));

      alice.trigger("chat", "ping", List.of(1, "two", Map.of("three", 3)));

      JsonNode data = alice.take(Wire.EVENT).data().path("data");
      assertThat(data.toString()).isEqualTo("[1,\"two\",{\"three\":3}]");
    }
  }

  @Test
  void serverTrigger_withInvalidPayload_throwsValidationFailed() {
    try (Dialogue server = server()) {
      DialogueException e =
          org.junit.jupiter.api.Assertions.assertThrows(
              DialogueException.class, () -> server.trigger("game", "score", Map.of("points", -1)));

      assertThat(e.code()).isEqualTo(ErrorCode.VALIDATION_FAILED);
      assertThat(e.getMessage())
          .isEqualTo("Event 'score' validation failed: points: must be greater than or equal to 0");
    }
  }
}
