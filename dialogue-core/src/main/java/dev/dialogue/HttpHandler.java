package dev.dialogue;

import dev.dialogue.internal.ClasspathResources;

/**
 * Answers HTTP requests on the server's own port, under a path prefix given to {@link
 * Dialogue.Builder#http(String, HttpHandler)}: an application's pages, its sign-in endpoint, file
 * uploads and downloads, health checks, next to the Socket.IO endpoint and {@code /dialogue.js}.
 *
 * <p>Handlers run on the server's executor (see {@link Dialogue.Builder#executor}), never on a
 * network thread, so they may block (JDBC, files). The request's body has been read whole, up to
 * the route's limit, before the handler is called. An exception becomes {@code 500} (logged with
 * its stack trace; the client sees no detail). One connection's requests are answered one at a
 * time, in order.
 *
 * <pre>{@code
 * Dialogue.builder()
 *     .http("/", HttpHandler.resources("/com/example/web/"))
 *     .http("/api/hello", request -> HttpResponse.text(200, "hello " + request.query("name").orElse("you")))
 * }</pre>
 */
@FunctionalInterface
public interface HttpHandler {
  /** The answer to {@code request}; never null. */
  HttpResponse handle(HttpRequest request) throws Exception;

  /**
   * Serves the class path resources under {@code classpathRoot} (such as {@code
   * "/com/example/web/"}): the request's {@link HttpRequest#subpath()} names the file, a directory
   * (or the route itself) its {@code index.html}. Only {@code GET} and {@code HEAD}; content types
   * by file extension; an {@code ETag} with {@code If-None-Match} answered {@code 304}; a path with
   * {@code ..} or a missing file answered {@code 404}. Each file is read once and kept.
   */
  static HttpHandler resources(String classpathRoot) {
    return new ClasspathResources(classpathRoot);
  }
}
