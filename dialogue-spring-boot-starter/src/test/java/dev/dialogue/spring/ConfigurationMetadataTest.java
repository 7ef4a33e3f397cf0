package dev.dialogue.spring;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The configuration metadata that IDEs complete {@code dialogue.*} from is generated from {@link
 * DialogueProperties} and lists every property with a description.
 */
class ConfigurationMetadataTest {
  @Test
  void metadata_listsEveryProperty_withItsTypeAndDescription() throws Exception {
    JsonNode metadata;
    try (InputStream in =
        getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
      assertThat(in).as("META-INF/spring-configuration-metadata.json on the classpath").isNotNull();
      metadata = new ObjectMapper().readTree(in);
    }
    List<String> names = new ArrayList<>();
    for (JsonNode property : metadata.path("properties")) {
      names.add(property.path("name").asText());
      assertThat(property.path("type").asText()).as(property.toString()).isNotEmpty();
      assertThat(property.path("description").asText()).as(property.toString()).isNotEmpty();
    }
    assertThat(names)
        .contains(
            "dialogue.enabled",
            "dialogue.port",
            "dialogue.host",
            "dialogue.path",
            "dialogue.allowed-origins",
            "dialogue.browser-client-path",
            "dialogue.disconnect-grace",
            "dialogue.heartbeat.interval",
            "dialogue.heartbeat.timeout",
            "dialogue.limits.max-payload-bytes",
            "dialogue.limits.history-requests",
            "dialogue.limits.history-window",
            "dialogue.limits.max-client-rooms",
            "dialogue.limits.max-outbound-bytes",
            "dialogue.history.jdbc-url",
            "dialogue.history.username",
            "dialogue.history.password",
            "dialogue.auth.development-mode",
            "dialogue.auth.jwt.secret",
            "dialogue.auth.jwt.public-key",
            "dialogue.auth.jwt.issuer",
            "dialogue.auth.jwt.audience");
    assertThat(defaultOf(metadata, "dialogue.auth.development-mode")).isEqualTo("false");
    assertThat(defaultOf(metadata, "dialogue.enabled")).isEqualTo("true");
  }

  private static String defaultOf(JsonNode metadata, String name) {
    for (JsonNode property : metadata.path("properties")) {
      if (property.path("name").asText().equals(name)) {
        return property.path("defaultValue").asText();
      }
    }
    throw new AssertionError(name + " is not in the metadata");
  }
}
