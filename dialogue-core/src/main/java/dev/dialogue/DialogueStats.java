package dev.dialogue;

import java.time.Duration;

/**
 * A snapshot of a server's traffic, from {@link Dialogue#stats()}: for a dashboard, a health page
 * or a metrics exporter. The counters only grow (since the start); take two snapshots and divide
 * the difference by the time between them for a rate.
 *
 * @param connections the open connections
 * @param rooms the rooms that exist
 * @param eventsPublished the events published in rooms since the start, by clients and by server
 *     code (each once, however many recipients; refused triggers not counted)
 * @param eventsDelivered the deliveries of those events since the start: one per event and
 *     recipient connection it was queued to
 * @param deliveryLatency how long deliveries waited, over the last {@code latencyWindowSeconds}
 * @param latencyWindowSeconds the seconds {@code deliveryLatency} covers
 */
public record DialogueStats(
    int connections,
    int rooms,
    long eventsPublished,
    long eventsDelivered,
    Latency deliveryLatency,
    int latencyWindowSeconds) {

  /**
   * Delivery latency percentiles: the time from the moment a room hands an event to its recipients
   * (after validation, interceptors and, with a history store, its commit) to the moment its frame
   * is written to each recipient's socket on the recipient's event loop: the server's own queuing,
   * not the network. Measured for deliveries on WebSocket; percentiles are within about 19% (a
   * log-linear histogram), the maximum exact.
   *
   * @param count the deliveries measured
   * @param p50 the median, {@link Duration#ZERO} when none was measured
   * @param p90 the 90th percentile
   * @param p99 the 99th percentile
   * @param max the longest
   */
  public record Latency(long count, Duration p50, Duration p90, Duration p99, Duration max) {}
}
