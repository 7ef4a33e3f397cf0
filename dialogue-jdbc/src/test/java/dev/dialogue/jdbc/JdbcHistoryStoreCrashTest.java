package dev.dialogue.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dialogue.EventMessage;
import dev.dialogue.HistoryStore;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nothing acknowledged is lost: a process appending to an H2 file database is killed with SIGKILL
 * in the middle of a stream, and every event whose future had completed is there afterwards.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class JdbcHistoryStoreCrashTest {
  private static final int ACKS_BEFORE_KILL = 5_000;

  @TempDir Path directory;

  @Test
  void killedWithSigkill_keepsEveryAcknowledgedEvent_underTheSameEpoch() throws Exception {
    String url = "jdbc:h2:file:" + directory.resolve("crash").toAbsolutePath();
    Path stderr = directory.resolve("child-stderr.txt");
    Process child =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                HistoryStoreCrashChild.class.getName(),
                url,
                "room",
                "epoch-1")
            .redirectError(stderr.toFile())
            .start();
    List<Long> acked = new ArrayList<>();
    try (BufferedReader lines =
        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = lines.readLine()) != null) {
        assertThat(line)
            .as("child output; stderr: %s", Files.readString(stderr))
            .startsWith("ACK ");
        acked.add(Long.parseLong(line.substring(4)));
        if (acked.size() == ACKS_BEFORE_KILL) {
          // SIGKILL (no shutdown hook, no close(), no flush). Through the handle: Process.destroy*
          // would also close our end of its output, losing acknowledgements still in the pipe.
          child.toHandle().destroyForcibly();
          assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
      }
    }
    assertThat(child.exitValue()).isEqualTo(137); // 128 + SIGKILL: it was killed, not finished
    assertThat(acked).hasSizeGreaterThanOrEqualTo(ACKS_BEFORE_KILL);

    try (JdbcHistoryStore store = JdbcHistoryStore.builder(url).build()) {
      long max = acked.stream().mapToLong(Long::longValue).max().orElseThrow();
      HistoryStore.Position position = store.position("room").orElseThrow();
      List<Long> stored =
          store.eventsAfter("room", 0, Integer.MAX_VALUE).stream()
              .map(EventMessage::offset)
              .toList();

      assertThat(position.epoch()).isEqualTo("epoch-1");
      assertThat(position.offset()).isGreaterThanOrEqualTo(max);
      // Stored offsets are a gap-free prefix 1..n that holds every acknowledged one.
      assertThat(stored)
          .containsExactlyElementsOf(LongStream.rangeClosed(1, position.offset()).boxed().toList());
      assertThat(stored).containsAll(acked);
    }
  }
}
