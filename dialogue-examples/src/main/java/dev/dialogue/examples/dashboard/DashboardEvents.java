package dev.dialogue.examples.dashboard;

import dev.dialogue.CommandDefinition;
import dev.dialogue.EventDefinition;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import java.util.List;
import java.util.Map;

/** The dashboard's rooms, events and commands: the contract between the server and its page. */
public final class DashboardEvents {
  private DashboardEvents() {}

  /** The read-only room every viewer joins. */
  public static final String DASHBOARD_ROOM = "dashboard";

  /** A room where people (and the simulated bots) talk: the source of the top talkers. */
  public static final String LOBBY_ROOM = "lobby";

  /** The role claim of an admin's token. */
  public static final String ADMIN = "admin";

  /** The role claim of a viewer's token. */
  public static final String VIEWER = "viewer";

  /** One second of the server's and the business's life, pushed once per tick. */
  public record Stats(
      long seq,
      long time,
      long uptimeMs,
      long resetAt,
      int connections,
      int rooms,
      double eventsInPerSecond,
      double eventsOutPerSecond,
      long eventsIn,
      long eventsOut,
      Latency latency,
      Jvm jvm,
      Orders orders,
      List<RoomTalkers> talkers) {}

  /** Delivery latency in milliseconds over the library's window ({@code DialogueStats}). */
  public record Latency(double p50, double p90, double p99, double max, long samples) {}

  /** The JVM: memory in MiB, collections and their time since the last reset. */
  public record Jvm(
      double heapUsedMb,
      double heapCommittedMb,
      double heapMaxMb,
      double nonHeapUsedMb,
      long gcCount,
      long gcTimeMs,
      int threads,
      double cpuLoad) {}

  /** The simulated business feed: orders in the last tick and since the reset, by region. */
  public record Orders(
      Map<String, Integer> perSecond, Map<String, Long> total, long totalAll, double revenue) {}

  /** The busiest senders of one room since the reset, busiest first. */
  public record RoomTalkers(String roomId, List<Talker> top) {}

  public record Talker(String userId, long events) {}

  /** Something viewers should know: the counters were reset. */
  public record Notice(String text, String by, long at) {}

  /** A chat line in the lobby. */
  public record Chat(@NotBlank @Size(max = 500) String text) {}

  /** Latest-only: a slow viewer gets the newest numbers, never a backlog. */
  public static final EventDefinition<Stats> STATS =
      EventDefinition.builder("stats", Stats.class)
          .description("The server's and the business's numbers, once per second")
          .latestOnly()
          .build();

  public static final EventDefinition<Notice> NOTICE =
      EventDefinition.builder("notice", Notice.class).history(20).build();

  public static final EventDefinition<Chat> CHAT =
      EventDefinition.builder("chat", Chat.class).history(50).build();

  /** The admin's command. */
  public record ResetRequest(String reason) {}

  public record ResetResult(long resetAt, String by) {}

  public static final CommandDefinition<ResetRequest, ResetResult> RESET =
      CommandDefinition.builder("reset", ResetRequest.class, ResetResult.class)
          .description("Resets the dashboard's counters (admins only)")
          .build();
}
