package dev.dialogue.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The hand-written end of docs/performance.md survives a new run of the harness. */
class ReportTest {
  @TempDir Path dir;

  @Test
  void handWrittenPart_isKeptFromTheMarkerOn() throws Exception {
    Path out = dir.resolve("performance.md");
    String hand = Report.HAND_WRITTEN + "\n\n## Reading of this run\n\nWritten by a person.\n";
    Files.writeString(out, "# Performance\n\ngenerated tables\n\n" + hand);

    assertThat(Report.handWritten(out)).isEqualTo(hand);
  }

  @Test
  void withoutMarkerOrFile_nothingIsKept() throws Exception {
    Path out = dir.resolve("performance.md");
    assertThat(Report.handWritten(out)).isEmpty();
    Files.writeString(out, "# Performance\n\nonly generated\n");
    assertThat(Report.handWritten(out)).isEmpty();
  }
}
