package dev.dialogue.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.util.Version;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The starter stays on the core's public API, and Spring does not change the project's versions:
 * Spring Boot's BOM, which pins Netty and Jackson, is imported nowhere.
 */
class StarterBoundaryTest {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

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

  @Test
  void nettyOnTheClasspath_isTheProjectsVersion_notSpringBoots() {
    Matcher pinned =
        Pattern.compile("<netty.version>([^<]+)</netty.version>")
            .matcher(read(ROOT.resolve("pom.xml")));
    assertThat(pinned.find()).as("netty.version in the root pom").isTrue();
    assertThat(Version.identify().get("netty-common").artifactVersion()).isEqualTo(pinned.group(1));
  }

  @Test
  void noPomImportsSpringBootsBom() throws IOException {
    List<Path> offenders;
    try (Stream<Path> poms = Files.walk(ROOT, 2)) {
      offenders =
          poms.filter(p -> p.getFileName().toString().equals("pom.xml"))
              .filter(p -> read(p).contains("spring-boot-dependencies"))
              .toList();
    }
    assertThat(offenders).isEmpty();
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
