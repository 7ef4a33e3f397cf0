package dev.dialogue;

import static java.util.Objects.requireNonNull;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * An HTTP request to an {@link HttpHandler}, with its body read whole. Immutable. Header names are
 * case-insensitive; query parameters and the path are decoded.
 */
public final class HttpRequest {
  private final String method;
  private final String path;
  private final String subpath;
  private final Map<String, List<String>> query;
  private final Map<String, List<String>> headers;
  private final byte[] body;
  private final InetSocketAddress remoteAddress;

  private HttpRequest(
      String method,
      String path,
      String subpath,
      Map<String, List<String>> query,
      Map<String, List<String>> headers,
      byte[] body,
      InetSocketAddress remoteAddress) {
    this.method = method;
    this.path = path;
    this.subpath = subpath;
    this.query = query;
    this.headers = headers;
    this.body = body;
    this.remoteAddress = remoteAddress;
  }

  /**
   * A request as the server hands it to a handler; also for testing handlers directly.
   *
   * @param method such as {@code GET}, upper case
   * @param path the decoded path, starting with {@code /}
   * @param subpath what follows the route's prefix in {@code path} (see {@link #subpath()})
   * @param query the decoded query parameters, each with its values in order
   * @param headers the headers, each with its values in order (names in any case)
   * @param body the body's bytes (empty if none)
   * @param remoteAddress the peer, or null if unknown
   */
  public static HttpRequest of(
      String method,
      String path,
      String subpath,
      Map<String, List<String>> query,
      Map<String, List<String>> headers,
      byte[] body,
      InetSocketAddress remoteAddress) {
    requireNonNull(method, "method == null");
    requireNonNull(path, "path == null");
    requireNonNull(subpath, "subpath == null");
    Map<String, List<String>> lower = new LinkedHashMap<>();
    requireNonNull(headers, "headers == null")
        .forEach(
            (name, values) ->
                lower
                    .computeIfAbsent(name.toLowerCase(Locale.ROOT), n -> new ArrayList<>())
                    .addAll(values));
    lower.replaceAll((name, values) -> List.copyOf(values));
    Map<String, List<String>> params = new LinkedHashMap<>();
    requireNonNull(query, "query == null").forEach((k, v) -> params.put(k, List.copyOf(v)));
    return new HttpRequest(
        method.toUpperCase(Locale.ROOT),
        path,
        subpath,
        Map.copyOf(params),
        Map.copyOf(lower),
        requireNonNull(body, "body == null").clone(),
        remoteAddress);
  }

  /** The method, upper case ({@code GET}, {@code POST}, ...). */
  public String method() {
    return method;
  }

  /** The decoded path, without the query: {@code /api/files/12/preview}. */
  public String path() {
    return path;
  }

  /**
   * The part of {@link #path()} after the route's prefix: for the route {@code /api/files/} and the
   * path {@code /api/files/12/preview}, {@code 12/preview}; for the route {@code /api/signin} and
   * that exact path, the empty string.
   */
  public String subpath() {
    return subpath;
  }

  /** The first value of the query parameter {@code name}. */
  public Optional<String> query(String name) {
    List<String> values = query.get(name);
    return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
  }

  /** Every query parameter with its values. */
  public Map<String, List<String>> queryParameters() {
    return query;
  }

  /** The first value of the header {@code name} (any case). */
  public Optional<String> header(String name) {
    List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
    return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
  }

  /** Every header with its values, names in lower case. */
  public Map<String, List<String>> headers() {
    return headers;
  }

  /** The value of the cookie {@code name} from the {@code Cookie} headers. */
  public Optional<String> cookie(String name) {
    for (String header : headers.getOrDefault("cookie", List.of())) {
      for (String pair : header.split(";")) {
        int eq = pair.indexOf('=');
        if (eq > 0 && pair.substring(0, eq).trim().equals(name)) {
          String value = pair.substring(eq + 1).trim();
          if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
            value = value.substring(1, value.length() - 1);
          }
          return Optional.of(value);
        }
      }
    }
    return Optional.empty();
  }

  /** The body's bytes (a copy). */
  public byte[] body() {
    return body.clone();
  }

  /** The body's length in bytes. */
  public int bodyLength() {
    return body.length;
  }

  /** The body decoded as UTF-8. */
  public String bodyText() {
    return new String(body, StandardCharsets.UTF_8);
  }

  /** The peer's address, or empty if unknown. */
  public Optional<InetSocketAddress> remoteAddress() {
    return Optional.ofNullable(remoteAddress);
  }

  @Override
  public String toString() {
    return "HttpRequest{" + method + " " + path + ", " + body.length + " bytes}";
  }
}
