package dev.dialogue.test;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dialogue.CommandDefinition;
import dev.dialogue.EventDefinition;
import dev.dialogue.client.ClientRoom;
import dev.dialogue.client.DialogueClientException;
import dev.dialogue.client.EventMessage;
import dev.dialogue.client.PendingTrigger;
import dev.dialogue.client.Published;
import java.time.Duration;

/**
 * A room a {@link TestClient} joined: the client's {@link ClientRoom} with blocking calls and
 * recorders. Every blocking call waits at most the extension's timeout and throws the server's
 * refusal as the client's {@link DialogueClientException}, so that a test can assert on its code.
 *
 * <pre>{@code
 * TestRoom chat = alice.join("chat");
 * Recorder<Message> messages = chat.record("message", Message.class);
 * chat.send("message", new Message("hi"));
 * assertThat(messages.next().text()).isEqualTo("hi");
 * }</pre>
 */
public final class TestRoom {
  private final TestClient client;
  private final ClientRoom room;
  private final Duration timeout;

  TestRoom(TestClient client, ClientRoom room, Duration timeout) {
    this.client = client;
    this.room = room;
    this.timeout = timeout;
  }

  /** The room id. */
  public String id() {
    return room.id();
  }

  /** The client's own room object, for everything this class does not wrap. */
  public ClientRoom clientRoom() {
    return room;
  }

  /**
   * Publishes an event and waits until the server confirmed it.
   *
   * @return the server's confirmation: id, offset (if stored) and timestamp
   * @throws DialogueClientException the server's refusal, e.g. {@code VALIDATION_FAILED}
   */
  public Published send(String eventName, Object data) {
    return Waits.get(
        trigger(eventName, data).result(),
        timeout,
        client.userId() + " sending '" + eventName + "' to room '" + id() + "'");
  }

  /**
   * {@link #send(String, Object)} typed by the application's own definition: the event's name, a
   * payload of its type.
   */
  public <T> Published send(EventDefinition<T> event, T data) {
    requireNonNull(event, "event == null");
    return send(event.name(), data);
  }

  /** Publishes an event without waiting: {@link ClientRoom#trigger(String, Object)}. */
  public PendingTrigger trigger(String eventName, Object data) {
    return room.trigger(eventName, data);
  }

  /**
   * Records the payloads of events named {@code eventName}, read as {@code type}, from now on. The
   * client subscribes to the name if it was not already, and this method returns once the server
   * has the subscription, so an event published by anyone after it returns is recorded.
   */
  public <T> Recorder<T> record(String eventName, Class<T> type) {
    requireNonNull(eventName, "eventName == null");
    requireNonNull(type, "type == null");
    Recorder<T> recorder =
        client.track(new Recorder<>(describe("'" + eventName + "' events"), timeout));
    recorder.stopWith(room.on(eventName, type, (data, message) -> recorder.add(data)));
    subscribed(eventName);
    return recorder;
  }

  /**
   * {@link #record(String, Class)} typed by the application's own definition: its name, its payload
   * type.
   */
  public <T> Recorder<T> record(EventDefinition<T> event) {
    requireNonNull(event, "event == null");
    return record(event.name(), event.type());
  }

  /**
   * Records the events named {@code eventName} whole, as the server delivered them (sender,
   * timestamp, offset, ...); {@link EventMessage#data(Class)} reads the payload. Subscribes like
   * {@link #record}.
   */
  public Recorder<EventMessage> recordMessages(String eventName) {
    requireNonNull(eventName, "eventName == null");
    Recorder<EventMessage> recorder =
        client.track(new Recorder<>(describe("'" + eventName + "' messages"), timeout));
    recorder.stopWith(room.on(eventName, JsonNode.class, (data, message) -> recorder.add(message)));
    subscribed(eventName);
    return recorder;
  }

  /**
   * Records every event this connection receives in the room, whatever its name (what it is
   * subscribed to); subscribes to nothing.
   */
  public Recorder<EventMessage> recordAll() {
    Recorder<EventMessage> recorder = client.track(new Recorder<>(describe("events"), timeout));
    recorder.stopWith(room.onAny(recorder::add));
    return recorder;
  }

  /** Records the room's presence updates (rooms with presence on). */
  public Recorder<PresenceChange> recordPresence() {
    Recorder<PresenceChange> recorder =
        client.track(new Recorder<>(describe("presence updates"), timeout));
    recorder.stopWith(
        room.onPresence((joined, left) -> recorder.add(new PresenceChange(joined, left))));
    return recorder;
  }

  /**
   * Sends the room's command {@code command} and waits for its result, read as {@code resultType}.
   *
   * @throws DialogueClientException the refusal: the application's code, or the server's
   */
  public <T> T request(String command, Object payload, Class<T> resultType) {
    return Waits.get(
        room.request(command, payload, resultType),
        timeout,
        client.userId() + " requesting '" + command + "' in room '" + id() + "'");
  }

  /**
   * {@link #request(String, Object, Class)} typed by the application's own definition of the room's
   * command.
   */
  public <Req, Res> Res request(CommandDefinition<Req, Res> command, Req payload) {
    requireNonNull(command, "command == null");
    return request(command.name(), payload, command.resultType());
  }

  /** Leaves the room and waits for the server's answer. */
  public void leave() {
    Waits.get(room.leave(), timeout, client.userId() + " leaving room '" + id() + "'");
  }

  /** The room and the user. */
  @Override
  public String toString() {
    return "TestRoom[" + id() + " of " + client.userId() + "]";
  }

  private void subscribed(String eventName) {
    Waits.get(
        room.subscribe(eventName),
        timeout,
        client.userId() + " subscribing to '" + eventName + "' in room '" + id() + "'");
  }

  private String describe(String what) {
    return what + " in room '" + id() + "' for " + client.userId();
  }
}
