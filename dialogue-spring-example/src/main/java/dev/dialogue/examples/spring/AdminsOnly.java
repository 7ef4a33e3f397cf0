package dev.dialogue.examples.spring;

import dev.dialogue.ClientConnection;
import dev.dialogue.Decision;
import dev.dialogue.JoinPolicy;
import dev.dialogue.Room;
import org.springframework.stereotype.Component;

/** The join policy: the {@code ops} room is for admins ({@link DemoAuthenticator}'s claim). */
@Component
public class AdminsOnly implements JoinPolicy {
  @Override
  public Decision beforeJoin(ClientConnection client, Room room) {
    if (room.id().equals("ops") && !Boolean.TRUE.equals(client.claims().get("admin"))) {
      return Decision.deny("admins only");
    }
    return Decision.allow();
  }
}
