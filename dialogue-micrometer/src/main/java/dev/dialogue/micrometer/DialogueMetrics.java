package dev.dialogue.micrometer;

import static java.util.Objects.requireNonNull;

import dev.dialogue.Dialogue;
import dev.dialogue.DialogueObserver;
import dev.dialogue.DialogueStats;
import dev.dialogue.ErrorCode;
import dev.dialogue.HistoryStore;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A Dialogue server's metrics in Micrometer: a {@link DialogueObserver} to register with {@link
 * Dialogue.Builder#observer} and a {@link MeterBinder} to bind to one or more registries.
 *
 * <pre>{@code
 * DialogueMetrics metrics = DialogueMetrics.builder()
 *     .roomKind(roomId -> roomId.startsWith("game-") ? "game" : roomId)
 *     .build();
 * PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
 * metrics.bindTo(registry);
 * Dialogue server = Dialogue.builder()
 *     .observer(metrics)
 *     .http("/metrics", PrometheusEndpoint.handler(registry, HttpAccess.bearerToken(secret)))
 *     .build()
 *     .start();
 * }</pre>
 *
 * <p>Names are lower-case and dotted under {@code dialogue.}; a registry renders them its way
 * (Prometheus: {@code dialogue_events_published_total}). Every tag has a bounded set of values: a
 * room is tagged by its <em>kind</em>, which {@link Builder#roomKind} maps room ids to ({@link
 * Builder#rooms} tags the listed rooms by their id; by default every room is {@code other}), an
 * event by its name only when the application defined it (else {@code other}), reasons and codes
 * from the library's own sets. The meters are listed with their meaning in docs/operations.md.
 *
 * <p>Thread-safe; every observation is a map lookup or two and an atomic add. Observations made
 * before the first {@link #bindTo} are dropped. A {@link Dialogue} has at most one of these: the
 * gauges read the server the observer was started with.
 */
public final class DialogueMetrics implements DialogueObserver, MeterBinder {
  private static final String OTHER = "other";

  /** The disconnect reasons the library gives (DialogueObserver#onDisconnected); else "other". */
  private static final Set<String> REASONS =
      Set.of(
          "transport close",
          "client namespace disconnect",
          "disconnected by the server",
          "server shutting down");

  private final Function<String, String> roomKind;
  private final boolean histograms;
  private final CompositeMeterRegistry registry = new CompositeMeterRegistry();
  private final Meters meters = new Meters(registry);
  private final Timer latency;
  private final Counter outboundBytes;
  private final Counter slowConsumers;
  private final Timer transactions;
  private final DistributionSummary batches;
  private volatile Dialogue server;
  private volatile Executor hooks;

  private DialogueMetrics(Builder builder) {
    this.roomKind = builder.roomKind;
    this.histograms = builder.histograms;
    this.latency =
        percentiles(Timer.builder("dialogue.delivery.latency"))
            .description(
                "Time from a room handing an event to its recipients to its frame being written,"
                    + " per event and event loop (server-side: publish to write)")
            .register(registry);
    this.outboundBytes =
        Counter.builder("dialogue.outbound.bytes")
            .baseUnit("bytes")
            .description("Bytes of event frames written to WebSocket connections")
            .register(registry);
    this.slowConsumers =
        Counter.builder("dialogue.slow.consumers")
            .description("Connections cut off because they did not read their events")
            .register(registry);
    this.transactions =
        percentiles(Timer.builder("dialogue.history.transaction"))
            .description("Time the history store took to write and commit one transaction")
            .register(registry);
    this.batches =
        DistributionSummary.builder("dialogue.history.batch")
            .description("Events the history store committed in one transaction")
            .register(registry);
  }

  /**
   * A history store committed a transaction of {@code events} appends in {@code nanos}: for the
   * JDBC store's {@code JdbcHistoryStore.Builder.commitListener(metrics::onHistoryCommit)}. Records
   * {@code dialogue.history.batch} (events per transaction) and {@code
   * dialogue.history.transaction} (its duration). Any thread.
   */
  public void onHistoryCommit(int events, long nanos) {
    batches.record(events);
    transactions.record(nanos, TimeUnit.NANOSECONDS);
  }

  /** A builder of metrics with the default room kinds ({@code other} for every room). */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Binds the gauges and adds {@code meterRegistry} to the registries these metrics are recorded
   * in; may be called for several registries.
   */
  @Override
  public void bindTo(MeterRegistry meterRegistry) {
    requireNonNull(meterRegistry, "meterRegistry == null");
    registry.add(meterRegistry);
    Gauge.builder("dialogue.connections", this, m -> m.stats(DialogueStats::connections))
        .description("Open connections")
        .register(registry);
    Gauge.builder("dialogue.rooms", this, m -> m.stats(DialogueStats::rooms))
        .description("Rooms that exist")
        .register(registry);
    Gauge.builder("dialogue.hooks.queue", this, DialogueMetrics::hookQueue)
        .description(
            "Tasks waiting for a thread of the hook executor (NaN unless it is a"
                + " ThreadPoolExecutor, as the default one is)")
        .register(registry);
  }

  private double stats(Function<DialogueStats, Integer> read) {
    Dialogue s = server;
    return s == null ? Double.NaN : read.apply(s.stats());
  }

  private double hookQueue() {
    return hooks instanceof ThreadPoolExecutor pool ? pool.getQueue().size() : Double.NaN;
  }

  /**
   * {@code store} with its commits timed ({@code dialogue.history.commit}: from the append to the
   * store's completion of it) and the appends waiting for a commit counted ({@code
   * dialogue.history.pending}): pass the result to {@link Dialogue.Builder#historyStore}.
   */
  public HistoryStore monitor(HistoryStore store) {
    requireNonNull(store, "store == null");
    return new MonitoredHistoryStore(store, this);
  }

  Timer.Builder percentiles(Timer.Builder timer) {
    timer.publishPercentiles(0.5, 0.9, 0.99);
    return histograms ? timer.publishPercentileHistogram() : timer;
  }

  CompositeMeterRegistry registry() {
    return registry;
  }

  /** The tag value of a room: its kind, never its id unless the application chose so. */
  private String kind(String roomId) {
    String kind = roomKind.apply(roomId);
    return kind == null ? OTHER : kind;
  }

  @Override
  public void onStart(Dialogue server, Executor hooks) {
    this.server = server;
    this.hooks = hooks;
  }

  @Override
  public void onConnected(String transport, boolean resumed) {
    meters
        .counter(
            "dialogue.connects",
            "Connections announced to their clients",
            Tags.of("transport", transport, "resumed", resumed ? "true" : "false"))
        .increment();
  }

  @Override
  public void onDisconnected(String reason) {
    meters
        .counter(
            "dialogue.disconnects",
            "Connections that ended",
            "reason",
            REASONS.contains(reason) ? reason : OTHER)
        .increment();
  }

  @Override
  public void onHandshakeRefused(String reason) {
    meters
        .counter("dialogue.handshake.failures", "Handshakes refused", "reason", reason)
        .increment();
  }

  @Override
  public void onJoined(String roomId) {
    meters
        .counter("dialogue.joins", "Connections that joined a room", "room", kind(roomId))
        .increment();
  }

  @Override
  public void onLeft(String roomId, String reason) {
    meters
        .counter(
            "dialogue.leaves",
            "Connections that left a room",
            Tags.of("room", kind(roomId), "reason", reason))
        .increment();
  }

  @Override
  public void onRecovery(String roomId, boolean recovered) {
    meters
        .counter(
            "dialogue.recoveries",
            "Joins with since: whether the missed events were recovered",
            Tags.of("room", kind(roomId), "outcome", recovered ? "recovered" : "not_recovered"))
        .increment();
  }

  @Override
  public void onRefused(String request, String code) {
    String tag = isLibraryCode(code) ? code : "application";
    meters
        .counter(
            "dialogue.requests.refused",
            "Client requests answered with an error, by request and code",
            Tags.of("request", request, "code", tag))
        .increment();
    if (ErrorCode.RATE_LIMITED.name().equals(code)) {
      meters
          .counter(
              "dialogue.rate.limited",
              "Client requests refused with RATE_LIMITED",
              "request",
              request)
          .increment();
    }
  }

  private static boolean isLibraryCode(String code) {
    for (ErrorCode c : ErrorCode.values()) {
      if (c.name().equals(code)) {
        return true;
      }
    }
    return false;
  }

  @Override
  public void onPublished(String roomId, String eventName, boolean defined, int recipients) {
    Meters.Published published = meters.published(kind(roomId), defined ? eventName : OTHER);
    published.events().increment();
    published.deliveries().increment(recipients);
  }

  @Override
  public void onWritten(long nanos, int deliveries, long bytes) {
    latency.record(nanos, TimeUnit.NANOSECONDS);
    outboundBytes.increment(bytes);
  }

  @Override
  public void onSlowConsumer() {
    slowConsumers.increment();
  }

  @Override
  public void onHook(String hook, long nanos) {
    meters.hookTimer(hook, this).record(nanos, TimeUnit.NANOSECONDS);
  }

  /** The history store's meters, made once. */
  Timer commitTimer() {
    return percentiles(Timer.builder("dialogue.history.commit"))
        .description("Time from an append to the history store to its commit")
        .register(registry);
  }

  DistributionSummary pendingSummary() {
    return DistributionSummary.builder("dialogue.history.pending")
        .description("Appends waiting for their commit, seen as each append is made")
        .register(registry);
  }

  /** Configures {@link DialogueMetrics}. */
  public static final class Builder {
    private Function<String, String> roomKind = id -> OTHER;
    private boolean histograms;

    private Builder() {}

    /**
     * Maps a room id to the value of the {@code room} tag (default: {@code other} for every room).
     * The function must return values from a small set (a kind of room, or the ids of the rooms the
     * application configured): a tag value per room id would make one time series per room. Called
     * on the thread of the observation, event loops included: it must be quick.
     */
    public Builder roomKind(Function<String, String> roomKind) {
      this.roomKind = requireNonNull(roomKind, "roomKind == null");
      return this;
    }

    /**
     * Tags the listed rooms by their id and every other room as {@code other}: the usual choice
     * when the application's rooms are the configured ones.
     */
    public Builder rooms(String... roomIds) {
      Set<String> ids = Set.of(roomIds);
      return roomKind(id -> ids.contains(id) ? id : OTHER);
    }

    /**
     * Whether timers also publish histogram buckets (for server-side quantiles in Prometheus, about
     * 70 series a timer); default false: the 50th, 90th and 99th percentiles only.
     */
    public Builder histograms(boolean publish) {
      this.histograms = publish;
      return this;
    }

    /** The metrics, to register with {@link Dialogue.Builder#observer} and bind to registries. */
    public DialogueMetrics build() {
      return new DialogueMetrics(this);
    }
  }

  /** The meters whose tags vary, each made once and then found by its tags. */
  static final class Meters {
    private final MeterRegistry registry;
    private final ConcurrentMap<String, Counter> counters = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, ConcurrentMap<String, Published>> published =
        new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Timer> hooks = new ConcurrentHashMap<>();

    Meters(MeterRegistry registry) {
      this.registry = registry;
    }

    record Published(Counter events, Counter deliveries) {}

    Counter counter(String name, String description, String tag, String value) {
      return counter(name, description, Tags.of(tag, value));
    }

    Counter counter(String name, String description, Tags tags) {
      StringBuilder key = new StringBuilder(name);
      for (Tag tag : tags) {
        key.append('\u0000').append(tag.getKey()).append('=').append(tag.getValue());
      }
      return counters.computeIfAbsent(
          key.toString(),
          k -> Counter.builder(name).description(description).tags(tags).register(registry));
    }

    Published published(String room, String event) {
      return published
          .computeIfAbsent(room, r -> new ConcurrentHashMap<>())
          .computeIfAbsent(
              event,
              e -> {
                Tags tags = Tags.of("room", room, "event", event);
                return new Published(
                    Counter.builder("dialogue.events.published")
                        .description("Events published in rooms")
                        .tags(tags)
                        .register(registry),
                    Counter.builder("dialogue.events.delivered")
                        .description("Deliveries of published events: one per recipient")
                        .tags(tags)
                        .register(registry));
              });
    }

    Timer hookTimer(String hook, DialogueMetrics metrics) {
      return hooks.computeIfAbsent(
          hook,
          h ->
              metrics
                  .percentiles(Timer.builder("dialogue.hooks.duration"))
                  .description("Time application hooks took, by hook")
                  .tag("hook", h)
                  .register(registry));
    }
  }
}
