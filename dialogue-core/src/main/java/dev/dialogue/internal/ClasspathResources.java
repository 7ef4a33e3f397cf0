package dev.dialogue.internal;

import dev.dialogue.HttpHandler;
import dev.dialogue.HttpRequest;
import dev.dialogue.HttpResponse;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@link HttpHandler#resources}: class path files under a root, each read once and kept with its
 * ETag. A missing file is remembered as missing too, so a scan of made-up paths costs one lookup
 * each and keeps nothing.
 */
public final class ClasspathResources implements HttpHandler {
  private static final Map<String, String> TYPES =
      Map.ofEntries(
          Map.entry("html", "text/html; charset=utf-8"),
          Map.entry("htm", "text/html; charset=utf-8"),
          Map.entry("js", "text/javascript; charset=utf-8"),
          Map.entry("mjs", "text/javascript; charset=utf-8"),
          Map.entry("css", "text/css; charset=utf-8"),
          Map.entry("json", "application/json; charset=utf-8"),
          Map.entry("webmanifest", "application/manifest+json"),
          Map.entry("map", "application/json; charset=utf-8"),
          Map.entry("txt", "text/plain; charset=utf-8"),
          Map.entry("svg", "image/svg+xml"),
          Map.entry("png", "image/png"),
          Map.entry("jpg", "image/jpeg"),
          Map.entry("jpeg", "image/jpeg"),
          Map.entry("gif", "image/gif"),
          Map.entry("webp", "image/webp"),
          Map.entry("ico", "image/x-icon"),
          Map.entry("woff2", "font/woff2"),
          Map.entry("woff", "font/woff"),
          Map.entry("wav", "audio/wav"),
          Map.entry("mp3", "audio/mpeg"));

  /** Kept files at most; beyond it files are read for each request (a root is normally small). */
  private static final int MAX_KEPT = 4_096;

  private record Resource(byte[] body, String type, String etag) {}

  private static final Resource MISSING = new Resource(new byte[0], "", "");

  private final String root;
  private final Map<String, Resource> kept = new ConcurrentHashMap<>();

  public ClasspathResources(String root) {
    if (root == null || !root.startsWith("/")) {
      throw new IllegalArgumentException(
          "classpathRoot must be an absolute resource path like /com/example/web/ but was " + root);
    }
    this.root = root.endsWith("/") ? root : root + "/";
  }

  @Override
  public HttpResponse handle(HttpRequest request) throws IOException {
    if (!request.method().equals("GET") && !request.method().equals("HEAD")) {
      return HttpResponse.text(405, "Method Not Allowed: only GET and HEAD")
          .withHeader("allow", "GET, HEAD");
    }
    Optional<String> name = fileName(request.subpath());
    if (name.isEmpty()) {
      return HttpResponse.text(404, "Not Found");
    }
    Resource resource = kept.get(name.get());
    if (resource == null) {
      resource = load(name.get());
      if (kept.size() < MAX_KEPT) {
        kept.put(name.get(), resource);
      }
    }
    if (resource == MISSING) {
      return HttpResponse.text(404, "Not Found");
    }
    if (request.header("if-none-match").map(resource.etag::equals).orElse(false)) {
      return HttpResponse.status(304).withHeader("etag", resource.etag);
    }
    return HttpResponse.of(200, resource.type, resource.body)
        .withHeader("etag", resource.etag)
        .withHeader("cache-control", "no-cache")
        .withHeader("x-content-type-options", "nosniff");
  }

  /** The file a subpath names, or empty for one that leaves the root or is not a plain name. */
  private static Optional<String> fileName(String subpath) {
    String name = subpath.startsWith("/") ? subpath.substring(1) : subpath;
    if (name.isEmpty() || name.endsWith("/")) {
      name = name + "index.html";
    }
    for (String segment : name.split("/", -1)) {
      if (segment.isEmpty()
          || segment.equals(".")
          || segment.equals("..")
          || segment.indexOf('\\') >= 0
          || segment.indexOf('\0') >= 0) {
        return Optional.empty();
      }
    }
    return Optional.of(name);
  }

  private Resource load(String name) throws IOException {
    URL url = ClasspathResources.class.getResource(root + name);
    if (url == null || isDirectory(url)) {
      return MISSING; // a directory on the file system would read as its listing
    }
    try (InputStream in = url.openStream()) {
      byte[] body = in.readAllBytes();
      int dot = name.lastIndexOf('.');
      String ext = dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
      return new Resource(body, TYPES.getOrDefault(ext, "application/octet-stream"), etagOf(body));
    }
  }

  private static boolean isDirectory(URL url) {
    try {
      return url.getProtocol().equals("file") && Files.isDirectory(Path.of(url.toURI()));
    } catch (URISyntaxException | IllegalArgumentException e) {
      return true;
    }
  }

  private static String etagOf(byte[] body) {
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256").digest(body);
      return "\"" + HexFormat.of().formatHex(hash, 0, 12) + "\"";
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing", e);
    }
  }
}
