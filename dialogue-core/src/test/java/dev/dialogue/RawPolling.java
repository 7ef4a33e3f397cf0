package dev.dialogue;

import static java.net.http.HttpResponse.BodyHandlers.ofString;

import com.corundumstudio.socketio.handler.ClientHead;
import com.corundumstudio.socketio.transport.NamespaceClient;
import dev.dialogue.internal.Json;
import dev.dialogue.internal.socketio.Internals;
import dev.dialogue.testing.RawClient;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * An Engine.IO session over HTTP long-polling, spoken by hand (java.net.http), for transport tests
 * that need the exact order of polls, probes and upgrades. Answers the server's pings while it
 * waits for a packet.
 */
public final class RawPolling {
  static final Duration TIMEOUT = RawClient.TIMEOUT;
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private final String url;
  private final String sid;

  /** Packets received and not taken yet, in arrival order. */
  private final List<String> packets = new ArrayList<>();

  private RawPolling(String url, String sid) {
    this.url = url;
    this.sid = sid;
  }

  /** Opens a session (the handshake GET) on {@code server}. */
  public static RawPolling open(Dialogue server) throws Exception {
    String url = "http://127.0.0.1:" + server.port() + "/socket.io/?EIO=4&transport=polling";
    String open = HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), ofString()).body();
    return new RawPolling(url, Json.MAPPER.readTree(open.substring(1)).path("sid").asText());
  }

  public String sid() {
    return sid;
  }

  /** The session on {@code server}'s side, as netty-socketio keeps it. */
  public ClientHead head(Dialogue server) {
    // netty-socketio may answer the handshake before it registers the session's client.
    TestServers.awaitState(
        "the session registered",
        () -> Internals.transport(server).socketIoServer().getClient(UUID.fromString(sid)) != null);
    return ((NamespaceClient)
            Internals.transport(server).socketIoServer().getClient(UUID.fromString(sid)))
        .getBaseClient();
  }

  /** A poll (GET) of the session, sent now; the future completes with the response's body. */
  public CompletableFuture<HttpResponse<String>> pollAsync() {
    return HTTP.sendAsync(HttpRequest.newBuilder(sessionUri()).build(), ofString());
  }

  /**
   * Sends {@code payload} in a POST and returns the response's status. netty-socketio answers with
   * {@code Connection: keep-alive} and closes the connection anyway: a POST that meets such a
   * pooled connection before the client has noticed fails without having reached the server, and is
   * sent again once (as OkHttp does; the JDK client retries only GETs by itself).
   */
  public int send(String payload) throws Exception {
    HttpRequest post =
        HttpRequest.newBuilder(sessionUri())
            .POST(HttpRequest.BodyPublishers.ofString(payload))
            .build();
    try {
      return HTTP.send(post, ofString()).statusCode();
    } catch (IOException closedBeforeItWasRead) {
      return HTTP.send(post, ofString()).statusCode();
    }
  }

  /** Polls until a packet starting with {@code prefix} arrives, and takes it. */
  String takePrefix(String prefix) throws Exception {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (true) {
      for (int i = 0; i < packets.size(); i++) {
        if (packets.get(i).startsWith(prefix)) {
          return packets.remove(i);
        }
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new AssertionError(
            "no packet starting with " + prefix + " within " + TIMEOUT + "; pending " + packets);
      }
      HttpResponse<String> response = pollAsync().get(left, TimeUnit.NANOSECONDS);
      if (response.statusCode() != 200) {
        throw new AssertionError("poll answered " + response.statusCode() + ": " + response.body());
      }
      for (String packet : response.body().split("\u001e")) {
        if (packet.equals("2")) {
          send("3");
        } else {
          packets.add(packet);
        }
      }
    }
  }

  private URI sessionUri() {
    return URI.create(url + "&sid=" + sid);
  }
}
