package dev.dialogue.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The application's listeners on a {@link DialogueClient}, by kind, and the guard every application
 * callback runs in: what it throws is logged and goes no further.
 *
 * <p>Listeners are added and removed from any thread; they are fired on the client's ordered
 * executor only.
 */
final class Listeners {
  // Under DialogueClient's name, as before the client was split into parts.
  private static final Logger log = LoggerFactory.getLogger(DialogueClient.class);

  final List<Runnable> connect = new CopyOnWriteArrayList<>();
  final List<Consumer<String>> disconnect = new CopyOnWriteArrayList<>();
  final List<Consumer<DialogueClientException>> error = new CopyOnWriteArrayList<>();
  final List<Consumer<RoomInfo>> roomCreated = new CopyOnWriteArrayList<>();
  final List<Consumer<String>> roomDeleted = new CopyOnWriteArrayList<>();
  final List<BiConsumer<String, List<EventMessage>>> history = new CopyOnWriteArrayList<>();
  final List<BiConsumer<ConnectionState, String>> state = new CopyOnWriteArrayList<>();
  final List<Consumer<ClientRoom>> joined = new CopyOnWriteArrayList<>();
  final List<Consumer<ClientRoom>> left = new CopyOnWriteArrayList<>();
  private final Map<String, List<Consumer<EventMessage>>> custom = new ConcurrentHashMap<>();

  <L> Registration add(List<L> list, L listener) {
    list.add(listener);
    return () -> list.remove(listener);
  }

  <L> void fire(List<L> list, Consumer<L> call) {
    for (L listener : list) {
      run("listener", () -> call.accept(listener));
    }
  }

  /**
   * A handler for the events named {@code eventName} the server sends to this connection alone,
   * with an envelope that carries only the name and the payload.
   */
  <T> Registration addCustom(String eventName, Class<T> type, BiConsumer<T, EventMessage> handler) {
    Consumer<EventMessage> wrapped = message -> handler.accept(message.data(type), message);
    List<Consumer<EventMessage>> list =
        custom.computeIfAbsent(eventName, k -> new CopyOnWriteArrayList<>());
    list.add(wrapped);
    return () -> list.remove(wrapped);
  }

  void fireCustom(String name, JsonNode data) {
    List<Consumer<EventMessage>> handlers = custom.getOrDefault(name, List.of());
    if (handlers.isEmpty()) {
      log.debug("No handler for the server's event '{}'", name);
      return;
    }
    EventMessage message = new EventMessage(name, null, data, null, 0, null, null, null, null);
    for (Consumer<EventMessage> handler : handlers) {
      run("custom event " + name, () -> handler.accept(message));
    }
  }

  /** History for {@code roomId}: sent with a join, or on its own ({@code dialogue:history}). */
  void fireHistory(String roomId, JsonNode events) {
    List<EventMessage> list = new ArrayList<>();
    for (JsonNode e : events) {
      list.add(ClientJson.convert(e, EventMessage.class));
    }
    List<EventMessage> history = List.copyOf(list);
    fire(this.history, l -> l.accept(roomId, history));
  }

  /** Runs an application callback; what it throws is logged with {@code what}. */
  static void run(String what, Runnable callback) {
    try {
      callback.run();
    } catch (RuntimeException | Error e) {
      log.error("Dialogue client {} callback failed", what, e);
    }
  }
}
