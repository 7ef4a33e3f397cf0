package dev.dialogue;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A command a client may send: a typed request the server answers with a result or refuses with an
 * error, as opposed to an {@link EventDefinition}, which is published to a room. Define each
 * command once and register its handler globally ({@link Dialogue.Builder#command}) or for a room
 * ({@link RoomConfig.Builder#command}, {@link Room#onCommand}).
 *
 * <pre>{@code
 * record Sum(@NotNull Integer a, @NotNull Integer b) {}
 * record Total(int sum) {}
 *
 * static final CommandDefinition<Sum, Total> SUM =
 *     CommandDefinition.of("sum", Sum.class, Total.class);
 * }</pre>
 *
 * <p>The request is converted from JSON and checked with Jakarta Bean Validation exactly as an
 * event's payload is (see {@link EventDefinition}); a request that fails is answered {@code
 * VALIDATION_FAILED} and never reaches the handler. A request type of {@link JsonNode} accepts any
 * JSON value; {@link Void} takes no request (the handler gets {@code null}). The result is encoded
 * as JSON with the library's mapping (fields without a value are omitted).
 *
 * @param <Req> the request type, usually a record with validation annotations
 * @param <Res> the result type
 */
public final class CommandDefinition<Req, Res> {
  private final String name;
  private final Class<Req> requestType;
  private final Class<Res> resultType;
  private final String description;

  private CommandDefinition(Builder<Req, Res> builder) {
    this.name = builder.name;
    this.requestType = builder.requestType;
    this.resultType = builder.resultType;
    this.description = builder.description;
  }

  /** A command named {@code name} taking {@code requestType} and answering {@code resultType}. */
  public static <Req, Res> CommandDefinition<Req, Res> of(
      String name, Class<Req> requestType, Class<Res> resultType) {
    return builder(name, requestType, resultType).build();
  }

  /** A builder for a command; see {@link #of} for the arguments. */
  public static <Req, Res> Builder<Req, Res> builder(
      String name, Class<Req> requestType, Class<Res> resultType) {
    return new Builder<>(name, requestType, resultType);
  }

  /** The name clients send as {@code command}. */
  public String name() {
    return name;
  }

  /** The type a request is converted to and validated as. */
  public Class<Req> requestType() {
    return requestType;
  }

  /** The type of the handler's result. */
  public Class<Res> resultType() {
    return resultType;
  }

  /** The description, or {@code null}. */
  public String description() {
    return description;
  }

  @Override
  public String toString() {
    return "CommandDefinition{"
        + name
        + ": "
        + requestType.getSimpleName()
        + " -> "
        + resultType.getSimpleName()
        + "}";
  }

  /** Builds a {@link CommandDefinition}; each setter checks its argument at once. */
  public static final class Builder<Req, Res> {
    private final String name;
    private final Class<Req> requestType;
    private final Class<Res> resultType;
    private String description;

    private Builder(String name, Class<Req> requestType, Class<Res> resultType) {
      requireNonNull(name, "name == null");
      requireNonNull(requestType, "requestType == null");
      requireNonNull(resultType, "resultType == null");
      if (name.isBlank()) {
        throw new IllegalArgumentException("command name is blank");
      }
      this.name = name;
      this.requestType = requestType;
      this.resultType = resultType;
    }

    /** A description for people reading the configuration. */
    public Builder<Req, Res> description(String description) {
      this.description = requireNonNull(description, "description == null");
      return this;
    }

    /** The definition. */
    public CommandDefinition<Req, Res> build() {
      return new CommandDefinition<>(this);
    }
  }
}
