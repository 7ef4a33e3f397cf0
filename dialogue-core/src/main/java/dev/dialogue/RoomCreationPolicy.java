package dev.dialogue;

/**
 * Decides whether a client may create a room with {@code dialogue:createRoom}. A denial reaches the
 * client as {@code PERMISSION_DENIED} with the reason. The default allows every authenticated
 * client.
 *
 * <p>Called on a hook-executor thread; may block.
 */
@FunctionalInterface
public interface RoomCreationPolicy {
  Decision beforeCreate(ClientConnection client, RoomConfig requested) throws Exception;
}
