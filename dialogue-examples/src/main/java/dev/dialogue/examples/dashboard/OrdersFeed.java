package dev.dialogue.examples.dashboard;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The simulated business feed: orders per second by region, from a seeded {@link Random} (the same
 * seed gives the same numbers), with a daily-looking swell and the odd burst. Not thread-safe: the
 * ticker calls it.
 */
final class OrdersFeed {
  static final List<String> REGIONS = List.of("EU", "NA", "APAC", "LATAM", "MEA");
  private static final double[] BASE = {42, 55, 31, 12, 7};
  private static final double AVERAGE_ORDER = 38.5;

  private final Random random;
  private final Map<String, Long> total = new LinkedHashMap<>();
  private double revenue;
  private long ticks;

  OrdersFeed(long seed) {
    this.random = new Random(seed);
    reset();
  }

  /** One tick's orders. */
  DashboardEvents.Orders next() {
    ticks++;
    double swell = 1 + 0.35 * Math.sin(ticks / 30.0);
    Map<String, Integer> now = new LinkedHashMap<>();
    for (int i = 0; i < REGIONS.size(); i++) {
      double mean = BASE[i] * swell * (random.nextInt(40) == 0 ? 2.5 : 1);
      int orders = Math.max(0, (int) Math.round(mean + random.nextGaussian() * Math.sqrt(mean)));
      now.put(REGIONS.get(i), orders);
      total.merge(REGIONS.get(i), (long) orders, Long::sum);
      revenue += orders * AVERAGE_ORDER * (0.8 + 0.4 * random.nextDouble());
    }
    long all = total.values().stream().mapToLong(Long::longValue).sum();
    return new DashboardEvents.Orders(
        Map.copyOf(now), Map.copyOf(total), all, Math.round(revenue * 100) / 100.0);
  }

  /** A number for the simulated lobby chatter: 0 to {@code bound - 1}. */
  int nextInt(int bound) {
    return random.nextInt(bound);
  }

  void reset() {
    for (String region : REGIONS) {
      total.put(region, 0L);
    }
    revenue = 0;
  }
}
