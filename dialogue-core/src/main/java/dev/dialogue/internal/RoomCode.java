package dev.dialogue.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dialogue.EventHandler;
import dev.dialogue.Registration;
import dev.dialogue.Room;
import dev.dialogue.RoomConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;

/**
 * The application's side of one room: its event handlers, the interceptors added at runtime, its
 * attributes, and the serial executors its code runs on (the room's tasks, the cleanup hand-overs).
 * None of it is guarded by the room's lock: the room only hands tasks over to {@link #serial} under
 * it ({@link RoomState#deliver(dev.dialogue.EventMessage, int, java.util.function.BiConsumer)}).
 */
final class RoomCode {
  private final RoomConfig config;

  /** Runs this room's cleanup hand-overs one at a time, in the order events left memory. */
  final SerialExecutor cleanups;

  /**
   * The room's serial executor, like an actor's mailbox: the application's code for this room (its
   * event handlers, {@code onTriggered} and {@code afterEach} for its events, its command handlers,
   * {@code onJoined} and {@code onLeft}) runs here one task at a time, in the room's order, on the
   * hook executor; different rooms' tasks run in parallel.
   */
  final SerialExecutor serial;

  private final Map<String, List<EventHandler<JsonNode>>> handlers = new ConcurrentHashMap<>();

  /** Interceptors added at runtime ({@link Room#intercept}), by event name. */
  private final Map<String, List<RoomConfig.Interception<?>>> interceptions =
      new ConcurrentHashMap<>();

  /** The application's values on the room. */
  final AttributeMap attributes = new AttributeMap();

  /** Tasks scheduled with {@link Room#schedule} that have not run or been cancelled yet. */
  private final Set<Scheduled> scheduled = ConcurrentHashMap.newKeySet();

  /** Set once the room is deleted: nothing scheduled runs from then on. */
  private volatile boolean closed;

  private final org.slf4j.Logger log;

  RoomCode(RoomConfig config, Settings.RuntimeSettings runtime) {
    this.config = config;
    this.log = runtime.logger();
    this.cleanups = new SerialExecutor(runtime.executor(), runtime.logger());
    this.serial = new SerialExecutor(runtime.executor(), runtime.logger());
  }

  /**
   * Runs {@code task} on the room's {@link #serial} executor (here, when the server is stopping and
   * the executor takes no more); the result completes once it ran.
   */
  CompletableFuture<Void> runSerially(Runnable task) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    Runnable once =
        () -> {
          try {
            task.run();
          } finally {
            done.complete(null);
          }
        };
    try {
      serial.execute(once);
    } catch (RejectedExecutionException stopping) {
      once.run();
    }
    return done;
  }

  /**
   * Runs application code on the room's {@link #serial} executor; the result completes once it ran,
   * exceptionally with what it threw, or at once with the rejection once the server stopped.
   */
  CompletableFuture<Void> submit(Runnable task) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    try {
      serial.execute(
          () -> {
            try {
              task.run();
              done.complete(null);
            } catch (RuntimeException | Error e) {
              done.completeExceptionally(e);
            }
          });
    } catch (RejectedExecutionException stopping) {
      done.completeExceptionally(stopping);
    }
    return done;
  }

  // ---- scheduled tasks ----

  /** A task of {@link Room#schedule}: due on the server's clock, run on {@link #serial}. */
  private final class Scheduled implements Registration {
    private final Runnable task;
    private final String roomId;
    private volatile boolean cancelled;
    private volatile Deadlines.Handle handle;

    Scheduled(Runnable task, String roomId) {
      this.task = task;
      this.roomId = roomId;
    }

    /** On the deadlines thread: hands the task to the room's serial executor. */
    void due() {
      if (cancelled || closed) {
        return;
      }
      try {
        serial.execute(this::run);
      } catch (RejectedExecutionException stopping) {
        scheduled.remove(this); // the server is stopping: it does not run
      }
    }

    /** On the room's serial executor. */
    private void run() {
      if (!scheduled.remove(this) || cancelled || closed) {
        return;
      }
      try {
        task.run();
      } catch (RuntimeException | Error e) {
        log.warn("A task scheduled in room '{}' failed", roomId, e);
      }
    }

    @Override
    public void close() {
      cancelled = true;
      scheduled.remove(this);
      Deadlines.Handle h = handle;
      if (h != null) {
        h.cancel();
      }
    }
  }

  Registration schedule(Deadlines deadlines, long dueMillis, Runnable task, String roomId) {
    Scheduled s = new Scheduled(task, roomId);
    if (closed) {
      return s;
    }
    scheduled.add(s);
    s.handle = deadlines.at(dueMillis, s::due);
    if (closed || s.cancelled) {
      s.close();
    }
    return s;
  }

  /** The room was deleted: cancels every scheduled task, and any scheduled later. */
  void cancelScheduled() {
    closed = true;
    for (Scheduled s : List.copyOf(scheduled)) {
      s.close();
    }
  }

  // ---- handlers ----

  Registration addHandler(String eventName, EventHandler<JsonNode> handler) {
    List<EventHandler<JsonNode>> list =
        handlers.computeIfAbsent(eventName, k -> new CopyOnWriteArrayList<>());
    list.add(handler);
    return () -> list.remove(handler);
  }

  List<EventHandler<JsonNode>> handlers(String eventName) {
    return handlers.getOrDefault(eventName, List.of());
  }

  // ---- interceptors ----

  Registration addInterception(RoomConfig.Interception<?> interception) {
    List<RoomConfig.Interception<?>> list =
        interceptions.computeIfAbsent(
            interception.event().name(), k -> new CopyOnWriteArrayList<>());
    list.add(interception);
    return () -> list.remove(interception);
  }

  /** The configuration's interceptors of {@code eventName}, then those added at runtime. */
  List<RoomConfig.Interception<?>> interceptions(String eventName) {
    List<RoomConfig.Interception<?>> configured = config.interceptions(eventName);
    List<RoomConfig.Interception<?>> added = interceptions.get(eventName);
    if (added == null || added.isEmpty()) {
      return configured;
    }
    List<RoomConfig.Interception<?>> all = new ArrayList<>(configured);
    all.addAll(added);
    return all;
  }
}
