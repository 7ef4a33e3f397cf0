package dev.dialogue.internal;

import com.fasterxml.jackson.databind.util.RawValue;
import java.util.function.Function;

/**
 * One event on its way to one or more connections, in the engine's terms: a Socket.IO event name
 * and its JSON payload, encoded once. The engine adds it to each recipient's {@link Session}, then
 * {@link #send sends} it. The transport turns it into what it writes (a WebSocket frame, say) once
 * for all recipients, the first time one of its sessions takes the event ({@link #encoding}), and
 * {@link #send} hands that over. Used by one thread at a time.
 */
public final class OutboundEvent {
  /** What a transport makes of an event, once for all its recipients. */
  public interface Encoding {
    /** Writes the event to every recipient added to it; called once. */
    void send();
  }

  private final String name;
  private final RawValue payload;
  private final int expectedRecipients;
  private final String latestKey;
  private final boolean droppable;
  private final long createdNanos = System.nanoTime();
  private Encoding encoding;

  /**
   * @param expectedRecipients about how many connections it goes to (a room's size), so that the
   *     transport can size its lists of recipients once
   */
  public OutboundEvent(String name, RawValue payload, int expectedRecipients) {
    this(name, payload, expectedRecipients, null);
  }

  /**
   * @param latestKey for a latest-only event ({@link dev.dialogue.EventDefinition#latestOnly()}),
   *     what identifies its kind per connection (room and event name): while an event with the same
   *     key still waits to be written to a connection, this one replaces it; null for every other
   *     event
   */
  public OutboundEvent(String name, RawValue payload, int expectedRecipients, String latestKey) {
    this(name, payload, expectedRecipients, latestKey, false);
  }

  private OutboundEvent(
      String name, RawValue payload, int expectedRecipients, String latestKey, boolean droppable) {
    this.name = name;
    this.payload = payload;
    this.expectedRecipients = Math.max(1, expectedRecipients);
    this.latestKey = latestKey;
    this.droppable = droppable;
  }

  /**
   * A volatile event ({@link dev.dialogue.EventDefinition.Delivery#VOLATILE}): the transport drops
   * it for a connection that is behind instead of queuing it.
   */
  public static OutboundEvent droppable(String name, RawValue payload, int expectedRecipients) {
    return new OutboundEvent(name, payload, expectedRecipients, null, true);
  }

  /** An event for one connection. */
  public OutboundEvent(String name, RawValue payload) {
    this(name, payload, 1);
  }

  public String name() {
    return name;
  }

  public RawValue payload() {
    return payload;
  }

  /** The conflation key of a latest-only event, or null: see the constructor. */
  public String latestKey() {
    return latestKey;
  }

  /** Whether a connection that is behind goes without it: see {@link #droppable}. */
  public boolean isDroppable() {
    return droppable;
  }

  /** When it was made ({@link System#nanoTime()}): the start of its delivery latency. */
  public long createdNanos() {
    return createdNanos;
  }

  public int expectedRecipients() {
    return expectedRecipients;
  }

  /**
   * The transport's encoding of this event, made by {@code encode} the first time it is asked for.
   * A server has one transport, so every session asks for the same {@code type}.
   */
  public <E extends Encoding> E encoding(Class<E> type, Function<OutboundEvent, E> encode) {
    if (encoding == null) {
      E made = encode.apply(this);
      encoding = made;
      return made;
    }
    return type.cast(encoding);
  }

  /** Writes the event to the recipients it was added to; the event cannot be used afterwards. */
  public void send() {
    Encoding made = encoding;
    if (made != null) {
      encoding = null;
      made.send();
    }
  }
}
