package dev.dialogue.internal;

import dev.dialogue.Registration;
import dev.dialogue.RoomConfig;
import java.util.Map;

/**
 * A room's commands added at runtime ({@code Room#onCommandAsync}); its configuration's are looked
 * up through it too. Holds no map until the first registration.
 */
final class RoomCommands {
  private volatile Map<String, CommandRoute<?, ?>> added = Map.of();

  /** The room's command {@code name}, or null. */
  CommandRoute<?, ?> route(RoomConfig config, String name) {
    CommandRoute<?, ?> route = added.get(name);
    if (route != null) {
      return route;
    }
    var definition = config.command(name);
    return definition == null ? null : CommandRoute.of(definition, config.commandHandler(name));
  }

  /** Adds a route until the registration is closed. */
  synchronized Registration add(RoomConfig config, CommandRoute<?, ?> route) {
    if (config.command(route.name()) != null || added.containsKey(route.name())) {
      throw new IllegalArgumentException(
          "command '" + route.name() + "' is already handled in room '" + config.id() + "'");
    }
    added = CopyOnWrite.plus(added, route.name(), route);
    return () -> remove(route);
  }

  private synchronized void remove(CommandRoute<?, ?> route) {
    if (added.get(route.name()) == route) {
      added = CopyOnWrite.minus(added, route.name());
    }
  }
}
