package dev.dialogue.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class FaultProxyTest {
  private ServerSocket echo;
  private FaultProxy proxy;

  @BeforeEach
  void start() throws IOException {
    echo = new ServerSocket();
    echo.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    Thread t =
        new Thread(
            () -> {
              while (true) {
                try {
                  Socket s = echo.accept();
                  Thread e = new Thread(() -> echo(s));
                  e.setDaemon(true);
                  e.start();
                } catch (IOException closed) {
                  return;
                }
              }
            });
    t.setDaemon(true);
    t.start();
    proxy = FaultProxy.to(echo.getLocalPort());
  }

  @AfterEach
  void stop() throws IOException {
    proxy.close();
    echo.close();
  }

  private static void echo(Socket s) {
    try (s) {
      InputStream in = s.getInputStream();
      OutputStream out = s.getOutputStream();
      byte[] b = new byte[4096];
      int n;
      while ((n = in.read(b)) > 0) {
        out.write(b, 0, n);
      }
    } catch (IOException ignored) {
      // the test reset it
    }
  }

  private Socket connect() throws IOException {
    Socket s = new Socket(InetAddress.getLoopbackAddress(), proxy.port());
    s.setSoTimeout(5_000);
    return s;
  }

  private static String read(Socket s, int n) throws IOException {
    byte[] b = s.getInputStream().readNBytes(n);
    return new String(b, StandardCharsets.ISO_8859_1);
  }

  private static void write(Socket s, String text) throws IOException {
    s.getOutputStream().write(text.getBytes(StandardCharsets.ISO_8859_1));
    s.getOutputStream().flush();
  }

  @Test
  void forwardsBothWays_andResetBreaksEveryConnection() throws IOException {
    try (Socket a = connect();
        Socket b = connect()) {
      write(a, "hello");
      assertThat(read(a, 5)).isEqualTo("hello");
      write(b, "x");
      assertThat(read(b, 1)).isEqualTo("x");
      assertThat(proxy.reset()).isEqualTo(2);
      assertThatThrownBy(() -> a.getInputStream().read()).isInstanceOf(IOException.class);
      assertThat(proxy.resets()).isEqualTo(2);
    }
  }

  @Test
  void blackHoleHoldsBytes_andRestoreLetsThemThrough() throws IOException {
    try (Socket a = connect()) {
      write(a, "1");
      assertThat(read(a, 1)).isEqualTo("1");
      proxy.blackHole();
      write(a, "2");
      a.setSoTimeout(300);
      assertThatThrownBy(() -> a.getInputStream().read())
          .isInstanceOf(SocketTimeoutException.class);
      proxy.restore();
      a.setSoTimeout(5_000);
      assertThat(read(a, 1)).isEqualTo("2");
    }
  }

  @Test
  void timedBlackHole_endsByItself() throws IOException {
    try (Socket a = connect()) {
      proxy.blackHole(Duration.ofMillis(200));
      long start = System.nanoTime();
      write(a, "z");
      assertThat(read(a, 1)).isEqualTo("z");
      assertThat(System.nanoTime() - start).isGreaterThan(TimeUnit.MILLISECONDS.toNanos(150));
    }
  }

  @Test
  void refuse_resetsNewConnections() throws IOException {
    proxy.refuse(true);
    try (Socket a = connect()) {
      assertThatThrownBy(
              () -> {
                write(a, "q");
                a.getInputStream().read();
              })
          .isInstanceOf(IOException.class);
    } catch (IOException e) {
      // a reset may already fail the connect
    }
    proxy.restore();
    try (Socket b = connect()) {
      write(b, "ok");
      assertThat(read(b, 2)).isEqualTo("ok");
    }
  }

  @Test
  void cutBefore_dropsTheChunkWithTheMarker_evenSplitAcrossWrites() throws Exception {
    CompletableFuture<Void> cut =
        proxy.cutWhen(FaultProxy.Direction.UPSTREAM, "dialogue:join", FaultProxy.When.BEFORE);
    try (Socket a = connect()) {
      write(a, "ab");
      assertThat(read(a, 2)).isEqualTo("ab");
      write(a, "xxdialogue:jo");
      assertThat(read(a, 13)).isEqualTo("xxdialogue:jo");
      write(a, "in tail");
      cut.get(5, TimeUnit.SECONDS);
      assertThatThrownBy(() -> a.getInputStream().read()).isInstanceOf(IOException.class);
    }
  }

  @Test
  void cutAfter_forwardsTheChunkThenResets() throws Exception {
    CompletableFuture<Void> cut =
        proxy.cutWhen(FaultProxy.Direction.DOWNSTREAM, "ack", FaultProxy.When.AFTER);
    try (Socket a = connect()) {
      write(a, "ack");
      assertThat(read(a, 3)).isEqualTo("ack");
      cut.get(5, TimeUnit.SECONDS);
      assertThat(proxy.connections()).isZero();
    }
  }

  @Test
  void upstreamMarkers_areFoundInsideMaskedWebSocketFrames() throws Exception {
    CompletableFuture<Void> cut =
        proxy.cutWhen(FaultProxy.Direction.UPSTREAM, "dialogue:join", FaultProxy.When.BEFORE);
    try (Socket a = connect()) {
      write(a, "GET /socket.io/ HTTP/1.1\r\nUpgrade: websocket\r\n\r\n");
      read(a, 48);
      byte[] payload = "42[\"dialogue:join\"]".getBytes(StandardCharsets.US_ASCII);
      byte[] mask = {0x11, 0x22, 0x33, 0x44};
      byte[] frame = new byte[2 + 4 + payload.length];
      frame[0] = (byte) 0x81;
      frame[1] = (byte) (0x80 | payload.length);
      System.arraycopy(mask, 0, frame, 2, 4);
      for (int i = 0; i < payload.length; i++) {
        frame[6 + i] = (byte) (payload[i] ^ mask[i % 4]);
      }
      assertThat(new String(frame, StandardCharsets.ISO_8859_1)).doesNotContain("dialogue:join");
      a.getOutputStream().write(frame);
      cut.get(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void throttle_refusesNegativeRates() {
    assertThatThrownBy(() -> proxy.throttle(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("-1");
  }
}
