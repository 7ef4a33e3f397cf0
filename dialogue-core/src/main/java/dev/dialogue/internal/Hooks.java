package dev.dialogue.internal;

import dev.dialogue.AuthResult;
import dev.dialogue.Authenticator;
import dev.dialogue.DialogueException;
import dev.dialogue.DialogueListener;
import dev.dialogue.DialogueObserver;
import dev.dialogue.ErrorCode;
import dev.dialogue.EventDecision;
import dev.dialogue.EventInterceptor;
import dev.dialogue.EventMessage;
import dev.dialogue.Handshake;
import dev.dialogue.HistoryCleanup;
import dev.dialogue.HistoryLoader;
import dev.dialogue.Room;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;

/**
 * Calls user hooks safely: every exception is caught and logged with the hook's name; where a peer
 * waits for an answer, the failure becomes {@code INTERNAL_ERROR}.
 */
public final class Hooks {
  static final int CLEANUP_ATTEMPTS = 3;

  private final Settings.HookSettings hooks;
  private final Logger log;
  private final DialogueObserver observer;

  /** Whether hooks are timed: only for an observer, so that an unobserved server reads no clock. */
  private final boolean timed;

  Hooks(Settings.HookSettings hooks, Logger log, DialogueObserver observer) {
    this.hooks = hooks;
    this.log = log;
    this.observer = observer;
    this.timed = observer != DialogueObserver.NONE;
  }

  private long begin() {
    return timed ? System.nanoTime() : 0;
  }

  private void end(String hookName, long began) {
    if (timed) {
      observer.onHook(hookName, System.nanoTime() - began);
    }
  }

  @FunctionalInterface
  interface ListenerCall {
    void call(DialogueListener listener) throws Exception;
  }

  @FunctionalInterface
  interface HookCall<T> {
    T call() throws Exception;
  }

  /** Runs a hook whose answer a peer waits for; a failure becomes INTERNAL_ERROR. */
  <T> T answer(String hookName, HookCall<T> call) {
    long began = begin();
    try {
      T result = call.call();
      end(hookName, began);
      if (result == null) {
        throw new IllegalStateException(hookName + " returned null");
      }
      return result;
    } catch (Exception | Error e) {
      if (e instanceof DialogueException de) {
        throw de;
      }
      log.error("Hook {} failed", hookName, e);
      throw new DialogueException(ErrorCode.INTERNAL_ERROR, "Internal error", e);
    }
  }

  /** Runs a notification hook; a failure is logged and otherwise ignored. */
  void notify(String hookName, ListenerCall call) {
    for (DialogueListener listener : hooks.listeners()) {
      long began = begin();
      try {
        call.call(listener);
      } catch (Exception | Error e) {
        log.error("Listener {}.{} failed", listener.getClass().getName(), hookName, e);
      }
      end(hookName, began);
    }
  }

  /**
   * Authenticates a handshake. Without an authenticator: development mode, where {@code
   * auth.userId} (a string) is the user id and the other keys but {@code token} become meta.
   */
  public Identity authenticate(Handshake handshake) {
    Authenticator authenticator = hooks.authenticator();
    if (authenticator == null) {
      String userId = handshake.authString("userId");
      if (userId == null || userId.isBlank()) {
        userId = Ids.anonymousUser();
      }
      Map<String, Object> meta = new HashMap<>(handshake.auth());
      meta.remove("userId");
      meta.remove("token");
      // Most clients send no other keys: no empty map per connection then.
      return Identity.accepted(
          userId,
          Map.of(),
          meta.isEmpty() ? Map.of() : java.util.Collections.unmodifiableMap(meta));
    }
    long began = begin();
    try {
      AuthResult result = authenticator.authenticate(handshake);
      end("authenticator", began);
      if (result == null) {
        throw new IllegalStateException("authenticator returned null");
      }
      return result.accepted()
          ? Identity.accepted(result.userId(), result.claims(), Map.of())
          : Identity.rejected(result.reason());
    } catch (Exception | Error e) {
      log.error("Hook authenticator failed", e);
      return Identity.rejected("Authentication failed");
    }
  }

  EventDecision beforeEach(Room room, EventMessage message) {
    EventMessage current = message;
    for (EventInterceptor interceptor : hooks.interceptors()) {
      EventMessage in = current;
      EventDecision decision =
          answer("interceptor.beforeEach", () -> interceptor.beforeEach(room, in));
      if (!decision.proceeds()) {
        return decision;
      }
      current = decision.message();
    }
    return EventDecision.proceed(current);
  }

  /** Whether any listener or interceptor wants to hear of delivered events. */
  boolean observesDeliveries() {
    return !hooks.listeners().isEmpty() || !hooks.interceptors().isEmpty();
  }

  void afterEach(Room room, EventMessage message, int recipients) {
    for (EventInterceptor interceptor : hooks.interceptors()) {
      try {
        interceptor.afterEach(room, message, recipients);
      } catch (Exception | Error e) {
        log.error("Hook interceptor.afterEach failed", e);
      }
    }
  }

  /**
   * Hands events that leave memory to the cleanup hook on the room's cleanup executor, one
   * hand-over at a time and in the order they left, retrying a failure; events that still cannot be
   * handed over are logged as lost with their ids.
   */
  void cleanupAsync(
      Room room, SerialExecutor cleanups, String eventName, List<EventMessage> events) {
    if (events.isEmpty() || hooks.historyCleanup() == null) {
      return;
    }
    try {
      cleanups.execute(() -> cleanupNow(room.id(), eventName, events));
    } catch (java.util.concurrent.RejectedExecutionException e) {
      cleanupNow(room.id(), eventName, events); // The executor is shut down: hand them over here.
    }
  }

  void cleanupNow(String roomId, String eventName, List<EventMessage> events) {
    HistoryCleanup cleanup = hooks.historyCleanup();
    if (events.isEmpty() || cleanup == null) {
      return;
    }
    for (int attempt = 1; attempt <= CLEANUP_ATTEMPTS; attempt++) {
      try {
        cleanup.onCleanup(roomId, eventName, events);
        return;
      } catch (Exception | Error e) {
        log.warn(
            "Hook historyCleanup failed for room '{}' event '{}' ({} events), attempt {} of {}",
            roomId,
            eventName,
            events.size(),
            attempt,
            CLEANUP_ATTEMPTS,
            e);
      }
    }
    log.error(
        "History cleanup gave up for room '{}' event '{}': {} events lost, ids {}",
        roomId,
        eventName,
        events.size(),
        events.stream().map(EventMessage::id).toList());
  }

  /** Older history from the load hook; a failure is logged and yields nothing. */
  List<EventMessage> load(String roomId, String eventName, int start, int end) {
    HistoryLoader loader = hooks.historyLoader();
    if (loader == null || end <= start) {
      return List.of();
    }
    try {
      List<EventMessage> loaded = loader.onLoad(roomId, eventName, start, end);
      return loaded == null ? List.of() : loaded;
    } catch (Exception | Error e) {
      log.error(
          "Hook historyLoader failed for room '{}' event '{}' [{}, {})",
          roomId,
          eventName,
          start,
          end,
          e);
      return List.of();
    }
  }

  /** Who a connection is, or why it was refused. */
  public record Identity(
      String userId, Map<String, Object> claims, Map<String, Object> meta, String reason) {
    public static Identity accepted(
        String userId, Map<String, Object> claims, Map<String, Object> meta) {
      return new Identity(userId, claims, meta, null);
    }

    static Identity rejected(String reason) {
      return new Identity(null, Map.of(), Map.of(), reason);
    }

    public boolean accepted() {
      return userId != null;
    }
  }
}
