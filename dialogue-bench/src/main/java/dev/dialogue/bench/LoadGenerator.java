package dev.dialogue.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import io.netty.util.concurrent.ScheduledFuture;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * Holds many Socket.IO connections from one process on a few Netty event loops (no thread per
 * connection), spread over several loopback source addresses so that the count is not limited by
 * one address's ephemeral ports.
 */
final class LoadGenerator implements AutoCloseable {
  /** Handshakes in flight at once: enough to be quick, few enough not to overflow the backlog. */
  private static final int CONNECTING_AT_ONCE = 256;

  static final int MAX_FRAME = 1 << 20;

  final Stats stats = new Stats();
  final long epoch = System.nanoTime();
  private final EventLoopGroup group;

  /**
   * One more event loop, for connections that publish at a set rate while many others receive
   * ({@link #open(int, int, IntFunction, IntFunction, int, int)}): on the receivers' loops, the
   * publishing ticker waited behind reads of hundreds of sockets, and that wait, counted as latency
   * (events carry their due time), was the generator's, not the server's.
   */
  private final EventLoopGroup publishing;

  private final List<InetAddress> sources = new ArrayList<>();
  private final int threads;
  private final AtomicInteger opened = new AtomicInteger();

  /**
   * @param threads event loops
   * @param sourceAddresses how many of 127.0.0.2, 127.0.0.3, ... to connect from
   */
  LoadGenerator(int threads, int sourceAddresses) {
    if (threads < 1 || sourceAddresses < 1 || sourceAddresses > 250) {
      throw new IllegalArgumentException(
          "threads >= 1 and 1..250 source addresses, were " + threads + ", " + sourceAddresses);
    }
    this.threads = threads;
    // The native transport where it loads, as the Java servers use: it costs the generator, which
    // shares the machine with the server, markedly less CPU per delivery than NIO.
    this.group = loops(threads);
    this.publishing = loops(1);
    try {
      for (int i = 0; i < sourceAddresses; i++) {
        sources.add(InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) (2 + i)}));
      }
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }

  private static EventLoopGroup loops(int threads) {
    return Epoll.isAvailable() ? new EpollEventLoopGroup(threads) : new NioEventLoopGroup(threads);
  }

  /** "epoll" or "nio". */
  String transport() {
    return group instanceof EpollEventLoopGroup ? "epoll" : "nio";
  }

  int threads() {
    return threads;
  }

  int sourceAddresses() {
    return sources.size();
  }

  /** CPU time this whole process (the generator) has used. */
  static long cpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  /**
   * Starts one connection to {@code 127.0.0.1:port}; it connects, authenticates with {@code auth}
   * (a JSON object) and joins {@code room}. Its {@link Conn#joined} tells how that went.
   */
  Conn connect(int port, String room, String auth) {
    return connect(port, room, auth, null);
  }

  /**
   * Like {@link #connect(int, String, String)}, for a client of the recovery storm: {@code storm}
   * gets the connection's events and decides how it joins.
   */
  Conn connect(int port, String room, String auth, StormClient storm) {
    return connect(port, room, auth, storm, group);
  }

  private Conn connect(
      int port, String room, String auth, StormClient storm, EventLoopGroup loops) {
    int index = opened.getAndIncrement();
    Conn conn = new Conn(index, room, auth, stats, epoch, storm);
    ChannelFuture future = dial(port, index, conn, loops);
    future.addListener(
        f -> {
          if (!f.isSuccess()) {
            stats.error("connect from " + sources.get(index % sources.size()) + ": " + f.cause());
            conn.joined.completeExceptionally(f.cause());
          }
        });
    return conn;
  }

  /**
   * Opens one websocket to {@code 127.0.0.1:port} on the generator's event loops, from the next
   * source address, with {@code handler} last in the pipeline (it speaks Socket.IO itself, as
   * {@link Conn} does). For connections of a scenario's own protocol handler ({@link ChatConn}).
   */
  ChannelFuture dial(int port, ChannelHandler handler) {
    return dial(port, opened.getAndIncrement(), handler, group);
  }

  private ChannelFuture dial(int port, int index, ChannelHandler handler, EventLoopGroup loops) {
    URI uri = URI.create("ws://127.0.0.1:" + port + "/socket.io/?EIO=4&transport=websocket");
    WebSocketClientProtocolConfig config =
        WebSocketClientProtocolConfig.newBuilder()
            .webSocketUri(uri)
            .version(WebSocketVersion.V13)
            .maxFramePayloadLength(MAX_FRAME)
            .handshakeTimeoutMillis(30_000)
            // What the servers send is checked where it is used; validating every text frame's
            // UTF-8 as well took 8% of the generator's samples at 150,000 deliveries/s.
            .withUTF8Validator(false)
            .build();
    Bootstrap bootstrap =
        new Bootstrap()
            .group(loops)
            .channel(
                loops instanceof EpollEventLoopGroup
                    ? EpollSocketChannel.class
                    : NioSocketChannel.class)
            .option(ChannelOption.TCP_NODELAY, true)
            // Lets a source port in TIME_WAIT from an earlier run be bound again (churn).
            .option(ChannelOption.SO_REUSEADDR, true)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 30_000)
            .handler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    ch.pipeline()
                        .addLast(new HttpClientCodec())
                        .addLast(new HttpObjectAggregator(8192))
                        // Frames are decoded, and fragments assembled, by the ServerFrameDecoder
                        // that Conn puts in once the handshake is done.
                        .addLast(new WebSocketClientProtocolHandler(config))
                        .addLast(handler);
                  }
                });
    InetAddress source = sources.get(index % sources.size());
    return bootstrap.connect(
        new InetSocketAddress("127.0.0.1", port), new InetSocketAddress(source, 0));
  }

  /**
   * Opens {@code count} connections, at most {@link #CONNECTING_AT_ONCE} handshaking at a time, and
   * waits until each has joined its room or failed, or {@code timeoutSeconds} pass. Returns the
   * connections that joined.
   */
  List<Conn> open(
      int port,
      int count,
      IntFunction<String> roomOf,
      IntFunction<String> authOf,
      int timeoutSeconds)
      throws InterruptedException {
    return open(port, count, roomOf, authOf, timeoutSeconds, 0);
  }

  /**
   * Like {@link #open(int, int, IntFunction, IntFunction, int)}, with the first {@code publishers}
   * connections on an event loop of their own, away from the receivers' reads.
   */
  List<Conn> open(
      int port,
      int count,
      IntFunction<String> roomOf,
      IntFunction<String> authOf,
      int timeoutSeconds,
      int publishers)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
    Semaphore connecting = new Semaphore(CONNECTING_AT_ONCE);
    List<Conn> all = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      long left = deadline - System.nanoTime();
      if (left <= 0 || !connecting.tryAcquire(left, TimeUnit.NANOSECONDS)) {
        break;
      }
      Conn conn =
          connect(
              port, roomOf.apply(i), authOf.apply(i), null, i < publishers ? publishing : group);
      conn.joined.whenComplete((c, e) -> connecting.release());
      all.add(conn);
    }
    List<Conn> ready = new ArrayList<>(all.size());
    for (Conn conn : all) {
      long left = deadline - System.nanoTime();
      try {
        ready.add(conn.joined.get(Math.max(0, left), TimeUnit.NANOSECONDS));
      } catch (Exception e) {
        // Counted as an error by the connection (or timed out: not ready either).
      }
    }
    return ready;
  }

  /**
   * Makes each of {@code publishers} publish {@code ratePerConnection} events per second from now
   * on, paced by one ticker per event loop, until the returned handle is closed. Each event carries
   * the time it was due, not when it was written, so a late generator shows up as latency instead
   * of silently publishing less (no coordinated omission).
   */
  AutoCloseable publish(List<Conn> publishers, double ratePerConnection) {
    Map<EventLoop, List<Conn>> byLoop = new HashMap<>();
    for (Conn c : publishers) {
      byLoop.computeIfAbsent(c.channel().eventLoop(), k -> new ArrayList<>()).add(c);
    }
    List<ScheduledFuture<?>> tickers = new ArrayList<>();
    long start = System.nanoTime();
    double spacing = 1e9 / ratePerConnection / Math.max(1, publishers.size());
    for (Map.Entry<EventLoop, List<Conn>> e : byLoop.entrySet()) {
      List<Conn> conns = e.getValue();
      e.getKey()
          .execute(
              () -> {
                for (Conn c : conns) {
                  c.rate = ratePerConnection;
                  // Publishers start staggered so that their events spread over time.
                  c.rateStart = start + (long) (spacing * (c.index % publishers.size()));
                  c.sent = 0;
                }
              });
      tickers.add(e.getKey().scheduleAtFixedRate(() -> tick(conns), 1, 1, TimeUnit.MILLISECONDS));
    }
    return () -> tickers.forEach(t -> t.cancel(false));
  }

  private static void tick(List<Conn> conns) {
    long now = System.nanoTime();
    for (Conn c : conns) {
      if (!c.channel().isActive() || now < c.rateStart) {
        continue;
      }
      long due = (long) ((now - c.rateStart) * c.rate / 1e9) + 1;
      // A bounded burst per tick keeps one far-behind connection from starving the others.
      long n = Math.min(due - c.sent, 1000);
      for (long k = 0; k < n; k++) {
        c.publish(c.rateStart + (long) (c.sent * 1e9 / c.rate), k == n - 1);
        c.sent++;
      }
    }
  }

  /** Closes every connection (not counted as disconnects) and waits for the loops to calm. */
  void closeAll(List<Conn> conns) throws InterruptedException {
    List<CompletableFuture<Void>> closed = new ArrayList<>();
    for (Conn c : conns) {
      if (c.channel() != null) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        c.channel().closeFuture().addListener(x -> f.complete(null));
        c.close();
        closed.add(f);
      }
    }
    try {
      CompletableFuture.allOf(closed.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      // Whatever is still open goes with the event loops at close().
    }
  }

  @Override
  public void close() {
    publishing.shutdownGracefully(0, 2, TimeUnit.SECONDS);
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
    publishing.terminationFuture().awaitUninterruptibly(10, TimeUnit.SECONDS);
  }
}
