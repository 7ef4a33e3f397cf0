package dev.dialogue.internal;

import com.fasterxml.jackson.databind.util.RawValue;
import dev.dialogue.DialogueException;
import dev.dialogue.EventMessage;
import dev.dialogue.Room;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.function.ToIntBiFunction;

/**
 * A room's stream of events on this node ({@link Broker.Stream}: offsets, memory history, events
 * waiting for their commit) and this node's side of it ({@link Broker.Node}): publishing, the
 * fan-out of what the stream shows to the room's members ({@link Roster}), the hand-over of what
 * left memory to the cleanup hook, and reads of memory history. The stream is only touched under
 * the room's lock: {@link RoomState} holds it when it publishes, the reads here take it.
 */
final class RoomEvents implements Broker.Node {
  private final ReentrantLock lock;
  private final ToIntBiFunction<EventMessage, RawValue> fanOut;
  private final BooleanSupplier hasMembers;
  private final BiConsumer<List<String>, List<String>> presence;
  private final RoomCode code;
  private final Hooks hooks;
  private final Room face;
  private final Broker.Stream stream;

  /**
   * @param fanOut delivers an event to the room's subscribed members ({@link Roster#deliver}); the
   *     number it reached
   * @param hasMembers whether the room has members on this node, asked under the lock
   * @param presence sends a presence diff to the room's members ({@link Roster#broadcastPresence})
   */
  RoomEvents(
      String roomId,
      ReentrantLock lock,
      Broker broker,
      ToIntBiFunction<EventMessage, RawValue> fanOut,
      BooleanSupplier hasMembers,
      BiConsumer<List<String>, List<String>> presence,
      RoomCode code,
      Hooks hooks,
      Room face) {
    this.lock = lock;
    this.fanOut = fanOut;
    this.hasMembers = hasMembers;
    this.presence = presence;
    this.code = code;
    this.hooks = hooks;
    this.face = face;
    this.stream = broker.open(roomId, lock, this);
  }

  String epoch() {
    return stream.epoch();
  }

  /** The last offset shown to anyone. */
  long offset() {
    return locked(stream::offset);
  }

  /**
   * Under the lock: publishes to the stream, then hands {@code after} (if any) to the room's {@link
   * RoomCode#serial} executor once the event is shown (see {@link RoomState#deliver(EventMessage,
   * int, BiConsumer)}).
   */
  Broker.Delivery publish(
      EventMessage message, int historyLimit, BiConsumer<EventMessage, Broker.Shown> after) {
    Broker.Delivery delivery = stream.publish(message, historyLimit);
    if (after != null) {
      EventMessage shownEvent = delivery.message();
      CompletableFuture<Broker.Shown> shown = delivery.shown();
      if (!shown.isDone()) {
        // Completed under the lock too (in offset order), which hands the task over.
        shown.thenAcceptAsync(s -> after.accept(shownEvent, s), code.serial);
      } else if (!shown.isCompletedExceptionally()) {
        Broker.Shown s = shown.join();
        code.serial.execute(() -> after.accept(shownEvent, s));
      }
    }
    return delivery;
  }

  /** Under the lock: the room is deleted; what waited fails with {@code reason}. The drained. */
  Map<String, List<EventMessage>> delete(DialogueException reason) {
    return stream.delete(reason);
  }

  /** Under the lock, from the stream: to the members subscribed to the event. */
  @Override
  public int deliver(EventMessage event, RawValue payload) {
    return fanOut.applyAsInt(event, payload);
  }

  @Override
  public boolean hasMembers() {
    return hasMembers.getAsBoolean();
  }

  @Override
  public void presence(List<String> joins, List<String> leaves) {
    presence.accept(joins, leaves);
  }

  /** Under the lock: a seat in a room with a {@code maxSize}, or false when it is full. */
  boolean seat(String connectionId, int maxSize, int members) {
    return stream.seat(connectionId, maxSize, members);
  }

  /** Under the lock: the seat of a connection that left. */
  void unseat(String connectionId) {
    stream.unseat(connectionId);
  }

  /** Before a join takes the lock: the stream is current on this node. */
  void warm() {
    stream.warm();
  }

  /** Under the lock, from the stream: in order to the cleanup hook. */
  @Override
  public void evicted(String eventName, List<EventMessage> events) {
    hooks.cleanupAsync(face, code.cleanups, eventName, events);
  }

  // ---- memory history ----

  /** A page of one name from memory, and how many of that name memory holds. */
  record MemoryPage(List<EventMessage> events, int inMemory) {}

  MemoryPage memoryPage(String eventName, int start, int end) {
    return locked(
        () -> new MemoryPage(stream.page(eventName, start, end), stream.count(eventName)));
  }

  /** The newest {@code limit} events of all names, for history sync on join (under the lock). */
  List<EventMessage> newest(int limit) {
    return locked(() -> stream.newest(limit));
  }

  /** The events in memory with an offset above {@code afterOffset}, oldest first. */
  List<EventMessage> after(long afterOffset) {
    return locked(() -> stream.after(afterOffset));
  }

  /**
   * Drops the oldest {@code count} events from memory (the memory budget); returns them by name.
   */
  Map<String, List<EventMessage>> trimOldest(int count) {
    return locked(() -> stream.trimOldest(count));
  }

  /** Everything still in memory, for a graceful stop. */
  Map<String, List<EventMessage>> drain() {
    return locked(stream::drain);
  }

  /** {@code read} under the room's lock. */
  private <T> T locked(Supplier<T> read) {
    lock.lock();
    try {
      return read.get();
    } finally {
      lock.unlock();
    }
  }
}
