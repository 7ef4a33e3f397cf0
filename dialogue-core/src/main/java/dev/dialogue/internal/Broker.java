package dev.dialogue.internal;

import com.fasterxml.jackson.databind.util.RawValue;
import dev.dialogue.DialogueException;
import dev.dialogue.EventMessage;
import dev.dialogue.HistoryStore;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Where rooms' events are numbered, kept and read back: the seam scale-out plugs into (the model is
 * Centrifuge's {@code Broker}). Publishing assigns the offset in the room's epoch, appends to
 * durable history and hands the event back to this node's room once it may be shown, as one step
 * per event; a repeated {@code clientMessageId} is answered with the first one's outcome; a room's
 * history is read back after a position. Today's implementation is {@link MemoryBroker} (memory,
 * optionally written through to a {@link HistoryStore}); a shared one (Redis) would deliver the
 * events of other nodes to {@link Node} the same way.
 */
public interface Broker {
  /**
   * Opens a room's stream on this node. Whatever is published to it reaches {@code node} in offset
   * order, with {@code lock} held, so that the room's membership changes and deliveries keep one
   * order. A room continues where durable history says it stands (same epoch, next offset).
   */
  Stream open(String roomId, ReentrantLock lock, Node node);

  /** Whether events outlive the process (a store behind it). */
  boolean durable();

  /**
   * Whether rooms' streams keep history in this process's memory (counted against {@code
   * maxEventsInMemory}); a shared broker keeps it in the shared system instead.
   */
  default boolean keepsHistoryInMemory() {
    return true;
  }

  /**
   * The durable events of a room after {@code sinceOffset}, oldest first, at most {@code limit};
   * read before the room's lock is taken. Empty without durable history.
   */
  List<EventMessage> after(String roomId, long sinceOffset, int limit);

  /** A page of a room's durable history of one event name, {@code start}/{@code end} overall. */
  List<EventMessage> page(String roomId, String eventName, int start, int end);

  /** Forgets a deleted room's durable history (waited for, so a new room starts clean). */
  void deleteRoom(String roomId);

  /**
   * The outcome of an earlier trigger with the same {@code clientMessageId} from the same user, or
   * null when this one is the first (then {@code mine} holds the claim until completed or
   * released).
   */
  Idempotency.First earlier(
      String roomId,
      String userId,
      String clientMessageId,
      CompletableFuture<Idempotency.First> mine);

  /** The first trigger in {@code roomId} with this id, as remembered, or null; claims nothing. */
  Idempotency.First published(String roomId, String userId, String clientMessageId);

  /** Releases a claim: the first trigger was not published or not stored; a repeat may try. */
  void release(String userId, String clientMessageId, CompletableFuture<Idempotency.First> mine);

  /**
   * Presence shared by every node (one user's connections counted across them), or null for this
   * process's own.
   */
  default PresenceStore presence() {
    return null;
  }

  /**
   * Where every node's connections are, so that server code reaches a user's connections on any
   * node ({@code clients(userId)}, {@code isInRoom}, sending, disconnecting); null for one process.
   */
  default Directory directory() {
    return null;
  }

  /** Flushes and closes durable history after the last delivery. */
  void close();

  /**
   * What a scale-out module's {@link dev.dialogue.BrokerProvider} also implements: it makes the
   * broker of one server, when the server is built; {@link #close} is called by {@code stop()}.
   */
  interface Factory {
    Broker open(Server server);
  }

  /**
   * The connections of every node. This node reports its own (never blocking: the reports may be
   * sent later, in order); the others are read back and reached through their node.
   */
  interface Directory {
    /** A connection of this node is open, in {@code rooms}, or in other rooms now. */
    void update(String userId, String connectionId, java.util.Set<String> rooms);

    /** A connection of this node is gone. */
    void removed(String userId, String connectionId);

    /** The user's connections on the other nodes (live ones), as last reported. */
    List<Remote> elsewhere(String userId);

