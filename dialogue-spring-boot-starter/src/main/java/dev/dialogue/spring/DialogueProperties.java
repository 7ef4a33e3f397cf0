package dev.dialogue.spring;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.core.io.Resource;

/**
 * The {@code dialogue.*} properties the auto-configured {@link dev.dialogue.Dialogue} is built
 * from. A property left unset keeps the library's default (written in its description), so that the
 * defaults live in one place, {@link dev.dialogue.Dialogue.Builder}; each value is checked by the
 * builder's setter, and a bad one fails the application's start with the builder's message.
 *
 * <p>What has no property here (an executor, a clock, HTTP routes, the flush delays, ...) is set
 * with a {@link DialogueBuilderCustomizer} bean.
 */
@ConfigurationProperties("dialogue")
public class DialogueProperties {
  /** Whether to auto-configure a Dialogue server at all. */
  private boolean enabled = true;

  /** The port to bind; 0 picks a free one. Library default: 3000. */
  private Integer port;

  /** The address to bind. Library default: 0.0.0.0, all interfaces. */
  private String host;

  /** The Socket.IO path clients connect to. Library default: /socket.io. */
  private String path;

  /**
   * Browser origins allowed to connect, each * or http(s)://host[:port]. Empty (the default) allows
   * any origin; clients that send no Origin header are always allowed.
   */
  private List<String> allowedOrigins = new ArrayList<>();

  /**
   * Where the server serves the browser client; an empty value turns it off. Library default:
   * /dialogue.js.
   */
  private String browserClientPath;

  /**
   * How long a connection whose transport dropped keeps its rooms, seats and presence, 0 to 1 hour.
   * Library default: 0, off.
   */
  private Duration disconnectGrace;

  /** Rooms created by clients are deleted once empty this long. Library default: never. */
  private Duration disposeEmptyClientRooms;

  private final Heartbeat heartbeat = new Heartbeat();
  private final Limits limits = new Limits();
  private final History history = new History();
  private final Auth auth = new Auth();

  public boolean isEnabled() {
    return enabled;
  }

  public void setEnabled(boolean enabled) {
    this.enabled = enabled;
  }

  public Integer getPort() {
    return port;
  }

  public void setPort(Integer port) {
    this.port = port;
  }

  public String getHost() {
    return host;
  }

  public void setHost(String host) {
    this.host = host;
  }

  public String getPath() {
    return path;
  }

  public void setPath(String path) {
    this.path = path;
  }

  public List<String> getAllowedOrigins() {
    return allowedOrigins;
  }

  public void setAllowedOrigins(List<String> allowedOrigins) {
    this.allowedOrigins = allowedOrigins;
  }

  public String getBrowserClientPath() {
    return browserClientPath;
  }

  public void setBrowserClientPath(String browserClientPath) {
    this.browserClientPath = browserClientPath;
  }

  public Duration getDisconnectGrace() {
    return disconnectGrace;
  }

  public void setDisconnectGrace(Duration disconnectGrace) {
    this.disconnectGrace = disconnectGrace;
  }

  public Duration getDisposeEmptyClientRooms() {
    return disposeEmptyClientRooms;
  }

  public void setDisposeEmptyClientRooms(Duration disposeEmptyClientRooms) {
    this.disposeEmptyClientRooms = disposeEmptyClientRooms;
  }

  public Heartbeat getHeartbeat() {
    return heartbeat;
  }

  public Limits getLimits() {
    return limits;
  }

  public History getHistory() {
    return history;
  }

  public Auth getAuth() {
    return auth;
  }

  /** {@code dialogue.heartbeat.*}: the Engine.IO ping; set both or neither. */
  public static class Heartbeat {
    /** The Engine.IO ping interval, at least 100 ms. Library default: 25s. */
    private Duration interval;

    /** How long a ping may go unanswered, at least 100 ms. Library default: 20s. */
    private Duration timeout;

    public Duration getInterval() {
      return interval;
    }

    public void setInterval(Duration interval) {
      this.interval = interval;
    }

