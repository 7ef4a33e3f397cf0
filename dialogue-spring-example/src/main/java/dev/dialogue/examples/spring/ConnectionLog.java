package dev.dialogue.examples.spring;

import dev.dialogue.ClientConnection;
import dev.dialogue.DialogueListener;
import dev.dialogue.Room;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/** A listener bean: logs who connects, joins and leaves (on standard error). */
@Component
public class ConnectionLog implements DialogueListener {
  private static final Logger LOG = LoggerFactory.getLogger(ConnectionLog.class);

  @Override
  public void onConnected(ClientConnection client) {
    LOG.info("{} connected", client.userId());
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
