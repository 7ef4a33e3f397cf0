package dev.dialogue.bench;

import java.util.List;

/**
 * How big and how long each scenario runs. {@link #QUICK} proves the harness works in well under
 * two minutes and says nothing about speed; {@link #FULL} is as large as this 2-core machine and
 * its per-process limit of open files allow within about twenty-five minutes.
 */
record Plan(
    String name,
    List<Integer> fanoutSubscribers,
    int publishers,
    double fanoutStart,
    int roomsConnections,
    int roomSize,
    double roomsStart,
    double stepFactor,
    int maxSteps,
    double maxOffered,
    double warmSeconds,
    double stepSeconds,
    double at80Seconds,
    List<Integer> idleConnections,
    double idleWindowSeconds,
    int churnWorkers,
    double churnSeconds,
    int durableConnections,
    int durableWindow,
    double durableWarmSeconds,
    double durableSeconds) {

  static final Plan QUICK =
      new Plan(
          "quick",
          List.of(200),
          2,
          2_000,
          200,
          10,
          1_000,
          2,
          2,
          1e9,
          0.3,
          0.7,
          1,
          List.of(300),
          2,
          4,
          2,
          20,
          4,
          0.3,
          1);

  /**
   * Idle sizes include the 50,000, which runs only where the open-files limit allows it
   * ({@link #idleSizesWithin}): here the hard limit per process is 20,000 and cannot be raised
   * without privileges, and the generator and each server hold one socket per connection, so 19,000
   * is the largest that runs on this machine.
   */
  static final Plan FULL =
      new Plan(
          "full",
          List.of(1_000, 10_000),
          4,
          20_000,
          10_000,
          10,
          10_000,
          1.5,
          14,
          3_000_000,
          1.5,
          4,
          10,
          List.of(10_000, 19_000, 50_000),
          30,
          32,
          15,
          200,
          8,
          30,
          10);

  /** A step is sustained when this share of the offered deliveries arrived in its window ... */
  static final double SUSTAINED_SHARE = 0.97;

  /** ... and its p99 latency stayed under this (a queue that keeps growing breaks it). */
  static final double SUSTAINED_P99_MILLIS = 1_000;

  /**
   * The latency target: the report gives the highest rate each server delivered with its
   * p99 at most this, beside the maximum.
   */
  static final double LATENCY_TARGET_MILLIS = 50;

  /** Descriptors a process keeps beside its connections' sockets (jars, epoll, pipes, logs). */
  static final int OTHER_OPEN_FILES = 1_000;

  /**
   * The idle sizes that fit in {@code openFilesLimit} descriptors per process (the generator's and
   * the servers', which inherit it), keeping {@link #OTHER_OPEN_FILES} for everything else.
   */
  static List<Integer> idleSizesWithin(List<Integer> sizes, long openFilesLimit) {
    return sizes.stream().filter(n -> n + OTHER_OPEN_FILES <= openFilesLimit).toList();
  }

  /** A window may fall short of the share by at most one event's deliveries. */
  static final int SHORTFALL_EVENTS_ALLOWED = 1;

  /**
   * Sizes of the recovery storm (scenario 5), kept apart from the record's components.
   *
   * @param clients subscribers cut off and reconnected at once
   * @param events published, each acknowledged, while they are cut off: what each must recover
   * @param liveEvents published before the first cut and after each recovery, to check live
   *     delivery (and to give Socket.IO clients an offset to recover from)
   * @param rounds how many times the storm is repeated with the same clients
   * @param timeoutSeconds how long every client may take to recover, per round
   */
  record Storm(int clients, int events, int liveEvents, int rounds, int timeoutSeconds) {}

  static final Storm QUICK_STORM = new Storm(300, 100, 10, 2, 60);

  static final Storm FULL_STORM = new Storm(5_000, 100, 10, 3, 120);

  /**
   * Sizes of the chat scenario (the flagship chat example under a team's traffic).
   *
   * @param users simulated users, one connection each
   * @param channels public channels made for the run (beside the seeded #general and #random, which
   *     every sign-up joins)
   * @param channelsPerUser channels each user joins, chosen so that every channel gets the same
   *     number of members
   * @param messageIntervalSeconds mean time between two messages of one user (a typing notice comes
   *     before each)
   * @param readIntervalSeconds mean time between two {@code read.mark}s of one user
   * @param warmSeconds traffic before the measured window
   * @param seconds the measured window
   */
  record Chat(
      int users,
      int channels,
      int channelsPerUser,
      double messageIntervalSeconds,
      double readIntervalSeconds,
      double warmSeconds,
      double seconds) {}

  static final Chat QUICK_CHAT = new Chat(1_000, 50, 5, 20, 30, 5, 15);

  static final Chat FULL_CHAT = new Chat(1_000, 50, 5, 20, 30, 15, 60);

  /** The chat scenario's sizes for this plan. */
  Chat chat() {
    return name.equals(FULL.name) ? FULL_CHAT : QUICK_CHAT;
  }

  /**
   * How a rising-load ramp (scenarios 1 and 2) finds its maximum and holds 80% of it.
   *
   * @param refineSteps steps tried, after the first step that was not sustained, halfway (on a log
   *     scale) between it and the last sustained one: the ramp's factor alone leaves the maximum up
   *     to a whole factor too low
   * @param at80WarmShare share of the maximum held before the 80% run ...
   * @param at80WarmSeconds ... for this long, on the ramp's server once its backlog has drained, so
   *     that the measured window starts from a steady state
   * @param minEventsPerWindow a measured window lasts long enough for at least this many events: at
   *     10,000 subscribers a few events per second carry the whole rate, and one event more or less
   *     in a 4 s window moved the delivered share by 4%
   */
  record Ramp(
      int refineSteps, double at80WarmShare, double at80WarmSeconds, int minEventsPerWindow) {}

  static final Ramp QUICK_RAMP = new Ramp(1, 0.3, 0.3, 0);

  static final Ramp FULL_RAMP = new Ramp(2, 0.5, 8, 30);

  /** The ramp's settings for this plan. */
  Ramp ramp() {
    return name.equals(FULL.name) ? FULL_RAMP : QUICK_RAMP;
  }

  /** The recovery storm's sizes for this plan. */
  Storm storm() {
    return name.equals(FULL.name) ? FULL_STORM : QUICK_STORM;
  }

  /**
   * Sizes of the game scenario (the Four in a Row example under bot players).
   *
   * @param matches concurrent matches, two bot players (one connection each) in every one
   * @param lobbyWatchers more connections that only watch the lobby (as the page does before it
   *     plays), to see what the lobby's list costs
   * @param privateMatches whether the matches are private (off the lobby) or public (listed)
   * @param thinkMillis a bot's mean wait before each move and rematch (uniform in 0.5x..1.5x of
   *     it); 0 to move as soon as the state says it is its turn
   * @param turnSeconds the game's turn clock ({@code --turn-seconds}): running out loses the game
   * @param warmSeconds play before the measured window
   * @param seconds the measured window
   */
  record Game(
      int matches,
      int lobbyWatchers,
      boolean privateMatches,
      double thinkMillis,
      int turnSeconds,
      double warmSeconds,
      double seconds) {
    Game withThinkMillis(double millis) {
      return new Game(
          matches, lobbyWatchers, privateMatches, millis, turnSeconds, warmSeconds, seconds);
    }

    Game withLobbyWatchers(int n) {
      return new Game(matches, n, privateMatches, thinkMillis, turnSeconds, warmSeconds, seconds);
    }
  }

  static final Game QUICK_GAME = new Game(50, 2, false, 100, 30, 3, 10);

  static final Game FULL_GAME = new Game(500, 10, false, 250, 30, 15, 45);

  /** The game scenario's sizes for this plan. */
  Game game() {
    return name.equals(FULL.name) ? FULL_GAME : QUICK_GAME;
  }
}
