package dev.dialogue.examples.chat.files;

import dev.dialogue.examples.Sql;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.imageio.ImageIO;
import javax.sql.DataSource;

/**
 * The chat's attachments: bytes on disk under one directory, one row per file in {@code chat_file}.
 * A file is checked before it is kept: its declared type must be one of {@link #ALLOWED_TYPES} and
 * its first bytes must match that type (a page is not accepted as a PNG), it is not empty and not
 * over {@link #MAX_BYTES}; a voice note (an audio file with a duration) is at most {@link
 * #MAX_VOICE_BYTES} and {@link #MAX_VOICE_MS}. Images get their size read and a PNG preview at most
 * {@link #PREVIEW_MAX} pixels on its longer side.
 *
 * <p>Authorisation is the caller's: a file belongs to a room, and the HTTP side serves it to that
 * room's members only.
 */
public final class FileStore {
  /** Largest file. */
  public static final long MAX_BYTES = 10L * 1024 * 1024;

  /** Largest voice note. */
  public static final long MAX_VOICE_BYTES = 2L * 1024 * 1024;

  /** Longest voice note. */
  public static final long MAX_VOICE_MS = 120_000;

  /** Longer side of an image preview, in pixels. */
  public static final int PREVIEW_MAX = 360;

  /** The content types accepted. */
  public static final Set<String> ALLOWED_TYPES =
      Set.of(
          "image/png",
          "image/jpeg",
          "image/gif",
          "image/webp",
          "application/pdf",
          "text/plain",
          "application/zip",
          "audio/webm",
          "audio/ogg",
          "audio/mpeg");

  private static final int MAX_NAME = 120;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Path directory;
  private final Sql sql;
  private final Clock clock;

  private FileStore(Path directory, DataSource dataSource, Clock clock) {
    this.directory = directory;
    this.sql = new Sql(dataSource);
    this.clock = clock;
  }

  /** Opens (and creates, the first time) the store in {@code directory} and its table. */
  public static FileStore open(Path directory, DataSource dataSource) {
    try {
      Files.createDirectories(directory);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the file directory " + directory, e);
    }
    FileStore store = new FileStore(directory, dataSource, Clock.systemUTC());
    store.sql.update(
        "create table if not exists chat_file (id varchar(40) primary key,"
            + " room_id varchar(64) not null, user_id varchar(40) not null,"
            + " name varchar(200) not null, type varchar(100) not null, size bigint not null,"
            + " width int, height int, duration_ms bigint, has_preview boolean not null,"
            + " created_at bigint not null)");
    return store;
  }

