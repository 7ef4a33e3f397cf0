package dev.dialogue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dialogue.testing.RawClient;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The application's HTTP routes on the server's own port ({@link Dialogue.Builder#http}), over real
 * sockets: class path pages, handlers with bodies and limits, files from the disk, ordering on one
 * connection, and Socket.IO and {@code /dialogue.js} beside them unchanged.
 */
@Timeout(60)
class HttpRoutesTest {
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir Path dir;

  private Dialogue server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.stop();
    }
  }

  private int start(Dialogue.Builder builder) {
    server = builder.host("127.0.0.1").port(0).build().start();
    return server.port();
  }

  private static java.net.http.HttpResponse<String> get(int port, String path, String... headers)
      throws Exception {
    java.net.http.HttpRequest.Builder request =
        java.net.http.HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
    if (headers.length > 0) {
      request.headers(headers);
    }
    return HTTP.send(request.build(), BodyHandlers.ofString());
  }

  @Test
  void classPathResources_withTypes_indexEtagAnd404s() throws Exception {
    int port =
        start(Dialogue.builder().http("/", HttpHandler.resources("/dev/dialogue/httptest/")));

    var home = get(port, "/");
    assertThat(home.statusCode()).isEqualTo(200);
    assertThat(home.body()).contains("<title>home</title>");
    assertThat(home.headers().firstValue("content-type")).hasValue("text/html; charset=utf-8");
    String etag = home.headers().firstValue("etag").orElseThrow();
    assertThat(get(port, "/", "If-None-Match", etag).statusCode()).isEqualTo(304);

    var js = get(port, "/app.js");
    assertThat(js.body()).isEqualTo("console.log(\"app\");\n");
    assertThat(js.headers().firstValue("content-type")).hasValue("text/javascript; charset=utf-8");
    assertThat(get(port, "/sub/site.css").headers().firstValue("content-type"))
        .hasValue("text/css; charset=utf-8");

    assertThat(get(port, "/missing.js").statusCode()).isEqualTo(404);
    assertThat(get(port, "/sub").statusCode()).isEqualTo(404); // a directory is no file
    assertThat(rawStatus(port, "GET /sub/%2e%2e/%2e%2e/HttpRoutesTest.class HTTP/1.1"))
        .isEqualTo(404);
    assertThat(rawStatus(port, "GET /..%2fhttptest/app.js HTTP/1.1")).isEqualTo(404);
    var post =
        HTTP.send(
            java.net.http.HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/app.js"))
                .POST(BodyPublishers.ofString("x"))
                .build(),
            BodyHandlers.ofString());
    assertThat(post.statusCode()).isEqualTo(405);
  }

  @Test
  void handler_seesMethodSubpathQueryHeadersCookiesAndBody_offTheNetworkThreads() throws Exception {
    List<String> threads = new CopyOnWriteArrayList<>();
    int port =
        start(
            Dialogue.builder()
                .http(
                    "/api/",
                    request -> {
                      threads.add(Thread.currentThread().getName());
                      return HttpResponse.json(
                              201,
                              "{\"method\":\""
                                  + request.method()
                                  + "\",\"subpath\":\""
                                  + request.subpath()
                                  + "\",\"q\":\""
                                  + request.query("q").orElse("-")
                                  + "\",\"h\":\""
                                  + request.header("X-Thing").orElse("-")
                                  + "\",\"c\":\""
                                  + request.cookie("session").orElse("-")
                                  + "\",\"body\":\""
                                  + request.bodyText()
                                  + "\"}")
                          .withHeader("X-Answer", "yes");
                    }));

    var response =
        HTTP.send(
            java.net.http.HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/api/things/7?q=caf%C3%A9"))
                .header("X-Thing", "abc")
                .header("Cookie", "other=1; session=s3cr3t")
                .POST(BodyPublishers.ofString("hello"))
                .build(),
            BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(201);
    assertThat(response.body())
        .isEqualTo(
            "{\"method\":\"POST\",\"subpath\":\"things/7\",\"q\":\"café\",\"h\":\"abc\","
                + "\"c\":\"s3cr3t\",\"body\":\"hello\"}");
    assertThat(response.headers().firstValue("x-answer")).hasValue("yes");
    assertThat(get(port, "/api").statusCode()).isEqualTo(201); // the prefix without its slash
    assertThat(get(port, "/apiary").statusCode()).isEqualTo(400); // not under /api/: Socket.IO's
    assertThat(threads).allSatisfy(t -> assertThat(t).doesNotContain("EventLoop", "epoll", "nio"));
  }

  @Test
  void longestPrefixWins_andTheServersOwnPathsStayItsOwn() throws Exception {
    int port =
        start(
            Dialogue.builder()
                .http("/", request -> HttpResponse.text(200, "root " + request.subpath()))
                .http(
                    "/api/files/", request -> HttpResponse.text(200, "files " + request.subpath()))
                .http("/api/signin", request -> HttpResponse.text(200, "signin")));

    assertThat(get(port, "/api/files/12/preview").body()).isEqualTo("files 12/preview");
    assertThat(get(port, "/api/signin").body()).isEqualTo("signin");
    assertThat(get(port, "/api/other").body()).isEqualTo("root api/other");
    assertThat(get(port, "/dialogue.js").body()).contains("Dialogue");
    assertThat(get(port, "/socket.io/?EIO=4&transport=polling").body()).doesNotContain("root");
    try (RawClient client = RawClient.connectAs(port, "alice")) {
      assertThat(client.isConnected()).isTrue(); // connectAs waited for dialogue:connected
    }
  }

  @Test
  void bodyAboveTheLimit_is413_withoutTheHandler_andOtherConnectionsGoOn() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    int port =
        start(
            Dialogue.builder()
                .http(
                    "/upload",
                    1_000,
                    request -> {
                      calls.incrementAndGet();
                      return HttpResponse.text(200, "got " + request.bodyLength());
                    }));

    var small =
        HTTP.send(
            java.net.http.HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/upload"))
                .POST(BodyPublishers.ofByteArray(new byte[1_000]))
                .build(),
            BodyHandlers.ofString());
    assertThat(small.body()).isEqualTo("got 1000");

    var declared =
        HTTP.send(
            java.net.http.HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/upload"))
                .POST(BodyPublishers.ofByteArray(new byte[1_001]))
                .build(),
            BodyHandlers.ofString());
    assertThat(declared.statusCode()).isEqualTo(413);
    assertThat(declared.body()).contains("at most 1000 bytes");

    // Chunked, without a length: refused once the limit is passed.
    String chunked =
        raw(
            port,
            "POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "258\r\n"
                + "a".repeat(600)
                + "\r\n258\r\n"
                + "a".repeat(600)
                + "\r\n0\r\n\r\n");
    assertThat(chunked).startsWith("HTTP/1.1 413");
    assertThat(calls).hasValue(1);
    assertThat(get(port, "/upload").body()).isEqualTo("got 0");
  }

  @Test
  void failingHandler_is500_andTheServerGoesOn() throws Exception {
    int port =
        start(
            Dialogue.builder()
                .http(
                    "/boom",
                    request -> {
                      throw new IllegalStateException("secret detail");
                    })
                .http("/ok", request -> HttpResponse.text(200, "ok")));

    var boom = get(port, "/boom");
    assertThat(boom.statusCode()).isEqualTo(500);
    assertThat(boom.body()).doesNotContain("secret");
    assertThat(get(port, "/ok").body()).isEqualTo("ok");
  }

  @Test
  void fileResponses_streamFromTheDisk_andHeadSendsNoBody() throws Exception {
    byte[] bytes = new byte[3 << 20];
    new Random(7).nextBytes(bytes);
    Path file = Files.write(dir.resolve("big.bin"), bytes);
    int port =
        start(
            Dialogue.builder()
                .http("/file", request -> HttpResponse.file(file, "application/octet-stream")));

    var got =
        HTTP.send(
            java.net.http.HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/file"))
                .build(),
            BodyHandlers.ofByteArray());
    assertThat(got.statusCode()).isEqualTo(200);
    assertThat(Arrays.equals(got.body(), bytes)).isTrue();

    String head = raw(port, "HEAD /file HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assertThat(head).contains("content-length: " + bytes.length);
    assertThat(head).endsWith("\r\n\r\n");
  }

  @Test
  void pipelinedRequests_areAnsweredInOrder() throws Exception {
    CountDownLatch slow = new CountDownLatch(1);
    int port =
        start(
            Dialogue.builder()
                .http(
                    "/slow",
                    request -> {
                      slow.await(10, TimeUnit.SECONDS);
                      return HttpResponse.text(200, "first");
                    })
                .http("/fast", request -> HttpResponse.text(200, "second")));

    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port));
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(
          ("GET /slow HTTP/1.1\r\nHost: x\r\n\r\nGET /fast HTTP/1.1\r\nHost: x\r\n"
                  + "Connection: close\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      slow.countDown();
      String both = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(both.indexOf("first")).isPositive().isLessThan(both.indexOf("second"));
    }
  }

  @Test
  void builderRefusesRoutesOverTheServersOwnPathsAndBadPrefixes() {
    HttpHandler any = request -> HttpResponse.status(204);
    assertThatThrownBy(() -> Dialogue.builder().http("/socket.io/x", any).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("Socket.IO path");
    assertThatThrownBy(() -> Dialogue.builder().http("/dialogue.js", any).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("browserClientPath");
    assertThatThrownBy(() -> Dialogue.builder().http("api", any))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("pathPrefix");
    assertThatThrownBy(() -> Dialogue.builder().http("/a", any).http("/a", any))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("exists already");
    assertThatThrownBy(() -> HttpResponse.text(200, "x").withHeader("Content-Length", "1"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> HttpResponse.text(200, "x").withHeader("X-A", "a\r\nSet-Cookie: b"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static int rawStatus(int port, String requestLine) throws Exception {
    String response = raw(port, requestLine + "\r\nHost: x\r\nConnection: close\r\n\r\n");
    return Integer.parseInt(response.substring(9, 12));
  }

  private static String raw(int port, String request) throws Exception {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port));
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
      socket.getOutputStream().flush();
      InputStream in = socket.getInputStream();
      ByteArrayOutputStream got = new ByteArrayOutputStream();
      byte[] buffer = new byte[8192];
      try {
        for (int n; (n = in.read(buffer)) > 0; ) {
          got.write(buffer, 0, n);
        }
      } catch (java.net.SocketException e) {
        // the server closed after a refusal while we were still sending: what came is the answer
      }
      return got.toString(StandardCharsets.UTF_8);
    }
  }

  /**
   * netty-socketio closes a connection 5 s after it opened unless its first data reached the
   * Socket.IO handlers; connections that served only routes (or the script) were closed under the
   * client's next request on them (a keep-alive client lost that request).
   */
  @Test
  void aKeepAliveConnection_servingRoutes_staysOpenPastTheFirstDataTimeout() throws Exception {
    int port = start(Dialogue.builder().http("/hello", request -> HttpResponse.text(200, "hi")));
    for (String path : java.util.List.of("/hello", "/dialogue.js")) {
      try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
        long opened = System.nanoTime();
        java.io.InputStream in = socket.getInputStream();
        java.io.OutputStream out = socket.getOutputStream();
        String request = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
        out.write(request.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        assertThat(readResponse(in)).startsWith("HTTP/1.1 200");
        // The server must not close it: a read blocks until 6 s after opening, then times out.
        long left =
            java.time.Duration.ofSeconds(6).toMillis() - (System.nanoTime() - opened) / 1_000_000;
        socket.setSoTimeout((int) Math.max(1, left));
        assertThatThrownBy(in::read)
            .as("%s: the connection must stay open", path)
            .isInstanceOf(java.net.SocketTimeoutException.class);
        socket.setSoTimeout(5_000);
        out.write(request.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        assertThat(readResponse(in)).startsWith("HTTP/1.1 200");
      }
    }
  }

  /** Reads one response with a Content-Length body; returns its head. */
  private static String readResponse(java.io.InputStream in) throws java.io.IOException {
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        throw new java.io.EOFException("closed after: " + head);
      }
      head.append((char) b);
    }
    java.util.regex.Matcher length =
        java.util.regex.Pattern.compile("(?i)content-length: *(\\d+)").matcher(head);
    int n = length.find() ? Integer.parseInt(length.group(1)) : 0;
    in.readNBytes(n);
    return head.toString();
  }
}
