package dev.dialogue.micrometer;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dialogue.ClientConnection;
import dev.dialogue.Dialogue;
import dev.dialogue.HttpHandler;
import dev.dialogue.HttpRequest;
import dev.dialogue.HttpResponse;
import dev.dialogue.Room;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin API under {@code /admin/} ({@link Operations#admin}): one method per action, each
 * logged to {@code dev.dialogue.admin} with the caller's address.
 *
 * <pre>
 * GET    rooms                          rooms with size, offset and epoch
 * GET    users/{userId}/connections     a user's connections and their rooms
 * POST   connections/{id}/disconnect    disconnects one connection
 * POST   users/{userId}/disconnect      disconnects every connection of a user
 * DELETE rooms/{id}                     deletes a room
 * POST   notice   {"text": "..."}       sends the event "notice" {text} to every connection
 * </pre>
 */
final class AdminApi implements HttpHandler {
  static final String NOTICE_EVENT = "notice";
  private static final Logger LOG = LoggerFactory.getLogger("dev.dialogue.admin");

  private final Supplier<Dialogue> server;
  private final HttpAccess access;

  AdminApi(Supplier<Dialogue> server, HttpAccess access) {
    this.server = server;
    this.access = access;
  }

  @Override
  public HttpResponse handle(HttpRequest request) throws Exception {
    if (!access.allows(request)) {
      LOG.warn("Refused admin {} {} from {}", request.method(), request.path(), from(request));
      return Operations.unauthorized();
    }
    Dialogue dialogue = server.get();
    if (dialogue == null) {
      return error(503, "the server has not started");
    }
    String[] parts = request.subpath().isEmpty() ? new String[0] : request.subpath().split("/");
    String method = request.method();
    if (parts.length == 1 && parts[0].equals("rooms") && method.equals("GET")) {
      return Operations.json(200, rooms(dialogue));
    }
    if (parts.length == 3 && parts[0].equals("users") && parts[2].equals("connections")) {
      return method.equals("GET")
          ? Operations.json(200, connections(dialogue.clients(parts[1])))
          : notAllowed("GET");
    }
    if (parts.length == 3 && parts[2].equals("disconnect") && method.equals("POST")) {
      if (parts[0].equals("connections")) {
        return disconnectConnection(dialogue, parts[1], request);
      }
      if (parts[0].equals("users")) {
        return disconnectUser(dialogue, parts[1], request);
      }
    }
    if (parts.length == 2 && parts[0].equals("rooms") && method.equals("DELETE")) {
      boolean deleted = dialogue.deleteRoom(parts[1]);
      LOG.info("Admin from {} deleted room '{}': {}", from(request), parts[1], deleted);
      return deleted
          ? Operations.json(200, Map.of("deleted", parts[1]))
          : error(404, "no room '" + parts[1] + "'");
    }
    if (parts.length == 1 && parts[0].equals("notice") && method.equals("POST")) {
      return notice(dialogue, request);
    }
    return error(404, "no admin action " + method + " " + request.path());
  }

  private static List<Map<String, Object>> rooms(Dialogue dialogue) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (Room room : dialogue.rooms()) {
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("id", room.id());
      r.put("name", room.name());
      r.put("size", room.size());
      r.put("offset", room.offset());
      r.put("epoch", room.epoch());
      r.put("createdBy", room.createdById());
      out.add(r);
    }
    return out;
  }

  private static List<Map<String, Object>> connections(List<ClientConnection> clients) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (ClientConnection c : clients) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("id", c.id());
      m.put("userId", c.userId());
      m.put("connected", c.connected());
      m.put("rooms", new TreeSet<>(c.rooms()));
      out.add(m);
    }
    return out;
  }

  private static HttpResponse disconnectConnection(
      Dialogue dialogue, String id, HttpRequest request) throws Exception {
    Optional<ClientConnection> found =
        dialogue.allClients().stream().filter(c -> c.id().equals(id)).findFirst();
    if (found.isEmpty()) {
      return error(404, "no connection '" + id + "'");
    }
    LOG.info(
        "Admin from {} disconnects connection {} of user '{}'",
        from(request),
        id,
        found.get().userId());
    found.get().disconnect();
    return Operations.json(200, Map.of("disconnected", List.of(id)));
  }

  private static HttpResponse disconnectUser(Dialogue dialogue, String userId, HttpRequest request)
      throws Exception {
    List<String> ids = new ArrayList<>();
    for (ClientConnection c : dialogue.clients(userId)) {
      ids.add(c.id());
      c.disconnect();
    }
    LOG.info("Admin from {} disconnected user '{}': connections {}", from(request), userId, ids);
    return Operations.json(200, Map.of("disconnected", ids));
  }

  private static HttpResponse notice(Dialogue dialogue, HttpRequest request) throws Exception {
    JsonNode body;
    try {
      body = Operations.JSON.readTree(request.bodyText());
    } catch (Exception e) {
      return error(400, "expected a JSON body {\"text\": \"...\"}");
    }
    JsonNode text = body == null ? null : body.get("text");
    if (text == null || !text.isTextual() || text.textValue().isBlank()) {
      return error(400, "expected a JSON body {\"text\": \"...\"} with a text that is not blank");
    }
    List<ClientConnection> clients = dialogue.allClients();
    Map<String, String> notice = Map.of("text", text.textValue());
    for (ClientConnection c : clients) {
      c.send(NOTICE_EVENT, notice);
    }
    LOG.info(
        "Admin from {} sent a notice to {} connections: {}",
        from(request),
        clients.size(),
        text.textValue());
    return Operations.json(200, Map.of("sent", clients.size()));
  }

  private static HttpResponse notAllowed(String allow) throws Exception {
    return error(405, "method not allowed").withHeader("Allow", allow);
  }

  private static HttpResponse error(int status, String message) throws Exception {
    return Operations.json(status, Map.of("error", message));
  }

  private static String from(HttpRequest request) {
    return request.remoteAddress().map(InetSocketAddress::toString).orElse("unknown");
  }
}
