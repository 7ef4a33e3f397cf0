package dev.dialogue;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * What an {@link HttpHandler} answers: a status, headers and a body of bytes or a file (sent from
 * the disk as it is read, not held in memory). Immutable; {@link #withHeader} returns a copy.
 */
public final class HttpResponse {
  private final int status;
  private final Map<String, String> headers;
  private final byte[] body;
  private final Path file;

  private HttpResponse(int status, Map<String, String> headers, byte[] body, Path file) {
    if (status < 100 || status > 599) {
      throw new IllegalArgumentException("status must be in 100..599 but was " + status);
    }
    this.status = status;
    this.headers = headers;
    this.body = body;
    this.file = file;
  }

  /** A response with {@code body} of {@code contentType}. */
  public static HttpResponse of(int status, String contentType, byte[] body) {
    requireNonNull(contentType, "contentType == null");
    requireNonNull(body, "body == null");
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("content-type", contentType);
    return new HttpResponse(status, headers, body.clone(), null);
  }

  /** Plain UTF-8 text. */
  public static HttpResponse text(int status, String text) {
    requireNonNull(text, "text == null");
    return of(status, "text/plain; charset=utf-8", text.getBytes(StandardCharsets.UTF_8));
  }

  /** JSON the application encoded ({@code application/json}, UTF-8). */
  public static HttpResponse json(int status, String json) {
    requireNonNull(json, "json == null");
    return of(status, "application/json; charset=utf-8", json.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * The file at {@code file}, sent from the disk. Its length is read when the response is sent; a
   * file that is gone by then is answered {@code 404}.
   */
  public static HttpResponse file(Path file, String contentType) {
    requireNonNull(file, "file == null");
    requireNonNull(contentType, "contentType == null");
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("not a regular file: " + file);
    }
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("content-type", contentType);
    return new HttpResponse(200, headers, null, file);
  }

  /** A response without a body, such as {@code 204} or {@code 304}. */
  public static HttpResponse status(int status) {
    return new HttpResponse(status, new LinkedHashMap<>(), new byte[0], null);
  }

  /**
   * A copy with the header {@code name} set to {@code value} (replacing any value it had; names are
   * case-insensitive). {@code content-length} is the server's own.
   */
  public HttpResponse withHeader(String name, String value) {
    requireNonNull(name, "name == null");
    requireNonNull(value, "value == null");
    String key = name.toLowerCase(Locale.ROOT);
    if (key.equals("content-length") || key.equals("transfer-encoding")) {
      throw new IllegalArgumentException(name + " is set by the server");
    }
    if (!key.matches("[a-z0-9!#$%&'*+.^_`|~-]+") || value.matches("(?s).*[\\r\\n\\x00].*")) {
      throw new IllegalArgumentException("not a valid header: " + name);
    }
    Map<String, String> copy = new LinkedHashMap<>(headers);
    copy.put(key, value);
    return new HttpResponse(status, copy, body, file);
  }

  /** The status code. */
  public int status() {
    return status;
  }

  /** The headers, names in lower case. */
  public Map<String, String> headers() {
    return Map.copyOf(headers);
  }

  /** The header {@code name} (any case). */
  public Optional<String> header(String name) {
    return Optional.ofNullable(headers.get(name.toLowerCase(Locale.ROOT)));
  }

  /** The body's bytes (a copy), empty for a file response. */
  public byte[] body() {
    return body == null ? new byte[0] : body.clone();
  }

  /** The file to send, for a response made by {@link #file}. */
  public Optional<Path> file() {
    return Optional.ofNullable(file);
  }

  @Override
  public String toString() {
    return "HttpResponse{"
        + status
        + (file != null ? ", file " + file : ", " + body.length + " bytes")
        + "}";
  }
}
