package dev.dialogue.client;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * A {@link DialogueClient.Builder}'s settings, copied at {@code build()}: changing the builder
 * afterwards does not change a client built from it. Read by the client's parts.
 *
 * @param callbackExecutor the application's, or null for one the client owns
 */
record ClientSettings(
    String url,
    String path,
    Supplier<Map<String, String>> auth,
    Executor callbackExecutor,
    Duration requestTimeout,
    Duration connectTimeout,
    boolean reconnect,
    Duration reconnectDelay,
    Duration reconnectDelayMax,
    double jitter,
    List<String> transports,
    OfflineQueue offlineQueue,
    Duration triggerDeadline,
    int maxTriggersInFlight) {

  ClientSettings {
    transports = List.copyOf(transports);
  }
}