  /**
   * Checks and keeps a file.
   *
   * @param durationMs a voice note's length; only audio types take one
   * @throws FileRejected 415 {@code UNSUPPORTED_TYPE}, 400 {@code EMPTY_FILE}, 413 {@code
   *     TOO_LARGE}, 400 {@code BAD_DURATION}, each with a message naming the limit
   */
  public StoredFile save(
      String roomId, String userId, String name, String contentType, byte[] body, Long durationMs)
      throws FileRejected {
    String type = normalType(contentType);
    if (!ALLOWED_TYPES.contains(type)) {
      throw new FileRejected(
          415,
          "UNSUPPORTED_TYPE",
          "Files of type "
              + (type.isEmpty() ? "(none)" : type)
              + " are not accepted; send an image (PNG, JPEG, GIF, WebP), a PDF, a text file, a"
              + " zip or audio (WebM, Ogg, MP3)");
    }
    if (body.length == 0) {
      throw new FileRejected(400, "EMPTY_FILE", "The file is empty");
    }
    if (body.length > MAX_BYTES) {
      throw new FileRejected(
          413, "TOO_LARGE", "Files are at most " + MAX_BYTES / (1024 * 1024) + " MiB");
    }
    if (!looksLike(type, body)) {
      throw new FileRejected(
          415, "UNSUPPORTED_TYPE", "The file's content is not " + type + " as its type says");
    }
    if (durationMs != null) {
      if (!type.startsWith("audio/")) {
        throw new FileRejected(400, "BAD_DURATION", "Only audio files have a duration");
      }
      if (durationMs <= 0 || durationMs > MAX_VOICE_MS) {
        throw new FileRejected(
            400,
            "BAD_DURATION",
            "A voice note lasts between 1 ms and " + MAX_VOICE_MS / 1000 + " s");
      }
      if (body.length > MAX_VOICE_BYTES) {
        throw new FileRejected(
            413,
            "TOO_LARGE",
            "Voice notes are at most " + MAX_VOICE_BYTES / (1024 * 1024) + " MiB");
      }
    }
    Integer width = null;
    Integer height = null;
    byte[] preview = null;
    if (type.startsWith("image/")) {
      BufferedImage image = read(body);
      if (image != null) {
        width = image.getWidth();
        height = image.getHeight();
        preview = preview(image);
      }
    }
    String id = newId();
    try {
      write(contentPath(id), body);
      if (preview != null) {
        write(previewPath(id), preview);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot store file " + id, e);
    }
    StoredFile file =
        new StoredFile(
            id,
            roomId,
            userId,
            sanitize(name),
            type,
            body.length,
            width,
            height,
            durationMs,
            clock.millis());
    sql.update(
        "insert into chat_file (id, room_id, user_id, name, type, size, width, height,"
            + " duration_ms, has_preview, created_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        file.id(),
        file.roomId(),
        file.userId(),
        file.name(),
        file.type(),
        file.size(),
        file.width(),
        file.height(),
        file.durationMs(),
        preview != null,
        file.createdAt());
    return file;
  }

  /** The file with this id, if there is one. */
  public Optional<StoredFile> find(String id) {
    if (id == null || !id.matches("[0-9a-f]{32}")) {
      return Optional.empty();
    }
    return sql.one(
        "select id, room_id, user_id, name, type, size, width, height, duration_ms, created_at"
            + " from chat_file where id = ?",
        rs ->
            new StoredFile(
                rs.getString(1),
                rs.getString(2),
                rs.getString(3),
                rs.getString(4),
                rs.getString(5),
                rs.getLong(6),
                (Integer) rs.getObject(7),
                (Integer) rs.getObject(8),
                rs.getObject(9) == null ? null : rs.getLong(9),
                rs.getLong(10)),
        id);
  }

  /** Where the file's bytes are. */
  public Path content(StoredFile file) {
    return contentPath(file.id());
  }

  /** The image preview (PNG), for images that could be decoded. */
  public Optional<Path> preview(StoredFile file) {
    Path path = previewPath(file.id());
    return Files.exists(path) ? Optional.of(path) : Optional.empty();
  }

  private Path contentPath(String id) {
    return directory.resolve(id.substring(0, 2)).resolve(id);
  }

  private Path previewPath(String id) {
    return directory.resolve(id.substring(0, 2)).resolve(id + ".preview.png");
  }

  /** Writes through a temporary file, so a crash never leaves half a file under the real name. */
  private static void write(Path path, byte[] bytes) throws IOException {
    Files.createDirectories(path.getParent());
    Path temp = Files.createTempFile(path.getParent(), "upload", ".tmp");
    try {
      Files.write(temp, bytes);
      Files.move(temp, path, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  private static String newId() {
    byte[] bytes = new byte[16];
    RANDOM.nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }

  static String normalType(String contentType) {
    if (contentType == null) {
      return "";
    }
    int semicolon = contentType.indexOf(';');
    return (semicolon < 0 ? contentType : contentType.substring(0, semicolon))
        .strip()
        .toLowerCase(java.util.Locale.ROOT);
  }

  /** A display name without paths, control characters or quotes, at most 120 characters. */
  static String sanitize(String name) {
    String base = name == null ? "" : name;
    base = base.substring(Math.max(base.lastIndexOf('/'), base.lastIndexOf('\\')) + 1);
    StringBuilder out = new StringBuilder();
    base.codePoints()
        .filter(cp -> !Character.isISOControl(cp) && cp != '"' && cp != '\u2028' && cp != '\u2029')
        .forEach(out::appendCodePoint);
    String clean = out.toString().strip();
    while (clean.startsWith(".")) {
      clean = clean.substring(1);
    }
    if (clean.isEmpty()) {
      clean = "file";
    }
    return clean.length() > MAX_NAME ? clean.substring(0, MAX_NAME) : clean;
  }

  /** Whether the first bytes are those of {@code type}. */
  static boolean looksLike(String type, byte[] b) {
    return switch (type) {
      case "image/png" -> starts(b, 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A);
      case "image/jpeg" -> starts(b, 0xFF, 0xD8, 0xFF);
      case "image/gif" -> starts(b, 'G', 'I', 'F', '8');
      case "image/webp" -> starts(b, 'R', 'I', 'F', 'F') && at(b, 8, 'W', 'E', 'B', 'P');
      case "application/pdf" -> starts(b, '%', 'P', 'D', 'F', '-');
      case "application/zip" -> starts(b, 'P', 'K', 3, 4) || starts(b, 'P', 'K', 5, 6);
      case "audio/webm" -> starts(b, 0x1A, 0x45, 0xDF, 0xA3);
      case "audio/ogg" -> starts(b, 'O', 'g', 'g', 'S');
      case "audio/mpeg" ->
          starts(b, 'I', 'D', '3')
              || (b.length > 1 && (b[0] & 0xFF) == 0xFF && (b[1] & 0xE0) == 0xE0);
      case "text/plain" -> isText(b);
      default -> false;
    };
  }

  private static boolean starts(byte[] b, int... magic) {
    return at(b, 0, magic);
  }

  private static boolean at(byte[] b, int offset, int... magic) {
    if (b.length < offset + magic.length) {
      return false;
    }
    for (int i = 0; i < magic.length; i++) {
      if ((b[offset + i] & 0xFF) != magic[i]) {
        return false;
      }
    }
    return true;
  }

  /** UTF-8 without NUL bytes. */
  private static boolean isText(byte[] b) {
    for (byte x : b) {
      if (x == 0) {
        return false;
      }
    }
    try {
      StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(java.nio.ByteBuffer.wrap(b));
      return true;
    } catch (CharacterCodingException e) {
      return false;
    }
  }

  private static BufferedImage read(byte[] body) {
    try {
      return ImageIO.read(new ByteArrayInputStream(body));
    } catch (IOException | RuntimeException e) {
      return null; // a type ImageIO cannot decode (WebP) or a damaged image: kept, no preview
    }
  }

  private static byte[] preview(BufferedImage image) {
    int w = image.getWidth();
    int h = image.getHeight();
    double scale = Math.min(1.0, (double) PREVIEW_MAX / Math.max(w, h));
    int pw = Math.max(1, (int) Math.round(w * scale));
    int ph = Math.max(1, (int) Math.round(h * scale));
    BufferedImage out = new BufferedImage(pw, ph, BufferedImage.TYPE_INT_ARGB);
    Graphics2D g = out.createGraphics();
    try {
      g.setRenderingHint(
          RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
      g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
      g.drawImage(image, 0, 0, pw, ph, null);
    } finally {
      g.dispose();
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try {
      ImageIO.write(out, "png", bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /** A kept file. {@code width}/{@code height} for images, {@code durationMs} for voice notes. */
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
    /** The {@code File} of docs/examples/chat.md: {@code {id, name, type, size, width?, ...}}. */
    public Map<String, Object> toJson() {
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("id", id);
      json.put("name", name);
      json.put("type", type);
      json.put("size", size);
      if (width != null) {
        json.put("width", width);
        json.put("height", height);
      }
      if (durationMs != null) {
        json.put("durationMs", durationMs);
      }
      return json;
    }
  }

  /** Why a file was not kept: an HTTP status, an application code and a message. */
  public static final class FileRejected extends Exception {
    private static final long serialVersionUID = 1L;
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
