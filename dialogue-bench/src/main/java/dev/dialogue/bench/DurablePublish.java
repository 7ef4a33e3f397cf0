package dev.dialogue.bench;

import dev.dialogue.Dialogue;
import dev.dialogue.EventDefinition;
import dev.dialogue.JdbcHistoryStore;
import dev.dialogue.RoomConfig;
import jakarta.validation.constraints.NotBlank;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Recorder;

/**
 * Scenario 6, first measurement: acknowledged events per second with write-through history on H2
 * against the same server with memory-only history, in one run. Each of N connections publishes an
 * event with history, waits for its acknowledgement (which, with the store, comes only once the
 * event is committed) and publishes the next: a closed loop, so the rate is what the server can
 * acknowledge. The server runs in this JVM; the figure is the server and the store together.
 *
 * <p>Usage: {@code DurablePublish [connections] [seconds]} (defaults 200 and 10).
 */
public final class DurablePublish {
  /** The published payload: the text of a short chat message. */
  public record Note(@NotBlank String text) {}

  private static final EventDefinition<Note> NOTE =
      EventDefinition.builder("note", Note.class).history(1_000).build();

  private DurablePublish() {}

  public static void main(String[] args) throws Exception {
    int connections = args.length > 0 ? Integer.parseInt(args[0]) : 200;
    double seconds = args.length > 1 ? Double.parseDouble(args[1]) : 10;
    Path dir = Files.createTempDirectory("dialogue-durable");
    System.out.printf(
        "durable publish: %d connections, %.0f s each, closed loop%n", connections, seconds);
    for (String mode : List.of("memory", "h2")) {
      Dialogue.Builder builder =
          Dialogue.builder()
              .host("127.0.0.1")
              .port(0)
              .room(RoomConfig.builder("notes", "Notes").events(NOTE).build());
      if (mode.equals("h2")) {
        builder.historyStore(
            JdbcHistoryStore.builder("jdbc:h2:file:" + dir.resolve("history")).build());
      }
      try (Dialogue server = builder.build().start()) {
        Result r = run(server.port(), connections, seconds);
        System.out.printf(
            "%-7s acked %,.0f events/s  ack latency p50 %.2f ms  p99 %.2f ms  errors %d%n",
            mode, r.perSecond, r.p50Millis, r.p99Millis, r.errors);
      }
    }
  }

  record Result(double perSecond, double p50Millis, double p99Millis, long errors) {}

  private static Result run(int port, int connections, double seconds) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    LongAdder acked = new LongAdder();
    LongAdder errors = new LongAdder();
    Recorder latency = new Recorder(3);
    AtomicBoolean measuring = new AtomicBoolean();
    AtomicBoolean running = new AtomicBoolean(true);
    List<Publisher> publishers = new ArrayList<>();
    for (int i = 0; i < connections; i++) {
      Publisher p = new Publisher(i, acked, errors, latency, measuring, running);
      http.newWebSocketBuilder()
          .buildAsync(
              URI.create("ws://127.0.0.1:" + port + "/socket.io/?EIO=4&transport=websocket"), p)
          .get(10, TimeUnit.SECONDS);
      publishers.add(p);
    }
    for (Publisher p : publishers) {
      p.joined.get(10, TimeUnit.SECONDS);
    }
    publishers.forEach(Publisher::next);
    TimeUnit.MILLISECONDS.sleep(1_000); // warm-up, not measured
    latency.reset();
    measuring.set(true);
    long start = System.nanoTime();
    long before = acked.sum();
    TimeUnit.MILLISECONDS.sleep((long) (seconds * 1000));
    long after = acked.sum();
    double elapsed = (System.nanoTime() - start) / 1e9;
    running.set(false);
    var histogram = latency.getIntervalHistogram();
    for (Publisher p : publishers) {
      p.ws.abort();
    }
    return new Result(
        (after - before) / elapsed,
        histogram.getValueAtPercentile(50) / 1e6,
        histogram.getValueAtPercentile(99) / 1e6,
        errors.sum());
  }

  /** One connection publishing in a closed loop over a raw Engine.IO 4 websocket. */
  private static final class Publisher implements WebSocket.Listener {
    final CompletableFuture<Void> joined = new CompletableFuture<>();
    private final int index;
    private final LongAdder acked;
    private final LongAdder errors;
    private final Recorder latency;
    private final AtomicBoolean measuring;
    private final AtomicBoolean running;
    private final StringBuilder partial = new StringBuilder();
    private WebSocket ws;
    private CompletableFuture<WebSocket> sending;
    private long ackId = 1;
    private long sentAt;

    Publisher(
        int index,
        LongAdder acked,
        LongAdder errors,
        Recorder latency,
        AtomicBoolean measuring,
        AtomicBoolean running) {
      this.index = index;
      this.acked = acked;
      this.errors = errors;
      this.latency = latency;
      this.measuring = measuring;
      this.running = running;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
      errors.increment();
      joined.completeExceptionally(error);
      System.err.println("p" + index + " error: " + error);
    }

    @Override
    public void onOpen(WebSocket webSocket) {
      this.ws = webSocket;
      this.sending = CompletableFuture.completedFuture(webSocket);
      webSocket.request(1);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        String frame = partial.toString();
        partial.setLength(0);
        onFrame(frame);
      }
      webSocket.request(1);
      return null;
    }

    private void onFrame(String frame) {
      if (Boolean.getBoolean("durable.trace")) {
        System.err.println("p" + index + " <- " + frame);
      }
      if (frame.startsWith("0{")) {
        send("40{\"userId\":\"p" + index + "\"}");
      } else if (frame.equals("2")) {
        send("3");
      } else if (frame.startsWith("40")) {
        send("420[\"dialogue:join\",{\"roomId\":\"notes\"}]");
      } else if (frame.startsWith("430[")) {
        joined.complete(null);
      } else if (frame.startsWith("43")) {
        if (frame.contains("\"ok\":true")) {
          if (measuring.get()) {
            latency.recordValue(System.nanoTime() - sentAt);
          }
          acked.increment();
        } else {
          errors.increment();
        }
        next();
      }
    }

    void next() {
      if (!running.get()) {
        return;
      }
      sentAt = System.nanoTime();
      send(
          "42"
              + ackId++
              + "[\"dialogue:trigger\",{\"roomId\":\"notes\",\"event\":\"note\",\"data\":{\"text\":\"hello from "
              + index
              + "\"}}]");
    }

    /** The JDK websocket allows one send at a time: chain them. */
    private synchronized void send(String text) {
      sending = sending.thenCompose(w -> w.sendText(text, true));
    }
  }
}
