package dev.dialogue.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dialogue.Dialogue;
import dev.dialogue.EventMessage;
import dev.dialogue.TestServers;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** An event's JSON is reused verbatim in later answers, and is the same JSON either way. */
class EncodedEventsTest {
  private static EventMessage event(String text) {
    return new EventMessage(
        "message",
        "chat",
        Json.tree(Map.of("text", text)),
        "alice",
        1_700_000_000_000L,
        null,
        "id-" + text,
        7L,
        null);
  }

  @Test
  void rememberedEvent_isWrittenAsItsOwnJson_insideAnswers() {
    EventMessage fresh = event("hello");
    String before =
        Json.write(new Wire.JoinResult("chat", "Chat", 7, "e1", null, true, List.of(fresh), null));

    String encoded = EncodedEvents.encode(fresh);
    assertThat(EncodedEvents.remembered(fresh)).isTrue();
    String after =
        Json.write(new Wire.JoinResult("chat", "Chat", 7, "e1", null, true, List.of(fresh), null));

    assertThat(after).isEqualTo(before).contains(encoded);
    assertThat(encoded).isEqualTo(Json.write(event("hello")));
  }

  @Test
  void aTreeOfARememberedEvent_isStillBuiltFieldByField() {
    EventMessage m = event("tree");
    EncodedEvents.encode(m);
    JsonNode tree = Json.tree(m);
    assertThat(tree.isObject()).isTrue();
    assertThat(tree.path("data").path("text").asText()).isEqualTo("tree");
  }

  @Test
  void okBody_addsOkToTheResultsFields() {
    assertThat(Reply.okBody(new Wire.Empty()).rawValue()).isEqualTo("{\"ok\":true}");
    assertThat(Reply.okBody(null).rawValue()).isEqualTo("{\"ok\":true}");
    assertThat(Reply.okBody(new Wire.Joined("chat", "Chat")).rawValue())
        .isEqualTo("{\"ok\":true,\"roomId\":\"chat\",\"roomName\":\"Chat\"}");
  }

  @Test
  void aDeliveredHistoryEvent_isRemembered_anEventWithoutHistoryIsNot() {
    try (Dialogue server = TestServers.builder().build().start()) {
      EventMessage kept = server.trigger("chat", "message", Map.of("text", "kept"));
      EventMessage passing = server.trigger("chat", "typing", Map.of("isTyping", true));
      EventMessage stored = server.room("chat").orElseThrow().history("message", 0, 1).get(0);
      assertThat(stored.offset()).isEqualTo(kept.offset());
      assertThat(EncodedEvents.remembered(stored)).isTrue();
      assertThat(EncodedEvents.remembered(passing)).isFalse();
    }
  }
}