    public Duration getTimeout() {
      return timeout;
    }

    public void setTimeout(Duration timeout) {
      this.timeout = timeout;
    }
  }

  /** {@code dialogue.limits.*}: the server's bounds (docs/configuration.md, "Limits"). */
  public static class Limits {
    /** The largest Socket.IO packet, at least 1024 bytes. Library default: 1048576 (1 MiB). */
    private Integer maxPayloadBytes;

    /** The largest meta of a trigger, as JSON bytes. Library default: 16384. */
    private Integer maxMetaBytes;

    /**
     * getHistory requests per connection in one history-window. Library default: 20; set together
     * with history-window.
     */
    private Integer historyRequests;

    /** The window of history-requests. Library default: 60s. */
    private Duration historyWindow;

    /** The most events one getHistory may ask for. Library default: 500. */
    private Integer maxHistoryPage;

    /** The rooms one connection may be in. Library default: 100. */
    private Integer maxRoomsPerConnection;

    /** Rooms clients may create, server-wide; 0 forbids it. Library default: 10000. */
    private Integer maxClientRooms;

    /** Requests one connection may have queued or running. Library default: 1000. */
    private Integer maxPendingRequests;

    /** Packets queued for one connection whose transport is full. Library default: 10000. */
    private Integer maxOutboundPackets;

    /** Bytes waiting to be written to one connection, at least 65536. Library default: 4194304. */
    private Long maxOutboundBytes;

    /** In-memory history of all rooms together, in events. Library default: 1000000. */
    private Integer maxEventsInMemory;

    /** The most missed events one join with since may recover. Library default: 1000. */
    private Integer maxRecoveryEvents;

    public Integer getMaxPayloadBytes() {
      return maxPayloadBytes;
    }

    public void setMaxPayloadBytes(Integer maxPayloadBytes) {
      this.maxPayloadBytes = maxPayloadBytes;
    }

    public Integer getMaxMetaBytes() {
      return maxMetaBytes;
    }

    public void setMaxMetaBytes(Integer maxMetaBytes) {
      this.maxMetaBytes = maxMetaBytes;
    }

    public Integer getHistoryRequests() {
      return historyRequests;
    }

    public void setHistoryRequests(Integer historyRequests) {
      this.historyRequests = historyRequests;
    }

    public Duration getHistoryWindow() {
      return historyWindow;
    }

    public void setHistoryWindow(Duration historyWindow) {
      this.historyWindow = historyWindow;
    }

    public Integer getMaxHistoryPage() {
      return maxHistoryPage;
    }

    public void setMaxHistoryPage(Integer maxHistoryPage) {
      this.maxHistoryPage = maxHistoryPage;
    }

    public Integer getMaxRoomsPerConnection() {
      return maxRoomsPerConnection;
    }

    public void setMaxRoomsPerConnection(Integer maxRoomsPerConnection) {
      this.maxRoomsPerConnection = maxRoomsPerConnection;
    }

    public Integer getMaxClientRooms() {
      return maxClientRooms;
    }

    public void setMaxClientRooms(Integer maxClientRooms) {
      this.maxClientRooms = maxClientRooms;
    }

    public Integer getMaxPendingRequests() {
      return maxPendingRequests;
    }

    public void setMaxPendingRequests(Integer maxPendingRequests) {
      this.maxPendingRequests = maxPendingRequests;
    }

    public Integer getMaxOutboundPackets() {
      return maxOutboundPackets;
    }

    public void setMaxOutboundPackets(Integer maxOutboundPackets) {
      this.maxOutboundPackets = maxOutboundPackets;
    }

    public Long getMaxOutboundBytes() {
      return maxOutboundBytes;
    }

    public void setMaxOutboundBytes(Long maxOutboundBytes) {
      this.maxOutboundBytes = maxOutboundBytes;
    }

    public Integer getMaxEventsInMemory() {
      return maxEventsInMemory;
    }

    public void setMaxEventsInMemory(Integer maxEventsInMemory) {
      this.maxEventsInMemory = maxEventsInMemory;
    }

