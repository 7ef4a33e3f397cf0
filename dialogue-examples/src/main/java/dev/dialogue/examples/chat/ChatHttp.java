package dev.dialogue.examples.chat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dialogue.ClientConnection;
import dev.dialogue.Dialogue;
import dev.dialogue.HttpHandler;
import dev.dialogue.HttpRequest;
import dev.dialogue.HttpResponse;
import dev.dialogue.examples.chat.Directory.Channel;
import dev.dialogue.examples.chat.files.FileStore;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The chat's HTTP side (docs/examples/chat.md, "Identity" and "Files"): sign-up, sign-in and
 * sign-out answering JSON and setting the {@code chat_token} cookie, uploads and downloads of files
 * authorised by membership of their room, and the web UI from the class path.
 */
final class ChatHttp {
  static final String COOKIE = "chat_token";
  static final String WEB_ROOT = "/dev/dialogue/examples/chat/web/";
  private static final Logger LOG = LoggerFactory.getLogger(ChatHttp.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A route body that may refuse with an {@link ApiError}. */
  private interface Route {
    HttpResponse handle(HttpRequest request) throws ApiError;
  }

  private final ChatService chat;

  ChatHttp(ChatService chat) {
    this.chat = chat;
  }

  void register(Dialogue.Builder builder) {
    builder.http("/api/signup", handler(this::signUp));
    builder.http("/api/signin", handler(this::signIn));
    builder.http("/api/signout", handler(this::signOut));
    builder.http("/api/files/", FileStore.MAX_BYTES + 1024, handler(this::files));
    builder.http(
        "/api/",
        handler(
            r -> {
              throw new ApiError(404, "NOT_FOUND", "No such endpoint: " + r.path());
            }));
    builder.http("/", HttpHandler.resources(WEB_ROOT));
  }

  private static HttpHandler handler(Route route) {
    return request -> {
      try {
        HttpResponse response = route.handle(request);
        if (!response.headers().containsKey("cache-control")) {
          response = response.withHeader("Cache-Control", "no-store");
        }
        return response.withHeader("X-Content-Type-Options", "nosniff");
      } catch (ApiError e) {
        return error(e.status(), e.code(), e.getMessage());
      }
    };
  }

  static HttpResponse error(int status, String code, String message) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("error", code);
    body.put("message", message);
    return json(status, body);
  }

