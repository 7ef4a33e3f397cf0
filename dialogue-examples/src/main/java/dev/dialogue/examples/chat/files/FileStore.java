package dev.dialogue.examples.chat.files;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;

/** Placeholder with the agreed API; the real store replaces it. */
public final class FileStore {
  public static final long MAX_BYTES = 10L * 1024 * 1024;
  public static final long MAX_VOICE_BYTES = 2L * 1024 * 1024;
  public static final long MAX_VOICE_MS = 120_000;
  public static final int PREVIEW_MAX = 360;

  private FileStore() {}

  public static FileStore open(Path directory, DataSource dataSource) {
    return new FileStore();
  }

  public StoredFile save(
      String roomId, String userId, String name, String contentType, byte[] body, Long durationMs)
      throws FileRejected {
    throw new FileRejected(415, "UNSUPPORTED_TYPE", "not yet");
  }

  public Optional<StoredFile> find(String id) {
    return Optional.empty();
  }

  public Path content(StoredFile file) {
    throw new UnsupportedOperationException();
  }

  public Optional<Path> preview(StoredFile file) {
    return Optional.empty();
  }

  public record StoredFile(
      String id,
      String roomId,
      String userId,
      String name,
      String type,
      long size,
      Integer width,
      Integer height,
      Long durationMs,
      long createdAt) {
    public Map<String, Object> toJson() {
      return Map.of("id", id);
    }
  }

  public static final class FileRejected extends Exception {
    private final int status;
    private final String code;

    public FileRejected(int status, String code, String message) {
      super(message);
      this.status = status;
      this.code = code;
    }

    public int status() {
      return status;
    }

    public String code() {
      return code;
    }
  }
}
