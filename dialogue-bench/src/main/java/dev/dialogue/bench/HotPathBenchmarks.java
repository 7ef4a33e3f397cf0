package dev.dialogue.bench;

import com.corundumstudio.socketio.Configuration;
import com.corundumstudio.socketio.protocol.EngineIOVersion;
import com.corundumstudio.socketio.protocol.JacksonJsonSupport;
import com.corundumstudio.socketio.protocol.Packet;
import com.corundumstudio.socketio.protocol.PacketEncoder;
import com.corundumstudio.socketio.protocol.PacketType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.util.RawValue;
import dev.dialogue.Dialogue;
import dev.dialogue.EventDefinition;
import dev.dialogue.EventMessage;
import dev.dialogue.RoomConfig;
import dev.dialogue.internal.Broker;
import dev.dialogue.internal.Hooks;
import dev.dialogue.internal.Hub;
import dev.dialogue.internal.Ids;
import dev.dialogue.internal.JoinSubscriptions;
import dev.dialogue.internal.Json;
import dev.dialogue.internal.Membership;
import dev.dialogue.internal.OutboundEvent;
import dev.dialogue.internal.PayloadValidator;
import dev.dialogue.internal.RealConnection;
import dev.dialogue.internal.RoomState;
import dev.dialogue.internal.Session;
import dev.dialogue.internal.Wire;
import dev.dialogue.internal.socketio.Broadcast;
import dev.dialogue.internal.socketio.Flushers;
import dev.dialogue.internal.socketio.Internals;
import dev.dialogue.internal.socketio.WebSocketOut;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.DefaultEventLoopGroup;
import io.netty.channel.local.LocalAddress;
import io.netty.channel.local.LocalChannel;
import io.netty.channel.local.LocalServerChannel;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameEncoder;
import io.netty.util.ReferenceCountUtil;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * JMH microbenchmarks of the server's hot paths, without the network: envelope encoding, payload
 * validation, subscription routing, a room's delivery loop to N members whose sessions only count
 * packets (so the figure is Dialogue's own cost per recipient, not the transport's), and writing
 * one event to N WebSocket channels on one event loop (in-VM channels, no sockets) netty-socketio's
 * way (a packet encoded per recipient) and Dialogue's (one frame, {@link Broadcast}). In package
 * {@code dev.dialogue} to reach the package-private internals.
 *
 * <p>Run: {@code bin/bench-jmh} (see docs/performance.md).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class HotPathBenchmarks {
  /** A 100-byte chat message, as in the fan-out scenario. */
  public record Message(@NotBlank @Size(max = 2000) String text) {}

  private static final EventDefinition<Message> MESSAGE =
      EventDefinition.builder("message", Message.class).history(100).build();

  /** A session that accepts every packet and only counts them. */
  private static final class CountingSession implements Session {
    long packets;

    @Override
    public boolean sendEvent(OutboundEvent event) {
      packets++;
      return true;
    }

    @Override
    public void sendAck(long ackId, RawValue data) {
      packets++;
    }

    @Override
    public void close() {}
  }

  @Param({"1000"})
  public int members;

  private Dialogue dialogue;
  private RoomState room;
  private EventMessage envelope;
  private JsonNode payload;
  private PayloadValidator validator;
  private Membership[] memberships;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    dialogue =
        Dialogue.builder()
            .room(
                RoomConfig.builder("chat", "Chat")
                    .events(MESSAGE)
                    .defaultSubscriptions("message")
                    .build())
            .build();
    Hub hub = Internals.hub(dialogue);
    room = hub.room("chat").state();
    memberships = new Membership[members];
    for (int i = 0; i < members; i++) {
      RealConnection c =
          hub.newConnection(
              new CountingSession(), Hooks.Identity.accepted("user-" + i, Map.of(), Map.of()));
      memberships[i] = room.admit(c, JoinSubscriptions.NONE, a -> {}).membership();
      if (i % 2 == 1) {
        memberships[i].unsubscribe("message");
        memberships[i].subscribe(i % 4 == 1 ? "*" : "typing");
      }
    }
    payload = Json.tree(Map.of("text", "x".repeat(88)));
    envelope =
        new EventMessage(
            "message", "chat", payload, "alice", 1_795_000_000_000L, null, Ids.random(), 42L, null);
    validator = new PayloadValidator();
    setUpChannels();
  }

  /**
   * One event loop, as a server's, with {@code members} in-VM channel pairs on it: the server side
   * ends in a WebSocket frame encoder, as a session's does after the upgrade; the client side
   * counts and frees what arrives.
   */
  private DefaultEventLoopGroup loop;

  private Channel[] channels;
  private WebSocketOut[] outs;
  private final AtomicLong arrived = new AtomicLong();

  private PacketEncoder packetEncoder;
  private RawValue encoded;

  private void setUpChannels() throws Exception {
    loop = new DefaultEventLoopGroup(1);
    List<Channel> accepted = new CopyOnWriteArrayList<>();
    Channel server =
        new ServerBootstrap()
            .group(loop)
            .channel(LocalServerChannel.class)
            .childHandler(
                new ChannelInitializer<LocalChannel>() {
                  @Override
                  protected void initChannel(LocalChannel ch) {
                    ch.pipeline().addLast(new WebSocket13FrameEncoder(false));
                    accepted.add(ch);
                  }
                })
            .bind(LocalAddress.ANY)
            .sync()
            .channel();
    LocalAddress address = (LocalAddress) server.localAddress();
    Bootstrap client =
        new Bootstrap().group(loop).channel(LocalChannel.class).handler(new Arrivals(arrived));
    for (int i = 0; i < members; i++) {
      client.connect(address).sync();
    }
    while (accepted.size() < members) {
      Thread.onSpinWait();
    }
    channels = accepted.toArray(Channel[]::new);
    outs = new WebSocketOut[members];
    Flushers flushers = new Flushers(Duration.ZERO, Duration.ZERO);
    for (int i = 0; i < members; i++) {
      outs[i] = WebSocketOut.of(channels[i], flushers);
    }
    packetEncoder = new PacketEncoder(new Configuration(), new JacksonJsonSupport());
    encoded = Json.raw(envelope);
  }

  /**
   * netty-socketio's way (and the relay peer's), on the event loop: for every recipient a Socket.IO
   * packet encoded by its {@code PacketEncoder}, written and flushed as a text frame, which the
   * frame encoder copies behind a header.
   */
  @Benchmark
  public long writePacketPerRecipient() throws Exception {
    loop.submit(
            () -> {
              for (Channel channel : channels) {
                Packet packet = new Packet(PacketType.MESSAGE, EngineIOVersion.V4);
                packet.setSubType(PacketType.EVENT);
                packet.setNsp("");
                packet.setName(Wire.EVENT);
                packet.setData(List.of(encoded));
                ByteBuf buf = packetEncoder.allocateBuffer(channel.alloc());
                packetEncoder.encodePacket(packet, buf, channel.alloc(), true);
                channel.writeAndFlush(new TextWebSocketFrame(buf), channel.voidPromise());
              }
              return null;
            })
        .sync();
    return settle();
  }

  /**
   * Dialogue's way: one frame for the broadcast, handed to the event loop in one task that writes a
   * duplicate to every recipient, and one flush per recipient.
   */
  @Benchmark
  public long writeFrameOnce() throws Exception {
    Broadcast broadcast = new Broadcast(Wire.EVENT, encoded);
    for (WebSocketOut out : outs) {
      broadcast.add(out, "", Integer.MAX_VALUE);
    }
    broadcast.send();
    return settle();
  }

  /** The client side of every channel pair: counts and frees what arrives. */
  @ChannelHandler.Sharable
  private static final class Arrivals extends ChannelInboundHandlerAdapter {
    private final AtomicLong arrived;

    Arrivals(AtomicLong arrived) {
      this.arrived = arrived;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      arrived.incrementAndGet();
      ReferenceCountUtil.release(msg);
    }
  }

  /** Waits until the loop has run everything queued so far (the flush task included). */
  private long settle() throws Exception {
    loop.submit(() -> {}).sync();
    loop.submit(() -> {}).sync();
    return arrived.get();
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    validator.close();
    dialogue.close();
  }

  /** Encoding one envelope, done once per broadcast. */
  @Benchmark
  public RawValue encodeEnvelope() {
    return Json.raw(envelope);
  }

  /** Converting and validating a payload against its record type. */
  @Benchmark
  public JsonNode validatePayload() {
    return validator.validate(MESSAGE, "message", payload);
  }

  /** Deciding, for every member, whether it receives an event name. */
  @Benchmark
  public void routeSubscriptions(Blackhole bh) {
    for (Membership m : memberships) {
      bh.consume(m.receives("message"));
    }
  }

  /** A room's whole delivery step (offset, encode once, route, hand to sessions, history). */
  @Benchmark
  public Broker.Delivery deliverToRoom() {
    return room.deliver(envelope, 100);
  }
}
