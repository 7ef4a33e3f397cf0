package dev.dialogue;

import dev.dialogue.internal.Broker;

/**
 * Makes the broker a server numbers, keeps and fans out its rooms' events through, given to {@link
 * Dialogue.Builder#broker(BrokerProvider)}. Applications do not implement it: a scale-out module
 * does ({@code dev.dialogue.redis.RedisBroker} in {@code dialogue-redis}), so that several servers
 * share their rooms. The broker it returns is an engine type ({@code dev.dialogue.internal}), which
 * may change between releases together with the modules that implement it.
 */
public interface BrokerProvider {
  /**
   * The broker of one server, made when the server is built and closed by {@link Dialogue#stop()}.
   *
   * @param server what the broker needs of the server (its history settings, executor, clock)
   */
  Broker open(Broker.Server server);
}
