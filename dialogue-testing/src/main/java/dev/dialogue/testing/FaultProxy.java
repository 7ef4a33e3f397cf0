package dev.dialogue.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP proxy on 127.0.0.1 that injects network faults between a client and a server: resets (RST
 * on both sides), black holes (every byte held, in both directions, on open and new connections,
 * until restored: what a dead route does to TCP, nothing lost, nothing arrives), throttling,
 * refused connections, and cuts at a given moment of a conversation (the connection that carries a
 * marker string is reset before or after that chunk is forwarded).
 *
 * <p>Markers are matched in the bytes as they flow; from client to server, WebSocket frames are
 * unmasked for matching (client frames are masked on the wire). A marker split across two reads is
 * still found. Forwarded bytes are never changed.
 *
 * <p>Each connection uses two daemon threads. Thread-safe; every method may be called from any
 * thread, including from a client's callback.
 */
public final class FaultProxy implements AutoCloseable {
  /** Which way bytes flow. */
  public enum Direction {
    /** Client to server. */
    UPSTREAM,
    /** Server to client. */
    DOWNSTREAM
  }

  /** Whether a cut lets the chunk holding its marker through first. */
  public enum When {
    /** The chunk with the marker never arrives. */
    BEFORE,
    /** The chunk with the marker arrives; nothing after it does. */
    AFTER
  }

  private record Cut(Direction direction, String marker, When when, CompletableFuture<Void> done) {}

  private final ServerSocket listener;
  private volatile int targetPort;
  private final Set<Link> links = ConcurrentHashMap.newKeySet();
  private final List<Cut> cuts = new CopyOnWriteArrayList<>();
  private final AtomicLong accepted = new AtomicLong();
  private final AtomicLong resets = new AtomicLong();
  private final Object gate = new Object();
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(daemon("fault-proxy-timer"));
  private boolean held; // guarded by gate
  private volatile long bytesPerSecond;
  private volatile boolean refusing;
  private volatile boolean closed;

