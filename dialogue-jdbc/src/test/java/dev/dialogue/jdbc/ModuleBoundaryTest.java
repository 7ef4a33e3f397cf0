package dev.dialogue.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The store is built on the core's public API only: the engine's packages are public so that the
 * core's own packages can reach them, not for other artifacts (docs/architecture.md).
 */
class ModuleBoundaryTest {
  @Test
  void mainSourcesImportNothingFromTheEngineOrTheTransport() throws IOException {
    List<Path> offenders;
    try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
      offenders =
          files
              .filter(p -> p.toString().endsWith(".java"))
              .filter(p -> read(p).contains("dev.dialogue.internal"))
              .toList();
    }
    assertThat(offenders).isEmpty();
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
