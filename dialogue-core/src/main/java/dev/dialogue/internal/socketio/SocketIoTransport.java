package dev.dialogue.internal.socketio;

import com.corundumstudio.socketio.AckMode;
import com.corundumstudio.socketio.AuthorizationResult;
import com.corundumstudio.socketio.Configuration;
import com.corundumstudio.socketio.HandshakeData;
import com.corundumstudio.socketio.SocketIOChannelInitializer;
import com.corundumstudio.socketio.SocketIOClient;
import com.corundumstudio.socketio.SocketIOServer;
import com.corundumstudio.socketio.handler.ClientHead;
import com.corundumstudio.socketio.listener.ExceptionListenerAdapter;
import com.corundumstudio.socketio.namespace.Namespace;
import com.corundumstudio.socketio.scheduler.CancelableScheduler;
import com.corundumstudio.socketio.scheduler.SchedulerKey;
import com.corundumstudio.socketio.store.MemoryStoreFactory;
import com.corundumstudio.socketio.store.Store;
import com.corundumstudio.socketio.transport.NamespaceClient;
import dev.dialogue.internal.Hub;
import dev.dialogue.internal.Settings;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrameEncoder;
import java.lang.reflect.Field;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;

/**
 * The Engine.IO transport: netty-socketio configured as TRANSPORT-NOTES.md recommends (random
 * session ids, manual acks, raised frame limits, origin check), with the {@link Gate} in front of
 * its packet handler and the {@link UpgradeGuard} in front of its WebSocket transport.
 * netty-socketio's own namespaces, rooms and broadcasts are never used.
 */
public final class SocketIoTransport {
  private static final String BROWSER_SCRIPT = "dialogueBrowserScript";

  /** Stateless apart from its settings, which are the same for every connection. */
  private static final AdaptiveRecvByteBufAllocator RECEIVE_ALLOCATOR =
      new AdaptiveRecvByteBufAllocator();

  private final Settings.TransportSettings transport;
  private final Logger log;
  private final Gate gate;
  private final TransportErrors transportErrors = new TransportErrors();
  private final BrowserScript script;
  private final Executor routeExecutor;
  private final CompletableFuture<Integer> boundPort = new CompletableFuture<>();

  /** The listening channel, closed first by {@link #stop()}. */
  private volatile io.netty.channel.Channel listening;

  private volatile SocketIOServer server;
  private UpgradeGuard upgradeGuard;
  private static final FrameGuard FRAME_GUARD = new FrameGuard();

  public SocketIoTransport(
      Settings.TransportSettings transport, Settings.RuntimeSettings runtime, Hub hub) {
    this.transport = transport;
    this.log = runtime.logger();
    this.gate = new Gate(transport, runtime, hub);
    this.routeExecutor = runtime.executor();
    this.script =
        transport.browserClientPath() == null
            ? null
            : new BrowserScript(transport.browserClientPath());
  }

  /** "epoll" or "nio". */
  public String kind() {
    return server != null && server.getConfiguration().isUseLinuxNativeEpoll() ? "epoll" : "nio";
  }

  /**
   * Whether Netty's native epoll transport loads here. Looked up by name: its classes are on the
   * class path only on Linux (netty-socketio's OS-activated profile).
   */
  public static boolean epollAvailable() {
    try {
      return (Boolean)
          Class.forName("io.netty.channel.epoll.Epoll").getMethod("isAvailable").invoke(null);
    } catch (ReflectiveOperationException | LinkageError e) {
      return false;
    }
  }

  public int trackedSessions() {
    return gate.sessionCount();
  }

  public SocketIOServer socketIoServer() {
    return server;
  }

