package dev.dialogue.examples.chat;

import dev.dialogue.CommandException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The limits on sending: a banned or muted user is refused, slow mode spaces one user's messages in
 * a channel, and a per-user rate limit caps bursts everywhere. Each refusal is a {@link
 * CommandException} whose code and data the UI shows ({@code MUTED} with {@code until}, {@code
 * SLOW_MODE} and {@code TOO_FAST} with {@code retryAfterMs}).
 */
final class Moderation {
  static final int RATE_LIMIT = 20;
  static final Duration RATE_WINDOW = Duration.ofSeconds(10);

  private final Clock clock;
  private final Map<String, Deque<Long>> recent = new ConcurrentHashMap<>();
  private final Map<String, Long> lastInChannel = new ConcurrentHashMap<>();

  Moderation(Clock clock) {
    this.clock = clock;
  }

  /**
   * Checks that {@code user} may send in the channel now and, if so, counts the message.
   *
   * @param exempt moderators and owners are not slowed down
   */
  void admit(Accounts.User user, Directory.Channel channel, boolean exempt) {
    long now = clock.millis();
    if (user.banned()) {
      throw new CommandException("BANNED", "You are banned from this workspace");
    }
    if (user.mutedUntil() > now) {
      throw new CommandException(
          "MUTED", "You are muted for now", Map.of("until", user.mutedUntil()));
    }
    String slowKey = channel.id() + "\n" + user.id();
    if (channel.slowModeSeconds() > 0 && !exempt) {
      Long last = lastInChannel.get(slowKey);
      long wait = last == null ? 0 : last + channel.slowModeSeconds() * 1000L - now;
      if (wait > 0) {
        throw new CommandException(
            "SLOW_MODE",
            "Slow mode: one message every " + channel.slowModeSeconds() + " s in this channel",
            Map.of("retryAfterMs", wait));
      }
    }
    Deque<Long> times = recent.computeIfAbsent(user.id(), k -> new ArrayDeque<>());
    synchronized (times) {
      long windowStart = now - RATE_WINDOW.toMillis();
      while (!times.isEmpty() && times.peekFirst() <= windowStart) {
        times.pollFirst();
      }
      if (times.size() >= RATE_LIMIT) {
        long wait = times.peekFirst() + RATE_WINDOW.toMillis() - now;
        throw new CommandException(
            "TOO_FAST",
            "Too many messages: at most " + RATE_LIMIT + " in " + RATE_WINDOW.toSeconds() + " s",
            Map.of("retryAfterMs", Math.max(1, wait)));
      }
      times.addLast(now);
    }
    lastInChannel.put(slowKey, now);
  }
}
