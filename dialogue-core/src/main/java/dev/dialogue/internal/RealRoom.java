package dev.dialogue.internal;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dialogue.AsyncCommandHandler;
import dev.dialogue.Attributes;
import dev.dialogue.ClientConnection;
import dev.dialogue.CommandDefinition;
import dev.dialogue.EventDefinition;
import dev.dialogue.EventHandler;
import dev.dialogue.EventMessage;
import dev.dialogue.Registration;
import dev.dialogue.Room;
import dev.dialogue.RoomConfig;
import dev.dialogue.TriggerInterceptor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * A room as the application sees it: a thin face that checks arguments and hands each call to the
 * engine ({@link Publisher}, {@link Histories}) or to the room's state ({@link RoomState}), where
 * the lock, the members and the stream of events are. It also carries what the server's registry
 * ({@link Hub}) keeps about the room: its creation order, who made it.
 */
public final class RealRoom implements Room {
  private final RoomState state;
  private final Publisher publisher;
  private final Histories histories;
  private final Deadlines deadlines;

  /** Commands added at runtime; the configuration's are looked up through it too. */
  final RoomCommands commands = new RoomCommands();

  /** The room's place in creation order, for listing. */
  final long sequence;

  /** Whether a client created the room (and so counts against the client-room limit). */
  final boolean createdByClient;

  /** Whether the room came from the builder's configuration: clients can never delete those. */
  volatile boolean configured;

  RealRoom(
      RoomConfig config,
      Map<String, EventDefinition.Delivery> deliveries,
      long sequence,
      boolean createdByClient,
      Broker broker,
      PresenceStore presence,
      Hooks hooks,
      Settings.RuntimeSettings runtime,
      Publisher publisher,
      Histories histories,
      Deadlines deadlines) {
    this.deadlines = deadlines;
    this.sequence = sequence;
    this.createdByClient = createdByClient;
    this.state = new RoomState(this, config, deliveries, broker, presence, hooks, runtime);
    this.publisher = publisher;
    this.histories = histories;
  }

  /** The room's state, for the engine. */
  public RoomState state() {
    return state;
  }

  @Override
  public String id() {
    return state.id();
  }

  @Override
  public String name() {
    return state.config().name();
  }

  @Override
  public String description() {
    return state.config().description();
  }

  @Override
  public RoomConfig config() {
    return state.config();
  }

  @Override
  public String createdById() {
    return state.config().createdById();
  }

  @Override
  public EventMessage trigger(String eventName, Object data, String from, Map<String, ?> meta) {
    requireNonNull(eventName, "eventName == null");
    requireNonNull(from, "from == null");
    ObjectNode metaNode = meta == null ? null : (ObjectNode) Json.tree(meta);
    return publisher.publish(state, eventName, Json.tree(data), from, metaNode, null);
  }

  @Override
  public <Req, Res> Registration onCommandAsync(
      CommandDefinition<Req, Res> command, AsyncCommandHandler<Req, Res> handler) {
    requireNonNull(command, "command == null");
    requireNonNull(handler, "handler == null");
    return commands.add(state.config(), new CommandRoute<>(command, handler));
  }

  @Override
  public <T> Registration on(EventDefinition<T> event, EventHandler<T> handler) {
    requireNonNull(event, "event == null");
    requireNonNull(handler, "handler == null");
    Class<T> type = event.type();
    return on(event.name(), (data, message) -> handler.onEvent(Json.convert(data, type), message));
  }

  @Override
  public Registration on(String eventName, EventHandler<JsonNode> handler) {
    requireNonNull(eventName, "eventName == null");
    requireNonNull(handler, "handler == null");
    return state.code.addHandler(eventName, handler);
  }

  @Override
  public <T> Registration intercept(EventDefinition<T> event, TriggerInterceptor<T> interceptor) {
    requireNonNull(event, "event == null");
    requireNonNull(interceptor, "interceptor == null");
    return state.code.addInterception(new RoomConfig.Interception<>(event, interceptor));
  }

  @Override
  public Registration schedule(Duration delay, Runnable task) {
    requireNonNull(delay, "delay == null");
    requireNonNull(task, "task == null");
    if (delay.isNegative()) {
      throw new IllegalArgumentException("delay must not be negative but was " + delay);
    }
    return state.code.schedule(deadlines, deadlines.now() + delay.toMillis(), task, id());
  }

  @Override
  public Attributes attributes() {
    return state.code.attributes;
  }

  @Override
  public int size() {
    return state.size();
  }

  @Override
  public boolean isFull() {
    int max = state.config().maxSize();
    return max > 0 && state.size() >= max;
  }

  @Override
  public List<ClientConnection> participants() {
    return state.roster.connections();
  }

  @Override
  public List<EventMessage> history(String eventName, int start, int end) {
    requireNonNull(eventName, "eventName == null");
    if (start < 0 || end < start) {
      throw new IllegalArgumentException("need 0 <= start <= end but were " + start + ", " + end);
    }
    RoomEvents.MemoryPage memory = state.events.memoryPage(eventName, start, end);
    if (memory.events().size() >= end - start) {
      return memory.events();
    }
    List<EventMessage> result = new ArrayList<>(memory.events());
    result.addAll(histories.beyondMemory(id(), eventName, memory.inMemory(), start, end));
    return result;
  }

  @Override
  public Set<String> presence() {
    return state.roster.presentUsers();
  }

  @Override
  public long offset() {
    return state.offset();
  }

  @Override
  public CompletableFuture<Void> execute(Runnable task) {
    requireNonNull(task, "task == null");
    return state.code.submit(task);
  }

  @Override
  public String epoch() {
    return state.epoch();
  }

  @Override
  public String toString() {
    return "Room{" + id() + "}";
  }
}