    /** Asks the connection's node to act on it, as {@link dev.dialogue.ClientConnection} would. */
    void act(Remote connection, Action action);
  }

  /** A connection on another node, as its node last reported it. */
  record Remote(String node, String connectionId, String userId, java.util.Set<String> rooms) {}

  /** What server code asks of a connection on another node. */
  record Action(
      String op, String roomId, String eventName, com.fasterxml.jackson.databind.JsonNode data) {}

  /** What a broker needs of the server it serves. */
  interface Server {
    /** This node's connection with that id, or null. */
    default dev.dialogue.ClientConnection connection(String connectionId) {
      return null;
    }

    /** The history settings: the store, recovery and idempotency limits. */
    Settings.HistorySettings history();

    /** The executor (never an event loop), clock and logger. */
    Settings.RuntimeSettings runtime();
  }

  /** This node's side of a room: delivers what the stream shows, under the room's lock. */
  interface Node {
    /** Delivers {@code event} (encoded as {@code payload}) to the subscribed members; the count. */
    int deliver(EventMessage event, RawValue payload);

    /** Events of one name that left the room's memory history, in order. */
    void evicted(String eventName, List<EventMessage> events);

    /** Whether the room has members on this node (called with the room's lock held). */
    boolean hasMembers();

    /**
     * Tells this node's members that users came ({@code joins}) or left ({@code leaves}) the room,
     * as a shared {@link PresenceStore} reports it (called with the room's lock held).
     */
    void presence(List<String> joins, List<String> leaves);
  }

  /**
   * One room's stream on this node. Every method is called with the room's lock held (the one given
   * to {@link #open}).
   */
  interface Stream {
    /**
     * Called before a join takes the room's lock, on the joining request's thread (never an event
     * loop): a shared broker makes sure this node receives the room's events from here on and that
     * {@link #epoch()} and {@link #offset()} are current. Nothing to do for one process.
     */
    default void warm() {}

    String epoch();

    /**
     * At admission to a room with a {@code maxSize} (with the lock held): takes a seat for the
     * connection, or answers false when the room is full. A shared broker counts the seats of every
     * node, atomically.
     *
     * @param members the room's members on this node
     */
    default boolean seat(String connectionId, int maxSize, int members) {
      return members < maxSize;
    }

    /** The connection left a room with a {@code maxSize} (with the lock held): its seat is free. */
    default void unseat(String connectionId) {}

    /** The last offset shown to anyone (events waiting for their commit are not). */
    long offset();

    /**
     * Publishes: assigns the next offset when {@code historyLimit > 0}, appends to durable history,
     * and shows the event to the {@link Node} once it and every earlier one may be shown.
     */
    Delivery publish(EventMessage message, int historyLimit);

    /** Fails every event still waiting with {@code gone} and empties memory history. */
    Map<String, List<EventMessage>> delete(DialogueException gone);

    /** Memory history: the events with an offset above {@code afterOffset}, oldest first. */
    List<EventMessage> after(long afterOffset);

    /** Memory history: the newest {@code limit} events of all names. */
    List<EventMessage> newest(int limit);

    /** Memory history: a page of one name, {@code start}/{@code end} from the newest. */
    List<EventMessage> page(String eventName, int start, int end);

    /** Memory history: how many events of one name it holds. */
    int count(String eventName);

    /** Drops the oldest {@code count} events from memory history; returns them by name. */
    Map<String, List<EventMessage>> trimOldest(int count);

    /** Everything in memory history, removed. */
    Map<String, List<EventMessage>> drain();
  }

  /**
   * One publication.
   *
   * @param shown completes once the event has been shown (at once in memory; after the commit with
   *     a store), or exceptionally when storing failed or the room went away first
   */
  record Delivery(EventMessage message, CompletableFuture<Shown> shown) {}

  /** What showing an event did: how many received it, and what left memory history for it. */
  record Shown(int recipients, List<EventMessage> evicted) {}
}
