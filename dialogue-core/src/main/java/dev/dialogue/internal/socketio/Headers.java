package dev.dialogue.internal.socketio;

import com.corundumstudio.socketio.HandshakeData;
import dev.dialogue.Handshake;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The handshake request's headers, from netty-socketio's session to the {@link Handshake} an
 * authenticator sees: kept between the two in one compact string, not netty-socketio's header map.
 */
public final class Headers {
  /** Separates names and values in compact headers: HTTP/1.1 parsing ends each at a line feed. */
  private static final char HEADER_SEPARATOR = '\n';

  private Headers() {}

  /**
   * Takes the handshake request's headers out of netty-socketio's session and returns them in a
   * compact form for {@link #handshake}. netty-socketio keeps the whole request's header map
   * (entries, names, values) for the life of the session, though it reads only {@code Origin} (for
   * the CORS headers of polling responses); every other header is removed from it here.
   */
  public static String take(HandshakeData data) {
    // netty-socketio reads the URL parameters only while it creates the session.
    if (data.getUrlParams() != null) {
      data.getUrlParams().clear();
    }
    HttpHeaders http = data.getHttpHeaders();
    if (http == null || http.isEmpty()) {
      return "";
    }
    StringBuilder compact = new StringBuilder();
    for (Map.Entry<String, String> e : http) {
      compact
          .append(e.getKey().toLowerCase(Locale.ROOT))
          .append(HEADER_SEPARATOR)
          .append(e.getValue())
          .append(HEADER_SEPARATOR);
    }
    for (String name : List.copyOf(http.names())) {
      if (!HttpHeaderNames.ORIGIN.contentEqualsIgnoreCase(name)) {
        http.remove(name);
      }
    }
    return compact.toString();
  }

  /** The handshake a CONNECT presents: headers as {@link #take} returned them. */
  public static Handshake handshake(
      String headers, InetSocketAddress address, Map<String, Object> auth) {
    Map<String, List<String>> map = new HashMap<>();
    int from = 0;
    while (from < headers.length()) {
      int nameEnd = headers.indexOf(HEADER_SEPARATOR, from);
      int valueEnd = headers.indexOf(HEADER_SEPARATOR, nameEnd + 1);
      map.computeIfAbsent(headers.substring(from, nameEnd), k -> new ArrayList<>(1))
          .add(headers.substring(nameEnd + 1, valueEnd));
      from = valueEnd + 1;
    }
    return new Handshake(auth, map, address);
  }
}