  private static HttpResponse json(int status, Object body) {
    try {
      return HttpResponse.json(status, JSON.writeValueAsString(body));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void requireMethod(HttpRequest request, String method) throws ApiError {
    if (!request.method().equals(method)) {
      throw new ApiError(405, "METHOD_NOT_ALLOWED", request.path() + " takes " + method);
    }
  }

  private static JsonNode body(HttpRequest request) throws ApiError {
    String type = request.header("Content-Type").orElse("");
    if (!type.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
      throw new ApiError(415, "UNSUPPORTED_TYPE", "Send JSON (Content-Type: application/json)");
    }
    try {
      JsonNode node = JSON.readTree(request.body());
      if (node == null || !node.isObject()) {
        throw new ApiError(400, "BAD_REQUEST", "The body must be a JSON object");
      }
      return node;
    } catch (java.io.IOException e) {
      throw new ApiError(400, "BAD_REQUEST", "The body is not valid JSON");
    }
  }

  private static String text(JsonNode body, String field) {
    JsonNode value = body.get(field);
    return value != null && value.isTextual() ? value.asText() : null;
  }

  private HttpResponse signUp(HttpRequest request) throws ApiError {
    requireMethod(request, "POST");
    JsonNode body = body(request);
    Accounts.User user =
        chat.accounts.signUp(
            text(body, "username"), text(body, "displayName"), text(body, "password"));
    chat.welcome(user);
    return session(user, 201);
  }

  private HttpResponse signIn(HttpRequest request) throws ApiError {
    requireMethod(request, "POST");
    JsonNode body = body(request);
    String username = text(body, "username");
    String password = text(body, "password");
    if (username == null || password == null) {
      throw new ApiError(400, "BAD_REQUEST", "Sign-in needs a username and a password (strings)");
    }
    Accounts.User user = chat.accounts.signIn(username, password);
    return session(user, 200);
  }

  private HttpResponse session(Accounts.User user, int status) {
    String token = chat.accounts.issueToken(user);
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("token", token);
    answer.put("user", user.toJson());
    return json(status, answer)
        .withHeader(
            "Set-Cookie",
            COOKIE
                + "="
                + token
                + "; Path=/; HttpOnly; SameSite=Strict; Max-Age="
                + Accounts.TOKEN_LIFETIME.toSeconds());
  }

  private HttpResponse signOut(HttpRequest request) throws ApiError {
    requireMethod(request, "POST");
    Accounts.Session session = session(request);
    chat.accounts.revoke(session);
    for (ClientConnection client : chat.dialogue().clients(session.user().id())) {
      if (session.jti().equals(client.claims().get("jti"))) {
        client.disconnect();
      }
    }
    return json(200, Map.of("signedOut", true))
        .withHeader("Set-Cookie", COOKIE + "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
  }

  /** The session of a request: {@code Authorization: Bearer} first, then the cookie. */
  private Accounts.Session session(HttpRequest request) throws ApiError {
    Optional<String> token =
        request
            .header("Authorization")
            .filter(h -> h.regionMatches(true, 0, "Bearer ", 0, 7))
            .map(h -> h.substring(7).trim())
            .or(() -> request.cookie(COOKIE));
    if (token.isEmpty()) {
      throw new ApiError(401, "UNAUTHORIZED", "Sign in first");
    }
    return chat.accounts
        .verify(token.get())
        .orElseThrow(() -> new ApiError(401, "UNAUTHORIZED", "The session is invalid or expired"));
  }

  private HttpResponse files(HttpRequest request) throws ApiError {
    Accounts.Session session = session(request);
    String userId = session.user().id();
    String sub = request.subpath();
    if (sub.isEmpty()) {
      requireMethod(request, "POST");
      return upload(request, userId);
    }
    String[] parts = sub.split("/", -1);
    if (!(request.method().equals("GET") || request.method().equals("HEAD"))) {
      throw new ApiError(405, "METHOD_NOT_ALLOWED", "Files are read with GET");
    }
    FileStore.StoredFile file =
        chat.files
            .find(parts[0])
            .filter(f -> member(userId, f.roomId()))
            .orElseThrow(() -> new ApiError(404, "NOT_FOUND", "No such file"));
    if (parts.length == 1) {
      return HttpResponse.file(chat.files.content(file), file.type())
          .withHeader("Content-Disposition", disposition(file))
          .withHeader("Cache-Control", "private, no-cache")
          .withHeader("X-Content-Type-Options", "nosniff")
          .withHeader("Content-Security-Policy", "sandbox");
    }
    if (parts.length == 2 && parts[1].equals("preview")) {
      java.nio.file.Path preview =
          chat.files
              .preview(file)
              .orElseThrow(() -> new ApiError(404, "NOT_FOUND", "This file has no preview"));
      String type = preview.getFileName().toString().endsWith(".png") ? "image/png" : "image/jpeg";
      return HttpResponse.file(preview, type)
          .withHeader("Cache-Control", "private, no-cache")
          .withHeader("X-Content-Type-Options", "nosniff");
    }
    throw new ApiError(404, "NOT_FOUND", "No such file");
  }

  private static String disposition(FileStore.StoredFile file) {
    boolean inline = file.type().startsWith("image/") || file.type().startsWith("audio/");
    String ascii = file.name().replaceAll("[^A-Za-z0-9._ -]", "_");
    String encoded =
        java.net.URLEncoder.encode(file.name(), java.nio.charset.StandardCharsets.UTF_8)
            .replace("+", "%20");
    return (inline ? "inline" : "attachment")
        + "; filename=\""
        + ascii
        + "\"; filename*=UTF-8''"
        + encoded;
  }

  private boolean member(String userId, String roomId) {
    return chat.directory.byRoom(roomId).map(c -> chat.directory.isMember(c, userId)).orElse(false);
  }

  private HttpResponse upload(HttpRequest request, String userId) throws ApiError {
    String roomId =
        request
            .query("roomId")
            .orElseThrow(() -> new ApiError(400, "BAD_REQUEST", "roomId is required"));
    Channel channel =
        chat.directory
            .byRoom(roomId)
            .filter(c -> chat.directory.isMember(c, userId))
            .orElseThrow(() -> new ApiError(404, "NOT_FOUND", "No such channel"));
    String name = request.query("name").orElse("file");
    String type =
        request
            .header("Content-Type")
            .orElseThrow(() -> new ApiError(415, "UNSUPPORTED_TYPE", "Content-Type is required"));
    Long durationMs = null;
    Optional<String> duration = request.query("durationMs");
    if (duration.isPresent()) {
      try {
        durationMs = Long.parseLong(duration.get());
      } catch (NumberFormatException e) {
        throw new ApiError(
            400, "BAD_DURATION", "durationMs must be a whole number of milliseconds");
      }
    }
    try {
      FileStore.StoredFile file =
          chat.files.save(channel.roomId(), userId, name, type, request.body(), durationMs);
      LOG.debug("stored file {} ({} bytes) in {}", file.id(), file.size(), roomId);
      return json(201, file.toJson());
    } catch (FileStore.FileRejected e) {
      throw new ApiError(e.status(), e.code(), e.getMessage());
    }
  }
}
