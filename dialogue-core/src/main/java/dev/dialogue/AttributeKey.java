package dev.dialogue;

import static java.util.Objects.requireNonNull;

/**
 * The typed key of an application value kept on a {@link Room} or a {@link ClientConnection} (see
 * {@link Attributes}). Keys compare by identity: keep each one in a constant.
 *
 * <pre>{@code
 * static final AttributeKey<Game> GAME = AttributeKey.of("game", Game.class);
 *
 * room.attributes().set(GAME, new Game());
 * Game game = room.attributes().get(GAME);
 * }</pre>
 *
 * @param <T> the type of the value
 */
public final class AttributeKey<T> {
  private final String name;
  private final Class<T> type;

  private AttributeKey(String name, Class<T> type) {
    this.name = requireNonNull(name, "name == null");
    this.type = requireNonNull(type, "type == null");
  }

  /** A new key; {@code name} is for messages and {@code toString} only. */
  public static <T> AttributeKey<T> of(String name, Class<T> type) {
    return new AttributeKey<>(name, type);
  }

  public String name() {
    return name;
  }

  public Class<T> type() {
    return type;
  }

  @Override
  public String toString() {
    return "AttributeKey{" + name + ": " + type.getSimpleName() + "}";
  }
}
