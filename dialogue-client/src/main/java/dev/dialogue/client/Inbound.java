package dev.dialogue.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * Events from the server to the kept rooms and the application's listeners: one case per wire
 * event. {@code dialogue:connected} is the {@link Connector}'s, which hands over the rest until the
 * client is closed.
 *
 * <p>Runs on the client's ordered executor only, in arrival order.
 */
final class Inbound {
  private final KeptRooms rooms;
  private final Listeners listeners;

  Inbound(KeptRooms rooms, Listeners listeners) {
    this.rooms = rooms;
    this.listeners = listeners;
  }

  void dispatch(String name, JsonNode data) {
    switch (name) {
      case "dialogue:event" -> {
        EventMessage message = ClientJson.convert(data, EventMessage.class);
        ClientRoom room = rooms.receiving(message.roomId(), "event '" + message.event() + "'");
        if (room != null) {
          room.deliver(message);
        }
      }
      case "dialogue:presence" -> {
        ClientRoom room = rooms.receiving(data.path("roomId").asText(), "a presence change");
        if (room != null) {
          room.presence(strings(data.path("joins")), strings(data.path("leaves")));
        }
      }
      // This client asks with acknowledgements: these come from joins and leaves of server code.
      case "dialogue:joined" -> rooms.serverJoined(data);
      case "dialogue:left" -> rooms.serverLeft(data.path("roomId").asText());
      case "dialogue:roomCreated" -> {
        RoomInfo info = ClientJson.convert(data, RoomInfo.class);
        listeners.fire(listeners.roomCreated, l -> l.accept(info));
      }
      case "dialogue:roomDeleted" -> {
        String roomId = data.path("roomId").asText();
        rooms.deleted(roomId);
        listeners.fire(listeners.roomDeleted, l -> l.accept(roomId));
      }
      case "dialogue:history" ->
          listeners.fireHistory(data.path("roomId").asText(), data.path("events"));
      case "dialogue:error" -> {
        DialogueClientException e =
            new DialogueClientException(
                data.path("code").asText("UNKNOWN"), data.path("message").asText(""));
        listeners.fire(listeners.error, l -> l.accept(e));
      }
      default -> listeners.fireCustom(name, data);
    }
  }

  private static List<String> strings(JsonNode array) {
    List<String> list = new ArrayList<>();
    array.forEach(n -> list.add(n.asText()));
    return List.copyOf(list);
  }
}
