package dev.dialogue.internal.socketio;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Serves the browser client ({@code dialogue.js}) at one path, the way Socket.IO serves its client
 * script. Sits in the HTTP pipeline before netty-socketio's handlers and passes every other request
 * on untouched. Runs on Netty event loops; the script is read once, at construction.
 */
@Sharable
final class BrowserScript extends ChannelInboundHandlerAdapter {
  static final String RESOURCE = "/dev/dialogue/browser/dialogue.js";

  private final String path;
  private final byte[] body;
  private final String etag;

  BrowserScript(String path) {
    this.path = path;
    this.body = load();
    this.etag = etagOf(body);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof FullHttpRequest request)
        || !new QueryStringDecoder(request.uri()).path().equals(path)) {
      ctx.fireChannelRead(msg);
      return;
    }
    ctx.fireChannelRead(HttpRoutes.IN_USE); // see there: keeps a keep-alive connection open
    try {
      boolean keepAlive = HttpUtil.isKeepAlive(request);
      FullHttpResponse response = respond(request);
      HttpUtil.setKeepAlive(response, keepAlive);
      var future = ctx.writeAndFlush(response);
      if (!keepAlive) {
        future.addListener(ChannelFutureListener.CLOSE);
      }
    } finally {
      request.release();
    }
  }

  private FullHttpResponse respond(FullHttpRequest request) {
    HttpMethod method = request.method();
    if (!method.equals(HttpMethod.GET) && !method.equals(HttpMethod.HEAD)) {
      FullHttpResponse response = empty(HttpResponseStatus.METHOD_NOT_ALLOWED);
      response.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD");
      return response;
    }
    String ifNoneMatch = request.headers().get(HttpHeaderNames.IF_NONE_MATCH);
    if (ifNoneMatch != null && (ifNoneMatch.contains(etag) || ifNoneMatch.trim().equals("*"))) {
      FullHttpResponse response = empty(HttpResponseStatus.NOT_MODIFIED);
      cacheHeaders(response);
      return response;
    }
    boolean head = method.equals(HttpMethod.HEAD);
    FullHttpResponse response =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1,
            HttpResponseStatus.OK,
            head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body));
    response
        .headers()
        .set(HttpHeaderNames.CONTENT_TYPE, "application/javascript; charset=utf-8")
        .set(HttpHeaderNames.CONTENT_LENGTH, body.length)
        .set("X-Content-Type-Options", "nosniff")
        // Public, credential-free content: pages on other origins may load it with crossorigin.
        .set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, "*");
    cacheHeaders(response);
    return response;
  }

  /** Browsers may keep the script but must revalidate, so a server upgrade reaches them at once. */
  private void cacheHeaders(FullHttpResponse response) {
    response
        .headers()
        .set(HttpHeaderNames.ETAG, etag)
        .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_CACHE);
  }

  private static FullHttpResponse empty(HttpResponseStatus status) {
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status);
    response.headers().set(HttpHeaderNames.CONTENT_LENGTH, 0);
    return response;
  }

  private static byte[] load() {
    try (InputStream in = BrowserScript.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(
            "resource " + RESOURCE + " is missing from the dialogue-core jar");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + RESOURCE, e);
    }
  }

  private static String etagOf(byte[] bytes) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(bytes);
      return "\"" + HexFormat.of().formatHex(digest, 0, 16) + "\"";
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
