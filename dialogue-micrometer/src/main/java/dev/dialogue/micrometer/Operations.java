package dev.dialogue.micrometer;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dialogue.Dialogue;
import dev.dialogue.DialogueObserver;
import dev.dialogue.HistoryStore;
import dev.dialogue.HttpHandler;
import dev.dialogue.HttpResponse;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.Executor;

/**
 * The operations routes on the server's own port: {@code /health} (liveness), {@code /ready}
 * (readiness, with the application's checks) and, when given an access check, the admin API under
 * {@code /admin/}. All answer JSON. Install them with {@link #install}, which also registers this
 * as an observer (that is how the routes learn of the server once it starts):
 *
 * <pre>{@code
 * Operations operations = Operations.builder()
 *     .historyStore(store)                                // /ready checks it is reachable
 *     .admin(HttpAccess.bearerToken(System.getenv("DIALOGUE_ADMIN_TOKEN")))
 *     .build();
 * Dialogue server = operations.install(Dialogue.builder().historyStore(store)).build().start();
 * }</pre>
 *
 * <p>{@code /health} answers {@code 200 {"status":"UP"}} as long as the server answers HTTP at all.
 * {@code /ready} answers {@code 200} once the server has started and every check passes, otherwise
 * {@code 503}, with each check's status: {@code {"status":"DOWN","checks":{"accepting":
 * "UP","history":"DOWN: connection refused"}}}. A stopping server answers every route {@code 503}.
 * The admin API is described in docs/operations.md.
 */
public final class Operations implements DialogueObserver {
  static final ObjectMapper JSON = new ObjectMapper();

  private final Map<String, Callable<Boolean>> checks;
  private final HttpAccess adminAccess;
  private volatile Dialogue server;

  private Operations(Builder builder) {
    this.checks = Map.copyOf(builder.checks);
    this.adminAccess = builder.adminAccess;
  }

  /** A builder with no readiness checks but {@code accepting}, and the admin API off. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Registers this as {@code builder}'s observer and adds {@code /health}, {@code /ready} and, when
   * {@link Builder#admin} was set, {@code /admin/}.
   */
  public Dialogue.Builder install(Dialogue.Builder builder) {
    builder.observer(this).http("/health", health()).http("/ready", ready());
    if (adminAccess != null) {
      builder.http("/admin/", admin());
    }
    return builder;
  }

  @Override
  public void onStart(Dialogue server, Executor hooks) {
    this.server = server;
  }

  /** The liveness route: {@code 200 {"status":"UP"}}. */
  public HttpHandler health() {
    return request -> json(200, JSON.createObjectNode().put("status", "UP"));
  }

  /**
   * The readiness route: {@code 200} once the server accepts connections and every check passes,
   * else {@code 503}; the checks run on the request's thread, one after another.
   */
  public HttpHandler ready() {
    return request -> {
      ObjectNode results = JSON.createObjectNode();
      boolean up = server != null;
      results.put("accepting", up ? "UP" : "DOWN: not started");
      for (Map.Entry<String, Callable<Boolean>> check : checks.entrySet()) {
        String status = run(check.getValue());
        up &= status.equals("UP");
        results.put(check.getKey(), status);
      }
      ObjectNode body = JSON.createObjectNode().put("status", up ? "UP" : "DOWN");
      body.set("checks", results);
      return json(up ? 200 : 503, body);
    };
  }

  private static String run(Callable<Boolean> check) {
    try {
      return Boolean.TRUE.equals(check.call()) ? "UP" : "DOWN";
    } catch (Exception | Error e) {
      return "DOWN: " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
    }
  }

  /**
   * The admin API, for the prefix {@code /admin/}.
   *
   * @throws IllegalStateException if {@link Builder#admin} was not set (the API is off)
   */
  public HttpHandler admin() {
    if (adminAccess == null) {
      throw new IllegalStateException("the admin API is off; set Operations.Builder.admin first");
    }
    return new AdminApi(() -> server, adminAccess);
  }

  static HttpResponse json(int status, Object body) throws Exception {
    return HttpResponse.json(status, JSON.writeValueAsString(body));
  }

  static HttpResponse unauthorized() throws Exception {
    return json(401, Map.of("error", "unauthorized")).withHeader("WWW-Authenticate", "Bearer");
  }

  /** Configures {@link Operations}. */
  public static final class Builder {
    private final Map<String, Callable<Boolean>> checks = new LinkedHashMap<>();
    private HttpAccess adminAccess;

    private Builder() {}

    /**
     * Adds a readiness check: {@code /ready} is {@code 503} while it returns false or throws (its
     * message is shown). Called on each {@code /ready} request, on the server's executor: it may
     * block, within the time a probe waits. A broker of a scaled-out server, a database the
     * application needs, belong here.
     *
     * @throws IllegalArgumentException if {@code name} is {@code accepting} or already added
     */
    public Builder readinessCheck(String name, Callable<Boolean> check) {
      requireNonNull(name, "name == null");
      requireNonNull(check, "check == null");
      if (name.equals("accepting") || checks.containsKey(name)) {
        throw new IllegalArgumentException("a readiness check named " + name + " exists already");
      }
      checks.put(name, check);
      return this;
    }

    /**
     * Checks that the history store is reachable: the check {@code history} reads a room's position
     * from it (one query of the store, with the store's own timeouts).
     */
    public Builder historyStore(HistoryStore store) {
      requireNonNull(store, "store == null");
      return readinessCheck(
          "history",
          () -> {
            store.position("dialogue:ready");
            return true;
          });
    }

    /**
     * Turns the admin API on, behind {@code access} (such as {@link HttpAccess#bearerToken}). Off
     * by default.
     */
    public Builder admin(HttpAccess access) {
      this.adminAccess = requireNonNull(access, "access == null");
      return this;
    }

    /** The routes, to {@link Operations#install} in a server's builder. */
    public Operations build() {
      return new Operations(this);
    }
  }
}
