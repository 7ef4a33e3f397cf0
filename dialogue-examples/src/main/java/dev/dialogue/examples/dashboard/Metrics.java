package dev.dialogue.examples.dashboard;

import dev.dialogue.Dialogue;
import dev.dialogue.DialogueStats;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryUsage;
import java.lang.management.OperatingSystemMXBean;
import java.time.Clock;
import java.util.List;

/**
 * Takes one {@link DashboardEvents.Stats} per tick: the server's traffic from {@link
 * Dialogue#stats()} (rates from the difference to the previous tick, totals since the reset), the
 * JVM from {@code java.lang.management}, the orders feed and the talkers. Not thread-safe: the
 * server calls it under one lock (the ticker's samples, the admin's resets).
 */
final class Metrics {
  private static final double MIB = 1024.0 * 1024.0;

  private final Dialogue dialogue;
  private final OrdersFeed orders;
  private final Talkers talkers;
  private final Clock clock;
  private final long started;
  private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
  private final List<GarbageCollectorMXBean> collectors =
      ManagementFactory.getGarbageCollectorMXBeans();
  private final OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();

  private long seq;
  private long resetAt;
  private DialogueStats previous;
  private long previousNanos;
  private DialogueStats baseline;
  private long gcCountBaseline;
  private long gcTimeBaseline;

  Metrics(Dialogue dialogue, OrdersFeed orders, Talkers talkers, Clock clock) {
    this.dialogue = dialogue;
    this.orders = orders;
    this.talkers = talkers;
    this.clock = clock;
    this.started = clock.millis();
    reset();
  }

  DashboardEvents.Stats sample() {
    DialogueStats now = dialogue.stats();
    long nanos = System.nanoTime();
    double seconds = Math.max(1e-3, (nanos - previousNanos) / 1e9);
    double in = (now.eventsPublished() - previous.eventsPublished()) / seconds;
    double out = (now.eventsDelivered() - previous.eventsDelivered()) / seconds;
    previous = now;
    previousNanos = nanos;
    long time = clock.millis();
    return new DashboardEvents.Stats(
        ++seq,
        time,
        time - started,
        resetAt,
        now.connections(),
        now.rooms(),
        round(in),
        round(out),
        now.eventsPublished() - baseline.eventsPublished(),
        now.eventsDelivered() - baseline.eventsDelivered(),
        latency(now.deliveryLatency()),
        jvm(),
        orders.next(),
        talkers.top(5));
  }

  /** Totals start again from now: events, collections, orders, talkers. */
  void reset() {
    DialogueStats now = dialogue.stats();
    previous = now;
    previousNanos = System.nanoTime();
    baseline = now;
    gcCountBaseline = gcCount();
    gcTimeBaseline = gcTime();
    orders.reset();
    talkers.reset();
    resetAt = clock.millis();
  }

  long resetAt() {
    return resetAt;
  }

  private static DashboardEvents.Latency latency(DialogueStats.Latency latency) {
    return new DashboardEvents.Latency(
        millis(latency.p50()),
        millis(latency.p90()),
        millis(latency.p99()),
        millis(latency.max()),
        latency.count());
  }

  private DashboardEvents.Jvm jvm() {
    MemoryUsage heap = memory.getHeapMemoryUsage();
    MemoryUsage nonHeap = memory.getNonHeapMemoryUsage();
    double cpu = -1;
    if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
      cpu = sun.getProcessCpuLoad();
    }
    return new DashboardEvents.Jvm(
        round(heap.getUsed() / MIB),
        round(heap.getCommitted() / MIB),
        round((heap.getMax() < 0 ? heap.getCommitted() : heap.getMax()) / MIB),
        round(nonHeap.getUsed() / MIB),
        gcCount() - gcCountBaseline,
        gcTime() - gcTimeBaseline,
        ManagementFactory.getThreadMXBean().getThreadCount(),
        cpu < 0 ? -1 : round(cpu * 100));
  }

  private long gcCount() {
    return collectors.stream().mapToLong(c -> Math.max(0, c.getCollectionCount())).sum();
  }

  private long gcTime() {
    return collectors.stream().mapToLong(c -> Math.max(0, c.getCollectionTime())).sum();
  }

  private static double millis(java.time.Duration d) {
    return round(d.toNanos() / 1e6);
  }

  private static double round(double value) {
    return Math.round(value * 100) / 100.0;
  }
}
