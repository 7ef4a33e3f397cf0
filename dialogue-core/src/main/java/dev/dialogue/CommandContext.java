package dev.dialogue;

/**
 * What a command handler knows of the request besides its payload: who sent it and, for a command
 * of a room, in which room.
 */
public interface CommandContext {
  /** The command's name. */
  String command();

  /** The connection that sent the request; it may have closed since. */
  ClientConnection sender();

  /**
   * The room the command was sent to (the sender is a member of it), or {@code null} for a global
   * command.
   */
  Room room();
}
