package dev.dialogue;

/**
 * A shared broker for {@link Dialogue.Builder#broker(BrokerProvider)}, through which several
 * servers (nodes) number, keep and fan out the same rooms' events. Applications do not implement
 * it: a scale-out module makes it ({@code dev.dialogue.redis.RedisBroker} in {@code
 * dialogue-redis}); the engine side of it is not API and may change together with those modules.
 */
public interface BrokerProvider {}