  private FaultProxy(int targetPort) throws IOException {
    this.targetPort = targetPort;
    this.listener = new ServerSocket();
    listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    Thread acceptor = new Thread(this::acceptLoop, "fault-proxy-accept-" + port());
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** A proxy on a free port of 127.0.0.1 that forwards to 127.0.0.1:{@code targetPort}. */
  public static FaultProxy to(int targetPort) {
    try {
      return new FaultProxy(targetPort);
    } catch (IOException e) {
      throw new IllegalStateException("cannot bind the fault proxy on 127.0.0.1", e);
    }
  }

  /** The port clients connect to. */
  public int port() {
    return listener.getLocalPort();
  }

  /** New connections go to {@code port} from now on (a server restarted on another port). */
  public void retarget(int port) {
    this.targetPort = port;
  }

  /** Connections currently open through the proxy. */
  public int connections() {
    return links.size();
  }

  /** Connections accepted since the start (refused ones included). */
  public long accepted() {
    return accepted.get();
  }

  /** Connections reset by {@link #reset}, cuts and refusals, since the start. */
  public long resets() {
    return resets.get();
  }

  /** Resets (RST) every open connection on both sides; returns how many. */
  public int reset() {
    int n = 0;
    for (Link link : links) {
      link.reset();
      n++;
    }
    return n;
  }

  /**
   * Holds every byte in both directions, on open connections and on new ones (which are accepted
   * and connected upstream, then hear nothing), until {@link #restore}. Nothing is lost: held bytes
   * flow when restored, as TCP retransmits after a route comes back.
   */
  public void blackHole() {
    synchronized (gate) {
      held = true;
    }
  }

  /** {@link #blackHole()}, then {@link #restore()} after {@code duration}. */
  public void blackHole(Duration duration) {
    blackHole();
    timer.schedule(this::restore, duration.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Limits each direction of each connection to about {@code bytesPerSecond}; 0 lifts it. */
  public void throttle(long bytesPerSecond) {
    if (bytesPerSecond < 0) {
      throw new IllegalArgumentException("bytesPerSecond must be >= 0, got " + bytesPerSecond);
    }
    this.bytesPerSecond = bytesPerSecond;
  }

  /** New connections are reset as soon as they are accepted (the server is unreachable). */
  public void refuse(boolean refuse) {
    this.refusing = refuse;
  }

  /** Ends the black hole, the throttle and refusals; held bytes flow again. */
  public void restore() {
    refusing = false;
    bytesPerSecond = 0;
    synchronized (gate) {
      held = false;
      gate.notifyAll();
    }
  }

  /**
   * Resets the next connection whose bytes in {@code direction} contain {@code marker}, once.
   *
   * @return completes when that connection has been reset
   */
  public CompletableFuture<Void> cutWhen(Direction direction, String marker, When when) {
    if (marker.isEmpty()) {
      throw new IllegalArgumentException("marker is empty");
    }
    CompletableFuture<Void> done = new CompletableFuture<>();
    cuts.add(new Cut(direction, marker, when, done));
    return done;
  }

  @Override
  public void close() {
    closed = true;
    try {
      listener.close();
    } catch (IOException ignored) {
      // closing anyway
    }
    reset();
    restore();
    timer.shutdownNow();
  }

  private void acceptLoop() {
    while (!closed) {
      Socket client;
      try {
        client = listener.accept();
      } catch (IOException e) {
        return; // closed
      }
      accepted.incrementAndGet();
      if (refusing) {
        resets.incrementAndGet();
        hardClose(client);
        continue;
      }
      Socket server = new Socket();
      try {
        client.setTcpNoDelay(true);
        server.setTcpNoDelay(true);
        server.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort), 5_000);
      } catch (IOException e) {
        hardClose(client); // nothing listens upstream: the client sees a reset, as without us
        hardClose(server);
        continue;
      }
      Link link = new Link(client, server);
      links.add(link);
      link.start();
    }
  }

  /** One proxied connection: a pump each way. */
  private final class Link {
    private final Socket client;
    private final Socket server;
    private volatile boolean done;
    private final java.util.concurrent.atomic.AtomicInteger finished =
        new java.util.concurrent.atomic.AtomicInteger();

    Link(Socket client, Socket server) {
      this.client = client;
      this.server = server;
    }

    void start() {
      String name = "fault-proxy-" + client.getPort();
      Thread up = new Thread(() -> pump(client, server, Direction.UPSTREAM), name + "-up");
      Thread down = new Thread(() -> pump(server, client, Direction.DOWNSTREAM), name + "-down");
      up.setDaemon(true);
      down.setDaemon(true);
      up.start();
      down.start();
    }

    void reset() {
      if (!done) {
        done = true;
        resets.incrementAndGet();
      }
      hardClose(client);
      hardClose(server);
      links.remove(this);
    }

    private void pump(Socket from, Socket to, Direction direction) {
      byte[] buffer = new byte[16 * 1024];
      Matcher matcher = new Matcher(direction == Direction.UPSTREAM);
      try {
        InputStream in = from.getInputStream();
        OutputStream out = to.getOutputStream();
        while (true) {
          int n = in.read(buffer);
          if (n < 0) {
            to.shutdownOutput(); // a clean close travels on
            return;
          }
          awaitFlowing();
          if (done) {
            return;
          }
          Cut cut = matcher.feed(buffer, n, direction, cuts);
          if (cut != null && cut.when() == When.BEFORE) {
            fire(cut);
            return;
          }
          throttle(n);
          out.write(buffer, 0, n);
          out.flush();
          if (cut != null) {
            fire(cut);
            return;
          }
        }
      } catch (IOException e) {
        reset(); // one side failed: the other hears a reset, as across a broken route
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        reset();
      } finally {
        if (finished.incrementAndGet() == 2) { // both ways ended: the connection is gone
          links.remove(this);
          quietClose(client);
          quietClose(server);
        }
      }
    }

    private void fire(Cut cut) {
      reset();
      cut.done().complete(null);
    }
  }

  private void awaitFlowing() throws InterruptedException {
    synchronized (gate) {
      while (held && !closed) {
        gate.wait();
      }
    }
  }

  private void throttle(int bytes) throws InterruptedException {
    long rate = bytesPerSecond;
    if (rate > 0) {
      // A pump's own pacing, not a test waiting for an event.
      TimeUnit.MICROSECONDS.sleep(bytes * 1_000_000L / rate);
    }
  }

  private static void hardClose(Socket socket) {
    try {
      if (!socket.isClosed()) {
        socket.setSoLinger(true, 0); // RST instead of FIN
      }
    } catch (SocketException ignored) {
      // closing anyway
    }
    try {
      socket.close();
    } catch (IOException ignored) {
      // already closed
    }
  }

  private static void quietClose(Socket socket) {
    try {
      socket.close();
    } catch (IOException ignored) {
      // already closed
    }
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }

  /**
   * Finds markers in one direction's bytes. Upstream, once an HTTP request asked for a WebSocket,
   * the frames after it are unmasked into the text that is matched.
   */
  private static final class Matcher {
    private final boolean upstream;
    private final StringBuilder text = new StringBuilder();
    private final WebSocketUnmasker frames = new WebSocketUnmasker();
    private boolean webSocket;
    private final StringBuilder head = new StringBuilder();

    Matcher(boolean upstream) {
      this.upstream = upstream;
    }

    Cut feed(byte[] bytes, int n, Direction direction, List<Cut> cuts) {
      if (cuts.isEmpty()) {
        return null;
      }
      int keep = 0;
      for (Cut c : cuts) {
        keep = Math.max(keep, c.marker().length() - 1);
      }
      if (text.length() > keep) {
        text.delete(0, text.length() - keep);
      }
      int from = text.length();
      if (upstream) {
        feedUpstream(bytes, n);
      } else {
        text.append(new String(bytes, 0, n, java.nio.charset.StandardCharsets.ISO_8859_1));
      }
      for (Cut c : cuts) {
        if (c.direction() == direction
            && text.indexOf(c.marker(), Math.max(0, from - c.marker().length() + 1)) >= 0
            && cuts.remove(c)) {
          return c;
        }
      }
      return null;
    }

    private void feedUpstream(byte[] bytes, int n) {
      int i = 0;
      if (!webSocket) {
        for (; i < n; i++) {
          char ch = (char) (bytes[i] & 0xff);
          text.append(ch);
          head.append(ch);
          if (head.length() >= 4 && head.lastIndexOf("\r\n\r\n") == head.length() - 4) {
            String request = head.toString().toLowerCase(java.util.Locale.ROOT);
            head.setLength(0);
            if (request.contains("upgrade: websocket")) {
              webSocket = true;
              i++;
              break;
            }
          }
          if (head.length() > 64 * 1024) {
            head.setLength(0);
          }
        }
      }
      for (; i < n; i++) {
        int b = frames.next(bytes[i] & 0xff);
        if (b >= 0) {
          text.append((char) b);
        }
      }
    }
  }

  /** Streams the payload bytes of client WebSocket frames, unmasked; -1 for header bytes. */
  private static final class WebSocketUnmasker {
    private int state; // 0 first byte, 1 length byte, 2 extended length, 3 mask, 4 payload
    private int lengthBytes;
    private long remaining;
    private boolean masked;
    private final int[] mask = new int[4];
    private int maskRead;
    private long position;

    int next(int b) {
      switch (state) {
        case 0 -> state = 1;
        case 1 -> {
          masked = (b & 0x80) != 0;
          int len = b & 0x7f;
          remaining = 0;
          if (len == 126 || len == 127) {
            lengthBytes = len == 126 ? 2 : 8;
            state = 2;
          } else {
            remaining = len;
            afterLength();
          }
        }
        case 2 -> {
          remaining = (remaining << 8) | b;
          if (--lengthBytes == 0) {
            afterLength();
          }
        }
        case 3 -> {
          mask[maskRead++] = b;
          if (maskRead == 4) {
            state = remaining == 0 ? 0 : 4;
          }
        }
        default -> {
          int plain = masked ? b ^ mask[(int) (position % 4)] : b;
          position++;
          if (--remaining == 0) {
            state = 0;
          }
          return plain;
        }
      }
      return -1;
    }

    private void afterLength() {
      position = 0;
      maskRead = 0;
      state = masked ? 3 : (remaining == 0 ? 0 : 4);
    }
  }
}
