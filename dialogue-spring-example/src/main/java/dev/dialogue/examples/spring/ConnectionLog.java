package dev.dialogue.examples.spring;

import dev.dialogue.ClientConnection;
import dev.dialogue.Dialogue;
import dev.dialogue.DialogueListener;
import dev.dialogue.Room;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

/**
 * A listener bean: logs who connects, joins and leaves (on standard error), with the number of
 * connections. It reads that from the {@link Dialogue} bean, which is built with this listener: so
 * it takes an {@link ObjectProvider} and asks it inside the callback, when the server exists.
 */
@Component
public class ConnectionLog implements DialogueListener {
  private static final Logger LOG = LoggerFactory.getLogger(ConnectionLog.class);

  private final ObjectProvider<Dialogue> dialogue;

  /** A log of the server that {@code dialogue} provides. */
  public ConnectionLog(ObjectProvider<Dialogue> dialogue) {
    this.dialogue = dialogue;
  }

  @Override
  public void onConnected(ClientConnection client) {
    LOG.info(
        "{} connected ({} connected)", client.userId(), dialogue.getObject().allClients().size());
  }

  @Override
  public void onDisconnected(ClientConnection client, String reason) {
    LOG.info("{} disconnected: {}", client.userId(), reason);
  }

  @Override
  public void onJoined(ClientConnection client, Room room) {
    LOG.info("{} joined {}", client.userId(), room.id());
  }
}