    public Integer getMaxRecoveryEvents() {
      return maxRecoveryEvents;
    }

    public void setMaxRecoveryEvents(Integer maxRecoveryEvents) {
      this.maxRecoveryEvents = maxRecoveryEvents;
    }
  }

  /**
   * {@code dialogue.history.*}: durable write-through history with dialogue-jdbc's
   * JdbcHistoryStore, when jdbc-url is set.
   */
  public static class History {
    /**
     * The JDBC URL of the history database (e.g. jdbc:h2:file:./data/history); needs the
     * dialogue-jdbc artifact and the database's driver. Unset: history in memory only.
     */
    private String jdbcUrl;

    /** The database user. */
    private String username;

    /** The database password. */
    private String password;

    /** Connections in the store's own pool. Store default: 4. */
    private Integer poolSize;

    public String getJdbcUrl() {
      return jdbcUrl;
    }

    public void setJdbcUrl(String jdbcUrl) {
      this.jdbcUrl = jdbcUrl;
    }

    public String getUsername() {
      return username;
    }

    public void setUsername(String username) {
      this.username = username;
    }

    public String getPassword() {
      return password;
    }

    public void setPassword(String password) {
      this.password = password;
    }

    public Integer getPoolSize() {
      return poolSize;
    }

    public void setPoolSize(Integer poolSize) {
      this.poolSize = poolSize;
    }
  }

  /**
   * {@code dialogue.auth.*}: who a connection is. With neither an Authenticator bean, nor a JWT
   * secret or key, nor development-mode, every connection is refused.
   */
  public static class Auth {
    /**
     * Trust the userId a client sends, as the library does without an authenticator. For local
     * development only; ignored when an Authenticator bean or a JWT secret or key is configured.
     */
    private boolean developmentMode = false;

    private final Jwt jwt = new Jwt();

    public boolean isDevelopmentMode() {
      return developmentMode;
    }

    public void setDevelopmentMode(boolean developmentMode) {
      this.developmentMode = developmentMode;
    }

    public Jwt getJwt() {
      return jwt;
    }
  }

  /**
   * {@code dialogue.auth.jwt.*}: dialogue-jwt's JwtAuthenticator, when secret or public-key is set
   * (exactly one of them). Needs the dialogue-jwt artifact.
   */
  public static class Jwt {
    /** The HS256 shared secret, at least 32 bytes in UTF-8. */
    private String secret;

    /** A PEM file with the RSA public key (at least 2048 bits) that verifies RS256 tokens. */
    private Resource publicKey;

    /** The iss claim a token must carry. Unset: not checked. */
    private String issuer;

    /** An aud value a token must carry. Unset: not checked. */
    private String audience;

    /** Whether a token must carry an exp claim. Authenticator default: true. */
    private Boolean requireExpiry;

    /** The clock skew allowed for exp and nbf. Authenticator default: 60s. */
    private Duration clockSkew;

    public String getSecret() {
      return secret;
    }

    public void setSecret(String secret) {
      this.secret = secret;
    }

    public Resource getPublicKey() {
      return publicKey;
    }

    public void setPublicKey(Resource publicKey) {
      this.publicKey = publicKey;
    }

    public String getIssuer() {
      return issuer;
    }

    public void setIssuer(String issuer) {
      this.issuer = issuer;
    }

    public String getAudience() {
      return audience;
    }

    public void setAudience(String audience) {
      this.audience = audience;
    }

    public Boolean getRequireExpiry() {
      return requireExpiry;
    }

    public void setRequireExpiry(Boolean requireExpiry) {
      this.requireExpiry = requireExpiry;
    }

    public Duration getClockSkew() {
      return clockSkew;
    }

    public void setClockSkew(Duration clockSkew) {
      this.clockSkew = clockSkew;
    }

    /** Whether a secret or a public key is set. */
    boolean configured() {
      return (secret != null && !secret.isEmpty()) || publicKey != null;
    }
  }
}
