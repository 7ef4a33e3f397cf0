package dev.dialogue.testing;

import static java.net.http.HttpResponse.BodyHandlers.ofString;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * An Engine.IO v4 session over HTTP long-polling, spoken by hand (java.net.http), for transport
 * tests that need the exact order of polls, probes and upgrades. The test writes the Socket.IO
 * packets itself ({@code send("40{...}")} connects the namespace) and reads them with {@link
 * #takePrefix(String)}, which polls and answers the server's pings while it waits. Pair it with
 * {@link RawWebSocket#probe} or {@link RawWebSocket#upgrade} on {@link #sid()} to drive an upgrade.
 *
 * <p>Not thread-safe: one test thread drives a session.
 */
public final class RawPolling {
  /** How long {@link #takePrefix(String)} waits at most. */
  public static final Duration TIMEOUT = RawClient.TIMEOUT;

  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final String url;
  private final String sid;

  /** Packets received and not taken yet, in arrival order. */
  private final List<String> packets = new ArrayList<>();

  private RawPolling(String url, String sid) {
    this.url = url;
    this.sid = sid;
  }

  /**
   * Opens a session (the handshake GET) on the server at 127.0.0.1:{@code port}.
   *
   * @throws AssertionError if the server does not answer with an Engine.IO open packet
   */
  public static RawPolling open(int port) throws IOException, InterruptedException {
    String url = "http://127.0.0.1:" + port + "/socket.io/?EIO=4&transport=polling";
    HttpResponse<String> open =
        HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), ofString());
    if (open.statusCode() != 200 || !open.body().startsWith("0{")) {
      throw new AssertionError(
          "the handshake was answered " + open.statusCode() + ": " + open.body());
    }
    String sid = MAPPER.readTree(open.body().substring(1)).path("sid").asText();
    return new RawPolling(url, sid);
  }

  /** The session's id, as the server assigned it in the open packet. */
  public String sid() {
    return sid;
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

  /**
   * Takes the first packet received starting with {@code prefix}, polling until one arrives (and
   * answering pings meanwhile); packets that do not match are kept for later calls.
   *
   * @throws AssertionError if none arrives within {@link #TIMEOUT}, or a poll is refused
   */
  public String takePrefix(String prefix) throws Exception {
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
