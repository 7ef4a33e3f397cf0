package dev.dialogue.internal.socketio;

import dev.dialogue.HttpRequest;
import dev.dialogue.HttpResponse;
import dev.dialogue.internal.Settings.HttpRoute;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.DefaultFileRegion;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;

/**
 * The application's HTTP routes ({@code Dialogue.Builder.http}), one instance per connection. Sits
 * right after the HTTP request decoder, before netty-socketio's aggregator (whose limit is the
 * Socket.IO frame limit, not a route's), and takes the requests a route serves: it gathers the body
 * up to the route's limit, runs the handler on the server's executor and writes the answer. Every
 * other request, the Socket.IO path's and the browser client's first, passes on untouched.
 *
 * <p>One request at a time: while a handler runs, reading stops and what was already decoded waits
 * here, so answers leave in order.
 */
final class HttpRoutes extends ChannelInboundHandlerAdapter {
  static final String NAME = "dialogueHttpRoutes";

  /** Longest prefix first. */
  private final List<HttpRoute> routes;

  private final String socketIoPath;
  private final String scriptPath;
  private final Executor executor;
  private final Logger log;

  /** Messages decoded while a handler ran; handled in order once it has answered. Lazy. */
  private ArrayDeque<Object> waiting;

  /** The content of the request now read belongs to netty-socketio. */
  private boolean passing;

  /** The request now read was refused: its content is dropped until its end, then we close. */
  private boolean discarding;

  /** A handler is running or its answer being written. */
  private boolean busy;

  private HttpRoute route;
  private io.netty.handler.codec.http.HttpRequest head;
  private String path;
  private ByteBuf body;

  HttpRoutes(
      List<HttpRoute> routes,
      String socketIoPath,
      String scriptPath,
      Executor executor,
      Logger log) {
    List<HttpRoute> sorted = new ArrayList<>(routes);
    sorted.sort(Comparator.comparingInt((HttpRoute r) -> r.prefix().length()).reversed());
    this.routes = sorted;
    this.socketIoPath = socketIoPath;
    this.scriptPath = scriptPath;
    this.executor = executor;
    this.log = log;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (busy) {
      if (waiting == null) {
        waiting = new ArrayDeque<>(4);
      }
      waiting.add(msg);
      return;
    }
    read(ctx, msg);
  }

