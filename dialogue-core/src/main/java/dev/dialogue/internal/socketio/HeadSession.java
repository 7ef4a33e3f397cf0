package dev.dialogue.internal.socketio;

import com.corundumstudio.socketio.Transport;
import com.corundumstudio.socketio.handler.ClientHead;
import com.corundumstudio.socketio.protocol.Packet;
import com.corundumstudio.socketio.protocol.PacketType;
import com.fasterxml.jackson.databind.util.RawValue;
import dev.dialogue.DialogueObserver;
import dev.dialogue.internal.OutboundEvent;
import dev.dialogue.internal.Session;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes Socket.IO packets for our namespace to one netty-socketio session. Events to a session on
 * WebSocket skip netty-socketio's encoder: they join a {@link Broadcast}, which writes one prepared
 * frame; other packets go through netty-socketio's queue from the channel's event loop, so that
 * they keep their place among the frames ({@link #send(Packet)}).
 */
public final class HeadSession implements Session, WebSocketOut.Backlog {
  private static final Logger LOG = LoggerFactory.getLogger(HeadSession.class);

  // Field updaters rather than atomic objects: two fewer objects per connection.
  private static final AtomicIntegerFieldUpdater<HeadSession> UNFLUSHED =
      AtomicIntegerFieldUpdater.newUpdater(HeadSession.class, "unflushed");
  private static final AtomicLongFieldUpdater<HeadSession> QUEUED_BYTES =
      AtomicLongFieldUpdater.newUpdater(HeadSession.class, "queuedBytes");
  private static final VarHandle CUT_OFF;

  static {
    try {
      CUT_OFF = MethodHandles.lookup().findVarHandle(HeadSession.class, "cutOff", boolean.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final ClientHead head;
  private final String wireNamespace;
  private final int maxUnflushed;
  private final long maxBytes;
  private final int frameLimit;

  /**
   * The WebSocket frame encoder's context of the session's channel, once it is on a WebSocket for
   * good ({@link Gate} tells); null before.
   */
  private volatile WebSocketOut webSocket;

  /** Packets sent since the transport stopped being writable: the outbound backlog. */
  private volatile int unflushed;

  /**
   * Payload bytes of packets queued through netty-socketio since its queue was last counted: at
   * least what the queue holds (its packets leave it at the next poll). Counted exactly when above
   * the limit.
   */
  private volatile long queuedBytes;

  private volatile boolean cutOff;

  /**
   * The last packet of each latest-only kind sent through netty-socketio's queue, by conflation
   * key: while it still waits there, a newer one replaces it. Made on first use.
   */
  private volatile Map<String, Packet> latestPackets;

  /** Told of a cut-off ({@link DialogueObserver#onSlowConsumer}). */
  private final DialogueObserver observer;

  HeadSession(
      ClientHead head,
      String namespace,
      int maxUnflushed,
      long maxBytes,
      int frameLimit,
      DialogueObserver observer) {
    this.head = head;
    this.observer = observer;
    this.wireNamespace = wire(namespace);
    this.maxUnflushed = maxUnflushed;
    this.maxBytes = maxBytes;
    this.frameLimit = frameLimit;
  }

  /**
   * The session's WebSocket channel, which carries all its traffic from now on; its events are
   * flushed by {@code flushers} ({@link Broadcast}). Told again (a repeated CONNECT), it keeps what
   * it has for the same channel.
   */
  void onWebSocket(Channel channel, Flushers flushers) {
    WebSocketOut known = webSocket;
    if (known == null || !known.isOf(channel)) {
      webSocket = WebSocketOut.of(channel, flushers, this);
    }
  }

  /** The session's WebSocket as last told, or null; for tests. */
  public WebSocketOut webSocket() {
    return webSocket;
  }

  @Override
  public String transport() {
    return head.getCurrentTransport() == Transport.WEBSOCKET ? "websocket" : "polling";
  }

  /** The transport netty-socketio sends on, and whether the WebSocket is known: for diagnostics. */
  String describeTransport() {
    return "current transport "
        + head.getCurrentTransport()
        + (webSocket == null ? ", no WebSocket known" : ", WebSocket known")
        + (head.isConnected() ? "" : ", disconnected");
  }

  /** Whether events now go out as prepared frames ({@link Broadcast}) rather than packets. */
  boolean writesFrames() {
    return frames() != null;
  }

  /**
   * The WebSocket to write frames to, or null while events must go as packets. netty-socketio
   * switches its current transport only after it has flushed what the polling transport still held:
   * from then on, frames written straight to the WebSocket keep the order.
   */
  private WebSocketOut frames() {
    WebSocketOut ws = webSocket;
    return ws != null && head.getCurrentTransport() == Transport.WEBSOCKET ? ws : null;
  }

  /** netty-socketio writes the default namespace as "". */
  private static String wire(String namespace) {
    return namespace.equals("/") ? "" : namespace;
  }

  @Override
  public boolean sendEvent(OutboundEvent event) {
    if (!head.isConnected() || cutOff) {
      return false;
    }
    WebSocketOut ws = frames();
    if (ws != null
        && event.encoding(Broadcast.class, Broadcast::of).add(ws, wireNamespace, frameLimit)) {
      // The backlog is tracked by the channel's event loop as it writes the frame: see written().
      return true;
    }
    if (event.isDroppable() && pollingBehind()) {
      return false; // volatile: not queued behind packets the client has not taken yet
    }
    Packet packet = packet(head, wireNamespace, PacketType.EVENT);
    packet.setName(event.name());
    packet.setData(List.of(event.payload()));
    boolean replaced = event.latestKey() != null && replaceQueued(event.latestKey(), packet);
    send(packet);
    queued(sizeOf(event.payload()));
    // A packet that took the place of another adds nothing to the backlog.
    return replaced || track(head.isWritable());
  }

  /**
   * Whether packets sent through netty-socketio's queue would wait: the transport is full, or the
   * queue still holds packets (on long polling, for the client's next poll).
   */
  private boolean pollingBehind() {
    if (!head.isWritable()) {
      return true;
    }
    Queue<Packet> queue = head.getPacketsQueue(head.getCurrentTransport());
    return queue != null && !queue.isEmpty();
  }

  /**
   * A latest-only event as a packet: the previous one of its kind leaves netty-socketio's queue if
   * it still waits there (for the next poll, typically), and {@code packet} becomes the one to
   * replace next. Returns whether one was replaced.
   */
  private boolean replaceQueued(String latestKey, Packet packet) {
    Map<String, Packet> latest = latestPackets;
    if (latest == null) {
      synchronized (this) {
        latest = latestPackets;
        if (latest == null) {
          latest = new ConcurrentHashMap<>();
          latestPackets = latest;
        }
      }
    }
    Packet earlier = latest.put(latestKey, packet);
    if (earlier == null) {
      return false;
    }
    Queue<Packet> queue = head.getPacketsQueue(head.getCurrentTransport());
    if (queue != null && queue.remove(earlier)) {
      QUEUED_BYTES.addAndGet(this, -sizeOf(dataOf(earlier)));
      return true;
    }
    return false;
  }

  private static Object dataOf(Packet packet) {
    return packet.getData() instanceof List<?> list && !list.isEmpty() ? list.get(0) : null;
  }

  @Override
  public void sendAck(long ackId, RawValue data) {
    Packet packet = packet(head, wireNamespace, PacketType.ACK);
    packet.setAckId(ackId);
    packet.setData(List.of(data));
    send(packet);
    queued(sizeOf(data));
    track(head.isWritable());
  }

  /**
   * Sends a packet through netty-socketio, in order with the events written as frames. {@link
   * ClientHead#send} adds the packet to the session's queue at once and leaves the writing to a
   * task on the channel's event loop, and whichever of those tasks runs first writes everything the
   * queue holds: a packet queued from another thread could overtake frames handed to the loop
   * before it (an acknowledgement before its sender's own event, protocol.md 5.5). On a WebSocket
   * the packet therefore joins the queue on the loop itself, behind the frames {@link Broadcast}
   * handed it before.
   */
  private void send(Packet packet) {
    inOrder(() -> head.send(packet));
  }

  /**
   * Runs {@code write} where a packet it sends keeps its place among the frames: on the WebSocket's
   * event loop (inline when already there, as {@link Broadcast} writes), or at once while the
   * session polls (its events go as packets of the same queue).
   */
  private void inOrder(Runnable write) {
    WebSocketOut ws = frames();
    EventLoop loop = ws == null ? null : ws.encoder.channel().eventLoop();
    if (loop == null || loop.inEventLoop()) {
      write.run();
      return;
    }
    try {
      loop.execute(write);
    } catch (RejectedExecutionException e) {
      LOG.debug("Not sent to session {}: its event loop is shut down", head.getSessionId());
    }
  }

  /** A frame was written to the session's WebSocket: see {@link #track}. On its event loop. */
  @Override
  public void written(boolean writable, long pendingBytes) {
    if (pendingBytes > maxBytes) {
      cutOff(pendingBytes + " bytes wait in its WebSocket's buffer (limit " + maxBytes + ")");
      return;
    }
    track(writable);
  }

  /**
   * Bounds what netty-socketio's packet queue holds in bytes (HTTP long polling; on WebSocket it
   * writes at once and the queue stays empty): the running count is cheap, and only once it passes
   * the limit is the queue counted exactly, which happens at most once per limit's worth of bytes.
   */
  private void queued(long bytes) {
    if (QUEUED_BYTES.addAndGet(this, bytes) <= maxBytes) {
      return;
    }
    long exact = 0;
    Queue<Packet> queue = head.getPacketsQueue(head.getCurrentTransport());
    if (queue != null) {
      for (Packet p : queue) {
        exact += p.getData() instanceof List<?> list && !list.isEmpty() ? sizeOf(list.get(0)) : 16;
      }
    }
    queuedBytes = exact;
    if (exact > maxBytes) {
      cutOff(exact + " bytes of packets wait for its next poll (limit " + maxBytes + ")");
    }
  }

  /** About the bytes a payload takes on the wire (its JSON text; a small packet otherwise). */
  private static long sizeOf(Object data) {
    return data instanceof RawValue raw && raw.rawValue() instanceof String json
        ? json.length() + 16
        : 16;
  }

  private void cutOff(String why) {
    if (CUT_OFF.compareAndSet(this, false, true)) {
      observer.onSlowConsumer();
      LOG.warn("Closing session {}: {}; the client does not read", head.getSessionId(), why);
      head.disconnect();
    }
  }

  /**
   * Bounds the outbound backlog. netty-socketio queues without limit, so a client that stops
   * reading would grow the heap: once its transport is no longer writable (Netty's buffer is above
   * its high-water mark), every further packet counts, and at {@code maxUnflushed} the client is
   * cut off. It reconnects and recovers what it missed by offset. A writable transport resets the
   * count.
   */
  private boolean track(boolean writable) {
    if (writable) {
      if (unflushed != 0) {
        unflushed = 0;
      }
      return true;
    }
    if (UNFLUSHED.incrementAndGet(this) > maxUnflushed) {
      cutOff(unflushed + " packets sent while its transport was full (limit " + maxUnflushed + ")");
    }
    return true;
  }

  void connectAck(String socketId) {
    Packet packet = packet(head, wireNamespace, PacketType.CONNECT);
    packet.setData(Map.of("sid", socketId));
    send(packet);
  }

  @Override
  public void close() {
    // Answers sent before close() reach the client before the DISCONNECT, which precedes the close.
    inOrder(
        () -> {
          if (!wireNamespace.isEmpty()) {
            head.send(packet(head, wireNamespace, PacketType.DISCONNECT));
          }
          head.disconnect();
        });
  }

  static void connectError(ClientHead head, String namespace, String message) {
    Packet packet = packet(head, wire(namespace), PacketType.ERROR);
    packet.setData(Map.of("message", message));
    head.send(packet);
  }

  /**
   * A {@code connect_error} with {@code data}, as Socket.IO servers send an error's {@code data}:
   * {@code {message, data}} (the client's {@code err.data}).
   */
  static void connectError(
      ClientHead head, String namespace, String message, Map<String, Object> data) {
    Packet packet = packet(head, wire(namespace), PacketType.ERROR);
    packet.setData(Map.of("message", message, "data", data));
    head.send(packet);
  }

  private static Packet packet(ClientHead head, String wireNamespace, PacketType subType) {
    Packet packet = new Packet(PacketType.MESSAGE, head.getEngineIOVersion());
    packet.setSubType(subType);
    packet.setNsp(wireNamespace);
    return packet;
  }
}