  /** Binds and returns the port. */
  public int start() {
    Configuration config = new Configuration();
    config.setHostname(transport.host());
    config.setPort(transport.port());
    config.setContext(transport.path());
    config.setBossThreads(1);
    config.setWorkerThreads(Math.max(2, Runtime.getRuntime().availableProcessors()));
    config.setRandomSession(true);
    config.setUseLinuxNativeEpoll(transport.nativeTransport() && epollAvailable());
    config.setAckMode(AckMode.MANUAL);
    config.setMaxFramePayloadLength(transport.frameLimit());
    config.setMaxHttpContentLength(transport.frameLimit());
    config.setPingInterval((int) transport.pingInterval().toMillis());
    config.setPingTimeout((int) transport.pingTimeout().toMillis());
    config.setWebsocketCompression(false);
    config.setHttpCompression(false);
    config.setAddVersionHeader(false);
    config.setEnableCors(true);
    config.setAuthorizationListener(this::authorize);
    config.setExceptionListener(new QuietExceptions(log));
    config.getSocketConfig().setReuseAddress(true);
    config.setStoreFactory(new LazyStores());

    Pipeline pipeline = new Pipeline();
    CancelableScheduler timers = scheduler(pipeline);
    // UpgradeGuard ends a failed upgrade without ending the session, and cancels netty-socketio's
    // upgrade timer, which would end it: that timer stays only as a backstop, a minute later.
    // Without access to it, netty-socketio's timeout applies as it is.
    config.setUpgradeTimeout(
        (int) transport.upgradeTimeout().toMillis() + (timers == null ? 0 : 60_000));
    upgradeGuard =
        new UpgradeGuard(
            this::session,
            id -> {
              if (timers != null) {
                timers.cancel(new SchedulerKey(SchedulerKey.Type.UPGRADE_TIMEOUT, id));
              }
            },
            transport.upgradeTimeout(),
            log);

    server = new BoundServer(config);
    releaseDefaultPipeline(server);
    server.setPipelineFactory(pipeline);
    server.addDisconnectListener(client -> gate.onEngineClosed(client.getSessionId()));
    // netty-socketio puts every session into its default namespace and that namespace's room,
    // which keeps a set of rooms per session. Its rooms are never used here: leave it.
    server.addConnectListener(client -> client.leaveRoom(Namespace.DEFAULT_NAME));
    try {
      server.start();
      return boundPort.get(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(
          "interrupted while binding " + transport.host() + ":" + transport.port(), e);
    } catch (Exception e) {
      // Also netty's bind failure: a java.net.BindException thrown without being declared.
      stop();
      throw new IllegalStateException(
          "cannot bind " + transport.host() + ":" + transport.port(), e);
    }
  }

  /**
   * Stops the transport. netty-socketio's own stop waits two default quiet periods (about 4 s), so
   * the event loop groups are shut down first with a short one.
   */
  public void stop() {
    if (server == null) {
      return;
    }
    gate.stopping();
    // The port is free when stop returns: on Netty 4.2 the shutdown of the boss group below could
    // return with the listening socket still bound (a server started again on the port failed).
    io.netty.channel.Channel channel = listening;
    if (channel != null) {
      channel.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
    for (String field : new String[] {"bossGroup", "workerGroup"}) {
      try {
        Field f = SocketIOServer.class.getDeclaredField(field);
        f.setAccessible(true);
        EventLoopGroup group = (EventLoopGroup) f.get(server);
        if (group != null) {
          group
              .shutdownGracefully(0, 2, TimeUnit.SECONDS)
              .awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
      } catch (ReflectiveOperationException | RuntimeException e) {
        log.debug(
            "Fast shutdown of {} unavailable; netty-socketio's stop will take longer", field, e);
      }
    }
    server.stop();
    server = null;
  }

  /**
   * netty-socketio's constructor builds a default pipeline factory with its own timer, which {@link
   * SocketIOServer#setPipelineFactory} replaces without stopping: stop that timer, or Netty reports
   * a leaked HashedWheelTimer for every server.
   */
  private void releaseDefaultPipeline(SocketIOServer s) {
    try {
      Field factory = SocketIOServer.class.getDeclaredField("pipelineFactory");
      factory.setAccessible(true);
      CancelableScheduler timers = scheduler((SocketIOChannelInitializer) factory.get(s));
      if (timers != null) {
        timers.shutdown();
      }
    } catch (ReflectiveOperationException | RuntimeException e) {
      log.debug("Cannot stop the timer of netty-socketio's unused default pipeline", e);
    }
  }

  /** A pipeline factory's timer (upgrade and ping timeouts), which it does not expose; or null. */
  private CancelableScheduler scheduler(SocketIOChannelInitializer factory) {
    try {
      Field scheduler = SocketIOChannelInitializer.class.getDeclaredField("scheduler");
      scheduler.setAccessible(true);
      return (CancelableScheduler) scheduler.get(factory);
    } catch (ReflectiveOperationException | RuntimeException e) {
      log.debug("netty-socketio's timer is out of reach", e);
      return null;
    }
  }

  /** The session {@code id}, while netty-socketio knows it. */
  private ClientHead session(UUID id) {
    SocketIOServer s = server;
    SocketIOClient client = s == null ? null : s.getClient(id);
    return client instanceof NamespaceClient namespaceClient
        ? namespaceClient.getBaseClient()
        : null;
  }

  /** The browser origin check at the HTTP handshake (netty-socketio itself enforces none). */
  private AuthorizationResult authorize(HandshakeData data) {
    if (transport.allowedOrigins().isEmpty() || transport.allowedOrigins().contains("*")) {
      return AuthorizationResult.SUCCESSFUL_AUTHORIZATION;
    }
    String origin = data.getHttpHeaders().get("Origin");
    if (origin == null || transport.allowedOrigins().contains(origin)) {
      return AuthorizationResult.SUCCESSFUL_AUTHORIZATION;
    }
    log.info("Refused a handshake from origin {} ({})", origin, data.getAddress());
    return AuthorizationResult.FAILED_AUTHORIZATION;
  }

  /** Learns the bound port, which netty-socketio does not expose. */
  private final class BoundServer extends SocketIOServer {
    BoundServer(Configuration config) {
      super(config);
    }

    @Override
    protected void applyConnectionOptions(ServerBootstrap bootstrap) {
      super.applyConnectionOptions(bootstrap);
      // One allocator for all connections: Netty's default creates one per channel.
      bootstrap.childOption(ChannelOption.RCVBUF_ALLOCATOR, RECEIVE_ALLOCATOR);
      bootstrap.handler(
          new ChannelInboundHandlerAdapter() {
            @Override
            public void channelActive(ChannelHandlerContext ctx) {
              listening = ctx.channel();
              boundPort.complete(((InetSocketAddress) ctx.channel().localAddress()).getPort());
              ctx.fireChannelActive();
            }
          });
    }
  }

  /** Handlers that only ever act on HTTP requests. */
  private static final String[] HTTP_ONLY_HANDLERS = {
    SocketIOChannelInitializer.AUTHORIZE_HANDLER,
    SocketIOChannelInitializer.XHR_POLLING_TRANSPORT,
    SocketIOChannelInitializer.WRONG_URL_HANDLER,
    BROWSER_SCRIPT,
    HttpRoutes.NAME,
    UpgradeGuard.NAME
  };

  /**
   * Removes the handlers that only act on HTTP requests from a channel that has become a WebSocket,
   * which never carries an HTTP request again: each costs a handler context per connection, and
   * netty-socketio's authorize handler also cancels a timeout on every frame read. The {@link
   * UpgradeGuard} goes too: the WebSocket now carries its session, whose end its close must bring.
   * Netty's handshake already removed the HTTP decoder, aggregator and encoder.
   */
  static void dropHttpHandlers(ChannelPipeline pipeline) {
    for (String name : HTTP_ONLY_HANDLERS) {
      if (pipeline.context(name) != null) {
        pipeline.remove(name);
      }
    }
  }

  /** Puts the gate in front of netty-socketio's packet handler. */
  private final class Pipeline extends SocketIOChannelInitializer {
    @Override
    protected void addSocketioHandlers(ChannelPipeline pipeline) {
      super.addSocketioHandlers(pipeline);
      pipeline.addBefore(PACKET_HANDLER, "dialogueGate", gate);
      pipeline.addBefore(WEB_SOCKET_TRANSPORT, UpgradeGuard.NAME, upgradeGuard);
      pipeline.addBefore(WEB_SOCKET_TRANSPORT, FrameGuard.NAME, FRAME_GUARD);
      if (!transport.httpRoutes().isEmpty()) {
        // Before the aggregator, whose limit is the Socket.IO frame limit, not a route's.
        pipeline.addAfter(
            HTTP_REQUEST_DECODER,
            HttpRoutes.NAME,
            new HttpRoutes(
                transport.httpRoutes(),
                transport.path(),
                transport.browserClientPath(),
                routeExecutor,
                log));
      }
      if (script != null) {
        // After the HTTP encoder, so that its responses are encoded; before netty-socketio's
        // handlers, so that any path outside the Socket.IO path works.
        pipeline.addAfter(HTTP_ENCODER, BROWSER_SCRIPT, script);
      }
      pipeline.addLast("dialogueTransportErrors", transportErrors);
    }
  }

  /**
   * Ends connections whose input the transport cannot read. A WebSocket message above the frame
   * limit sent in several fragments fails in netty-socketio's frame aggregator, whose exception
   * nobody handles: the connection stayed open and the message vanished without an answer. We
   * cannot answer it (its ack id was discarded with it), so the connection is closed cleanly with
   * WebSocket status 1009, as Netty itself does for a single oversized frame.
   */
  @Sharable
  private final class TransportErrors extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg != HttpRoutes.IN_USE) {
        ctx.fireChannelRead(msg);
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      log.debug(
          "Closing {} after a transport error: {}",
          ctx.channel().remoteAddress(),
          cause.toString());
      boolean tooBig =
          cause instanceof TooLongFrameException
              || cause instanceof CorruptedWebSocketFrameException;
      if (tooBig && ctx.channel().isActive()) {
        close(ctx.channel(), WebSocketCloseStatus.MESSAGE_TOO_BIG);
      } else {
        ctx.close();
      }
    }
  }

  /**
   * Closes {@code channel}: once it speaks WebSocket, cleanly, with a close frame of {@code status}
   * first; before that (still HTTP), at once.
   */
  static void close(Channel channel, WebSocketCloseStatus status) {
    if (channel.pipeline().get(WebSocketFrameEncoder.class) != null) {
      channel
          .writeAndFlush(new CloseWebSocketFrame(status))
          .addListener(ChannelFutureListener.CLOSE);
    } else {
      channel.close();
    }
  }

  /**
   * netty-socketio's per-session key-value store, which only its {@code SocketIOClient#set} API and
   * an {@code AuthorizationResult}'s store parameters use (neither does here): its map is made on
   * first use instead of for every session.
   */
  private static final class LazyStores extends MemoryStoreFactory {
    @Override
    public Store createStore(UUID sessionId) {
      return new LazyStore();
    }
  }

  private static final class LazyStore implements Store {
    private Map<String, Object> values;

    @Override
    public synchronized void set(String key, Object value) {
      if (values == null) {
        values = new HashMap<>();
      }
      values.put(key, value);
    }

    @Override
    @SuppressWarnings("unchecked")
    public synchronized <T> T get(String key) {
      return values == null ? null : (T) values.get(key);
    }

    @Override
    public synchronized boolean has(String key) {
      return values != null && values.containsKey(key);
    }

    @Override
    public synchronized void del(String key) {
      if (values != null) {
        values.remove(key);
      }
    }
  }

  /** Client mistakes and resets are not server errors: log them at debug and close. */
  private static final class QuietExceptions extends ExceptionListenerAdapter {
    private final Logger log;

    QuietExceptions(Logger log) {
      this.log = log;
    }

    @Override
    public boolean exceptionCaught(ChannelHandlerContext ctx, Throwable e) {
      log.debug("Transport error on {}: {}", ctx.channel().remoteAddress(), e.toString());
      ctx.close();
      return true;
    }

    @Override
    public void onAuthException(Throwable e, com.corundumstudio.socketio.SocketIOClient client) {
      log.debug("Auth listener error: {}", e.toString());
    }
  }
}
