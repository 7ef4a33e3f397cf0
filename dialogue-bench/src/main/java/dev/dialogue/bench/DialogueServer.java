package dev.dialogue.bench;

import dev.dialogue.Dialogue;
import dev.dialogue.EventDefinition;
import dev.dialogue.RoomConfig;
import dev.dialogue.jdbc.JdbcHistoryStore;
import dev.dialogue.jwt.JwtAuthenticator;
import dev.dialogue.micrometer.DialogueMetrics;
import dev.dialogue.redis.RedisBroker;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import java.time.Duration;

/**
 * The Dialogue server under test: room {@code fanout} and rooms {@code r0 .. r<N-1>}, each with the
 * typed, validated event {@code tick} (no history) to which every participant is subscribed; room
 * {@code storm}, whose {@code tick} keeps history (scenario 5, recovery storm); and room {@code
 * notes} whose event {@code note} keeps history (scenario 6), written through to the JDBC store
 * given with {@code --history-store}; a node sharing its rooms through the Redis of {@code --redis
 * URI}. Development-mode identity, or HS256 JWTs with {@code --jwt-secret}. Library defaults
 * otherwise.
 */
final class DialogueServer {
  /** The benchmark payload: publisher, sequence number, send time, padding to 100 bytes. */
  record Tick(@NotBlank String bp, long bs, long bt, @Size(max = 4096) String pad) {}

  static final EventDefinition<Tick> TICK =
      EventDefinition.builder("tick", Tick.class).description("benchmark event").build();

  /** Scenario 6's event: a short chat message that keeps history. */
  record Note(@NotBlank String text) {}

  static final EventDefinition<Note> NOTE =
      EventDefinition.builder("note", Note.class).history(1_000).build();

  private DialogueServer() {}

  public static void main(String[] args) {
    ServerArgs options = ServerArgs.parse(args);
    Dialogue.Builder builder =
        Dialogue.builder()
            .host("127.0.0.1")
            .port(options.port())
            .room(room("fanout"))
            .room(RoomConfig.builder("notes", "Notes").events(NOTE).build());
    for (int i = 0; i < options.rooms(); i++) {
      builder.room(room("r" + i));
    }
    builder.room(stormRoom());
    if (options.jwtSecret() != null) {
      builder.authenticator(
          JwtAuthenticator.hs256(options.jwtSecret()).requireExpiry(false).build());
    }
    if (options.redis() != null) {
      // Scale-out (issue 19): this server is one node of several sharing rooms through Redis.
      builder.broker(RedisBroker.create(options.redis()));
    }
    if (options.historyStore() != null) {
      builder.historyStore(JdbcHistoryStore.builder(options.historyStore()).build());
    }
    String flushMicros = System.getProperty("dialogue.bench.maxFlushDelayMicros");
    if (flushMicros != null) {
      // For comparing intervals (BENCH_SERVER_OPTS=-Ddialogue.bench.maxFlushDelayMicros=N, and
      // ...UnderLoadMicros below); the report's runs keep the library's defaults.
      builder.maxFlushDelay(Duration.ofNanos(1_000 * Long.parseLong(flushMicros)));
    }
    String underLoadMicros = System.getProperty("dialogue.bench.maxFlushDelayUnderLoadMicros");
    if (underLoadMicros != null) {
      builder.maxFlushDelayUnderLoad(Duration.ofNanos(1_000 * Long.parseLong(underLoadMicros)));
    }
    if (Boolean.getBoolean("dialogue.bench.metrics")) {
      // For measuring what metrics cost (BENCH_SERVER_OPTS=-Ddialogue.bench.metrics=true): the
      // observer recording into a Prometheus registry nobody scrapes. The report's runs have none.
      DialogueMetrics metrics = DialogueMetrics.builder().rooms("fanout", "notes", "storm").build();
      metrics.bindTo(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
      builder.observer(metrics);
    }
    Dialogue dialogue = builder.build().start();
    ServerArgs.serve(dialogue.port(), dialogue::stop);
  }

  private static RoomConfig room(String id) {
    return RoomConfig.builder(id, id).events(TICK).defaultSubscriptions(TICK.name()).build();
  }

  /**
   * The recovery storm's room: {@code tick} with 1,000 events of history in memory, enough for
   * every round of the storm, so that a rejoining client recovers what it missed ({@code
   * maxRecoveryEvents} keeps its default of 1,000, over the 100 missed per round).
   */
  private static RoomConfig stormRoom() {
    EventDefinition<Tick> tick =
        EventDefinition.builder("tick", Tick.class)
            .description("storm event")
            .history(1_000)
            .build();
    return RoomConfig.builder(RecoveryStorm.ROOM, RecoveryStorm.ROOM)
        .events(tick)
        .defaultSubscriptions(tick.name())
        .build();
  }
}
