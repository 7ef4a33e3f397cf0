package dev.dialogue.internal;

import dev.dialogue.Attributes;
import dev.dialogue.ClientConnection;
import java.util.Map;
import java.util.Set;

/**
 * A connection on another node of a cluster, as {@code clients(userId)} returns it: what its node
 * last reported (id, user, rooms), and the actions server code may ask of it, carried to its node
 * ({@link Broker.Directory#act}) and done there, in the order asked, without waiting. What only its
 * node knows (meta, claims, subscriptions, attributes) is not available here.
 */
final class RemoteConnection implements ClientConnection {
  private final Broker.Remote remote;
  private final Broker.Directory directory;

  RemoteConnection(Broker.Remote remote, Broker.Directory directory) {
    this.remote = remote;
    this.directory = directory;
  }

  @Override
  public String id() {
    return remote.connectionId();
  }

  @Override
  public String userId() {
    return remote.userId();
  }

  @Override
  public Map<String, Object> meta() {
    return Map.of();
  }

  @Override
  public Map<String, Object> claims() {
    return Map.of();
  }

  /** Asked of its node; a refusal there (room not found, full) is logged there, not thrown here. */
  @Override
  public void join(String roomId) {
    directory.act(remote, new Broker.Action("join", roomId, null, null));
  }

  /** Asked of its node; answers whether it was in the room as last reported. */
  @Override
  public boolean leave(String roomId) {
    directory.act(remote, new Broker.Action("leave", roomId, null, null));
    return remote.rooms().contains(roomId);
  }

  @Override
  public void subscribe(String roomId, String eventName) {
    directory.act(remote, new Broker.Action("subscribe", roomId, eventName, null));
  }

  @Override
  public void subscribeAll(String roomId) {
    directory.act(remote, new Broker.Action("subscribeAll", roomId, null, null));
  }

  @Override
  public void unsubscribe(String roomId, String eventName) {
    directory.act(remote, new Broker.Action("unsubscribe", roomId, eventName, null));
  }

  @Override
  public Set<String> rooms() {
    return remote.rooms();
  }

  /**
   * @throws UnsupportedOperationException only the connection's own node knows them
   */
  @Override
  public Set<String> subscriptions(String roomId) {
    throw new UnsupportedOperationException(
        "The subscriptions of connection " + id() + " are known only on its node");
  }

  @Override
  public void send(String eventName, Object data) {
    directory.act(remote, new Broker.Action("send", null, eventName, Json.tree(data)));
  }

  /** Whether it was open when its node last reported. */
  @Override
  public boolean connected() {
    return true;
  }

  /**
   * @throws UnsupportedOperationException attributes live on the connection's own node
   */
  @Override
  public Attributes attributes() {
    throw new UnsupportedOperationException(
        "The attributes of connection " + id() + " live on its node");
  }

  @Override
  public void disconnect() {
    directory.act(remote, new Broker.Action("disconnect", null, null, null));
  }

  @Override
  public String toString() {
    return "RemoteConnection{" + id() + ", user " + userId() + ", node " + remote.node() + "}";
  }
}