  private void read(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof io.netty.handler.codec.http.HttpRequest request) {
      passing = false;
      discarding = false;
      if (!start(ctx, request)) {
        passing = true;
        ctx.fireChannelRead(msg);
        return;
      }
      if (!(msg instanceof HttpContent)) {
        return;
      }
    } else if (!(msg instanceof HttpContent)) {
      ctx.fireChannelRead(msg);
      return;
    }
    HttpContent content = (HttpContent) msg;
    if (passing) {
      ctx.fireChannelRead(msg);
      return;
    }
    try {
      if (discarding || route == null) {
        return;
      }
      if (body.readableBytes() + (long) content.content().readableBytes()
          > route.maxRequestBytes()) {
        refuseTooLarge(ctx);
        return;
      }
      body.writeBytes(content.content());
      if (content instanceof LastHttpContent) {
        dispatch(ctx);
      }
    } finally {
      ReferenceCountUtil.release(msg);
      if (discarding && msg instanceof LastHttpContent) {
        discarding = false;
      }
    }
  }

  /** Begins a request a route serves and returns true, or returns false for one it does not. */
  private boolean start(
      ChannelHandlerContext ctx, io.netty.handler.codec.http.HttpRequest request) {
    if (request.decoderResult().isFailure()) {
      return false;
    }
    String decoded;
    try {
      decoded = new QueryStringDecoder(request.uri()).path();
    } catch (IllegalArgumentException e) {
      answerAndClose(ctx, request, HttpResponse.text(400, "Bad Request: malformed path"));
      return true;
    }
    HttpRoute match = serverOwn(decoded) ? null : match(decoded);
    if (match == null) {
      return false;
    }
    route = match;
    head = request;
    path = decoded;
    inUse(ctx);
    long declared = HttpUtil.getContentLength(request, -1L);
    if (declared > match.maxRequestBytes()) {
      if (!(request instanceof HttpContent)) {
        discarding = true;
      }
      answerAndClose(ctx, request, tooLarge(match));
      return true;
    }
    if (HttpUtil.is100ContinueExpected(request)) {
      ctx.channel()
          .writeAndFlush(
              new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE));
    }
    body = Unpooled.buffer((int) Math.min(Math.max(declared, 0), 64 * 1024));
    return true;
  }

  /**
   * Passed down the pipeline once, on the first request this connection serves outside Socket.IO:
   * netty-socketio's AuthorizeHandler cancels its first-data timeout on any inbound message, and
   * that timeout (5 s after connecting) otherwise closed keep-alive connections that served only
   * routes, under the client's next request. {@code TransportErrors} drops it at the end of the
   * pipeline.
   */
  static final Object IN_USE =
      new Object() {
        @Override
        public String toString() {
          return "dialogue: an HTTP route is in use on this connection";
        }
      };

  private boolean announced;

  private void inUse(ChannelHandlerContext ctx) {
    if (!announced) {
      announced = true;
      ctx.fireChannelRead(IN_USE);
    }
  }

  private boolean serverOwn(String decoded) {
    return decoded.equals(socketIoPath)
        || decoded.startsWith(socketIoPath + "/")
        || decoded.equals(scriptPath);
  }

  private HttpRoute match(String decoded) {
    for (HttpRoute r : routes) {
      if (r.matches(decoded)) {
        return r;
      }
    }
    return null;
  }

  private void refuseTooLarge(ChannelHandlerContext ctx) {
    discarding = true;
    answerAndClose(ctx, head, tooLarge(route));
  }

  private static HttpResponse tooLarge(HttpRoute route) {
    return HttpResponse.text(
        413, "Payload Too Large: at most " + route.maxRequestBytes() + " bytes here");
  }

  private void answerAndClose(
      ChannelHandlerContext ctx, io.netty.handler.codec.http.HttpRequest request, HttpResponse r) {
    release();
    route = null;
    write(ctx.channel(), request, r, false);
  }

  /** The whole request is here: the handler runs on the executor, reading waits for its answer. */
  private void dispatch(ChannelHandlerContext ctx) {
    HttpRoute target = route;
    io.netty.handler.codec.http.HttpRequest request = head;
    byte[] bytes = new byte[body.readableBytes()];
    body.readBytes(bytes);
    release();
    route = null;
    HttpRequest call = toRequest(request, target, bytes, ctx.channel());
    busy = true;
    ctx.channel().config().setAutoRead(false);
    boolean keepAlive = HttpUtil.isKeepAlive(request);
    Channel channel = ctx.channel();
    try {
      executor.execute(
          () -> {
            HttpResponse response;
            try {
              response = target.handler().handle(call);
              if (response == null) {
                throw new IllegalStateException("the handler returned null");
              }
            } catch (Exception | Error e) {
              log.error(
                  "HTTP handler for {} failed on {} {}",
                  target.prefix(),
                  call.method(),
                  call.path(),
                  e);
              response = HttpResponse.text(500, "Internal Server Error");
            }
            HttpResponse answer = response;
            channel.eventLoop().execute(() -> answered(ctx, request, answer, keepAlive));
          });
    } catch (RejectedExecutionException e) {
      answered(ctx, request, HttpResponse.text(503, "Service Unavailable: stopping"), false);
    }
  }

  private void answered(
      ChannelHandlerContext ctx,
      io.netty.handler.codec.http.HttpRequest request,
      HttpResponse response,
      boolean keepAlive) {
    ChannelFuture written = write(ctx.channel(), request, response, keepAlive);
    if (!keepAlive) {
      return;
    }
    written.addListener(
        f -> {
          busy = false;
          while (!busy && waiting != null && !waiting.isEmpty()) {
            read(ctx, waiting.poll());
          }
          if (!busy) {
            ctx.channel().config().setAutoRead(true);
          }
        });
  }

  private HttpRequest toRequest(
      io.netty.handler.codec.http.HttpRequest request, HttpRoute target, byte[] bytes, Channel ch) {
    QueryStringDecoder query = new QueryStringDecoder(request.uri());
    Map<String, List<String>> headers = new LinkedHashMap<>();
    for (Map.Entry<String, String> header : request.headers()) {
      headers.computeIfAbsent(header.getKey(), k -> new ArrayList<>()).add(header.getValue());
    }
    InetSocketAddress remote =
        ch.remoteAddress() instanceof InetSocketAddress address ? address : null;
    return HttpRequest.of(
        request.method().name(),
        path,
        target.subpath(path),
        query.parameters(),
        headers,
        bytes,
        remote);
  }

  /** Writes {@code response}; closes after it unless {@code keepAlive}. */
  private ChannelFuture write(
      Channel channel,
      io.netty.handler.codec.http.HttpRequest request,
      HttpResponse response,
      boolean keepAlive) {
    boolean head = request.method().equals(HttpMethod.HEAD);
    HttpResponseStatus status = HttpResponseStatus.valueOf(response.status());
    ChannelFuture last =
        response.file().isPresent()
            ? writeFile(channel, response, status, head, keepAlive)
            : writeBytes(channel, response, status, head, keepAlive);
    if (!keepAlive) {
      last.addListener(ChannelFutureListener.CLOSE);
    }
    return last;
  }

  private static ChannelFuture writeBytes(
      Channel channel,
      HttpResponse response,
      HttpResponseStatus status,
      boolean head,
      boolean keepAlive) {
    byte[] bytes = response.body();
    FullHttpResponse full =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1,
            status,
            head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(bytes));
    headers(full.headers(), response, bytes.length, keepAlive);
    return channel.writeAndFlush(full);
  }

  private ChannelFuture writeFile(
      Channel channel,
      HttpResponse response,
      HttpResponseStatus status,
      boolean head,
      boolean keepAlive) {
    Path file = response.file().orElseThrow();
    RandomAccessFile raf;
    long length;
    try {
      raf = new RandomAccessFile(file.toFile(), "r");
      length = raf.length();
    } catch (IOException e) {
      return writeBytes(
          channel,
          HttpResponse.text(404, "Not Found"),
          HttpResponseStatus.NOT_FOUND,
          head,
          keepAlive);
    }
    DefaultHttpResponse start = new DefaultHttpResponse(HttpVersion.HTTP_1_1, status);
    headers(start.headers(), response, length, keepAlive);
    channel.write(start);
    if (head) {
      closeQuietly(raf);
    } else {
      channel.write(new DefaultFileRegion(raf.getChannel(), 0, length));
    }
    return channel.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
  }

  private static void headers(
      HttpHeaders out, HttpResponse response, long length, boolean keepAlive) {
    response.headers().forEach(out::set);
    out.set(HttpHeaderNames.CONTENT_LENGTH, length);
    if (!keepAlive) {
      out.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    }
  }

  private static void closeQuietly(RandomAccessFile raf) {
    try {
      raf.close();
    } catch (IOException e) {
      // nothing was read from it
    }
  }

  private void release() {
    if (body != null) {
      body.release();
      body = null;
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    release();
    while (waiting != null && !waiting.isEmpty()) {
      ReferenceCountUtil.release(waiting.poll());
    }
    ctx.fireChannelInactive();
  }
}
