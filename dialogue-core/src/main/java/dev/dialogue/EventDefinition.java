package dev.dialogue;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * An event a room accepts: a name, a payload type, a history policy, a {@linkplain Delivery
 * delivery policy} (every event, {@linkplain Builder#latestOnly() the latest only} to a connection
 * that is behind, or {@linkplain Delivery#VOLATILE dropped} for one) and optionally a {@linkplain
 * Builder#rateLimit rate limit} per sender. Define each event once and use it in room
 * configurations and in typed {@code trigger}/{@code on} calls.
 *
 * <pre>{@code
 * record Message(@NotBlank @Size(max = 2000) String text) {}
 *
 * static final EventDefinition<Message> MESSAGE =
 *     EventDefinition.builder("message", Message.class).history(100).build();
 * }</pre>
 *
 * <p>Payloads are converted from JSON with Jackson and then checked with Jakarta Bean Validation:
 * annotate record components with {@code @NotBlank}, {@code @Size}, {@code @Valid} for nested
 * objects and lists, and so on. Conversion is strict: scalars are not coerced ({@code "5"} is not
 * an {@code int}, {@code 1.5} is not a {@code long}), and a primitive component ({@code int},
 * {@code boolean}, ...) that is missing or {@code null} is refused instead of becoming 0 or {@code
 * false}; use a wrapper type ({@code Integer}) for an optional number. Unknown properties are
 * dropped unless the definition says {@link UnknownProperties#REJECT}. An event whose type is
 * {@link JsonNode} accepts any JSON value.
 *
 * @param <T> the payload type
 */
public final class EventDefinition<T> {
  /** The name that stands for "any event" in room configurations and subscriptions. */
  public static final String ANY = "*";

  private final String name;
  private final Class<T> type;
  private final String description;
  private final int historyLimit;
  private final UnknownProperties unknownProperties;
  private final Delivery delivery;
  private final RateLimit rateLimit;

  /**
   * What happens to an event of this kind on its way to a connection that is behind: its socket is
   * full because the client reads slowly or not at all, or an HTTP long-polling client has not
   * polled yet. To a connection that keeps up, every policy delivers every event, in order.
   */
  public enum Delivery {
    /**
     * Queued behind what waits already, like every event by default. A client that stays behind too
     * long is cut off ({@code maxOutboundPackets}, {@code maxOutboundBytes}) and recovers by offset
     * after it reconnects.
     */
    RELIABLE,
    /**
     * The newest one per room and name is held and replaces older ones: {@link
     * Builder#latestOnly()}.
     */
    LATEST_ONLY,
    /**
     * Dropped: not queued, so it adds nothing to the backlog and never counts towards cutting the
     * client off. For what is worthless late, such as typing indicators and cursor positions. A
     * volatile event keeps no history and carries no offset (recovery does not replay it), and a
     * dropped one is not told to anyone: the sender's acknowledgement still succeeds. The wire
     * format is unchanged.
     */
    VOLATILE
  }

  /**
   * What a payload's properties that its type does not declare do: dropped, or refused with {@code
   * VALIDATION_FAILED}. Applies at every depth of a typed payload (nested records, list elements).
   */
  public enum UnknownProperties {
    /**
     * Unknown properties are dropped: the envelope's {@code data} carries only the declared ones.
     * The default, as in the original library (whose schemas strip unknown keys), so clients that
     * send extra fields keep working.
     */
    IGNORE,
    /**
     * The first unknown property fails the trigger with {@code VALIDATION_FAILED} and the message
     * {@code <path of the object>: Unrecognized key(s) in object: '<key>'}.
     */
    REJECT
  }

  private EventDefinition(Builder<T> builder) {
    this.name = builder.name;
    this.type = builder.type;
    this.description = builder.description;
    this.historyLimit = builder.historyLimit;
    this.unknownProperties = builder.unknownProperties;
    this.delivery = builder.delivery;
    this.rateLimit = builder.rateLimit;
  }

  /** An event with payload type {@code type} and no history. */
  public static <T> EventDefinition<T> of(String name, Class<T> type) {
    return builder(name, type).build();
  }

  /** An event that accepts any JSON payload, without validation. */
  public static EventDefinition<JsonNode> untyped(String name) {
    return builder(name, JsonNode.class).build();
  }

  public static <T> Builder<T> builder(String name, Class<T> type) {
    return new Builder<>(name, type);
  }

  public String name() {
    return name;
  }

  public Class<T> type() {
    return type;
  }

  /** The description, or {@code null}. */
  public String description() {
    return description;
  }

  /** Whether events of this kind are kept in room history. */
  public boolean historyEnabled() {
    return historyLimit > 0;
  }

  /** How many events of this kind each room keeps in memory; 0 when history is off. */
  public int historyLimit() {
    return historyLimit;
  }

  /** What unknown payload properties do; {@link UnknownProperties#IGNORE} unless set. */
  public UnknownProperties unknownProperties() {
    return unknownProperties;
  }

  /**
   * Whether a connection that is behind receives only the newest event of this name per room
   * instead of every one: see {@link Builder#latestOnly()}.
   */
  public boolean latestOnly() {
    return delivery == Delivery.LATEST_ONLY;
  }

  /** The delivery policy; {@link Delivery#RELIABLE} unless set. */
  public Delivery delivery() {
    return delivery;
  }

  /** How often one connection may trigger this event in one room, or null: no such limit. */
  public RateLimit rateLimit() {
    return rateLimit;
  }

  @Override
  public String toString() {
    return "EventDefinition{" + name + ": " + type.getSimpleName() + "}";
  }

  /** Builds an {@link EventDefinition}; each setter checks its argument at once. */
  public static final class Builder<T> {
    private final String name;
    private final Class<T> type;
    private String description;
    private int historyLimit;
    private UnknownProperties unknownProperties = UnknownProperties.IGNORE;
    private Delivery delivery = Delivery.RELIABLE;
    private RateLimit rateLimit;

    private Builder(String name, Class<T> type) {
      requireNonNull(name, "name == null");
      requireNonNull(type, "type == null");
      if (name.isBlank()) {
        throw new IllegalArgumentException("event name is blank");
      }
      if (name.equals(ANY)) {
        throw new IllegalArgumentException("event name \"*\" is reserved for \"any event\"");
      }
      this.name = name;
      this.type = type;
    }

    public Builder<T> description(String description) {
      this.description = requireNonNull(description, "description == null");
      return this;
    }

    /** Keeps the newest {@code limit} events of this kind per room in memory. */
    public Builder<T> history(int limit) {
      if (limit <= 0) {
        throw new IllegalArgumentException("history limit must be positive but was " + limit);
      }
      this.historyLimit = limit;
      return this;
    }

    /**
     * Whether payload properties the type does not declare are dropped ({@link
     * UnknownProperties#IGNORE}, the default) or refused ({@link UnknownProperties#REJECT}). An
     * untyped event ({@link JsonNode}) declares no properties, so it cannot reject unknown ones.
     */
    public Builder<T> unknownProperties(UnknownProperties policy) {
      requireNonNull(policy, "policy == null");
      if (policy == UnknownProperties.REJECT && type == JsonNode.class) {
        throw new IllegalArgumentException(
            "event '" + name + "' is untyped (JsonNode): it has no properties to check");
      }
      this.unknownProperties = policy;
      return this;
    }

    /**
     * Delivers the latest value only to a connection that is behind: while an earlier event of this
     * name in the same room still waits to be written to a connection (its socket is full because
     * the client reads slowly or not at all, or an HTTP long-polling client has not polled yet), a
     * newer one replaces it. A slow or paused client then gets the newest state when it catches up,
     * never a backlog, and is never cut off for falling behind on these events (see {@code
     * maxOutboundPackets}); a client that keeps up gets every event, in order. For state that is
     * replaced as a whole: gauges, dashboards, positions, a document's current title.
     *
     * <p>Per connection it holds at most one event per room and name, so its footprint is bounded
     * whatever the publish rate. Order: a held event goes out before any later event to that
     * connection (of any name), so the events a connection receives keep their publication order;
     * only the replaced ones are missing. Latest-only events are not kept in history ({@link
     * #history} cannot be combined with it: {@link #build()} refuses) and carry no offset, so
     * recovery after a reconnect does not replay them; the next one brings the client up to date.
     * The wire format is unchanged: clients see an ordinary event.
     */
    public Builder<T> latestOnly() {
      return delivery(Delivery.LATEST_ONLY);
    }

    /**
     * The delivery policy to connections that are behind (default {@link Delivery#RELIABLE}); the
     * last call wins. {@link Delivery#LATEST_ONLY} is {@link #latestOnly()}.
     */
    public Builder<T> delivery(Delivery delivery) {
      this.delivery = requireNonNull(delivery, "delivery == null");
      return this;
    }

    /**
     * How often one connection may trigger this event in one room (default no limit beyond the
     * server's {@link RateLimits}). A trigger over it is refused with {@code RATE_LIMITED} and
     * {@code retryAfterMs}; triggers by server code are not limited.
     */
    public Builder<T> rateLimit(RateLimit limit) {
      this.rateLimit = requireNonNull(limit, "limit == null");
      return this;
    }

    /**
     * Builds the definition.
     *
     * @throws IllegalStateException if it is {@link #latestOnly()} or volatile and keeps {@link
     *     #history}
     */
    public EventDefinition<T> build() {
      if (delivery != Delivery.RELIABLE && historyLimit > 0) {
        throw new IllegalStateException(
            "event '"
                + name
                + "' is "
                + (delivery == Delivery.LATEST_ONLY ? "latest-only" : "volatile")
                + ": it cannot keep history (history limit "
                + historyLimit
                + ")");
      }
      return new EventDefinition<>(this);
    }
  }
}
