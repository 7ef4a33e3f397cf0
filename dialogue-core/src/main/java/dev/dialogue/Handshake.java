package dev.dialogue;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;

/**
 * What a connecting client presented: the Socket.IO {@code auth} object (empty when the client sent
 * none), the HTTP headers of its handshake request, and its remote address.
 *
 * @param auth the {@code auth} object of the CONNECT packet, never {@code null}
 * @param headers the handshake request's headers, names in lower case
 * @param remoteAddress the peer's address
 */
public record Handshake(
    Map<String, Object> auth, Map<String, List<String>> headers, InetSocketAddress remoteAddress) {

  public Handshake {
    auth = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(auth));
    headers = Map.copyOf(headers);
  }

  /** The first value of header {@code name} (case-insensitive), or {@code null}. */
  public String header(String name) {
    List<String> values = headers.get(name.toLowerCase(java.util.Locale.ROOT));
    return values == null || values.isEmpty() ? null : values.get(0);
  }

  /** {@code auth.get(key)} if it is a string, else {@code null}. */
  public String authString(String key) {
    Object v = auth.get(key);
    return v instanceof String s ? s : null;
  }
}
