package dev.dialogue.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The storm client against frames as Dialogue and Socket.IO send them: it must resume from where it
 * stood, and count a gap, a duplicate or a refused recovery, or the storm's zeros would prove
 * nothing.
 */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class StormClientTest {
  private final Stats stats = new Stats();

  @Test
  void dialogue_rejoinsWithSince_andRecoversFromTheMissedEvents() {
    StormClient client = new StormClient(3, "storm", false, stats);
    assertThat(client.onConnectAck("40{\"sid\":\"s1\"}")).isEqualTo("{\"roomId\":\"storm\"}");
    client.onJoinAck("[{\"ok\":true,\"roomId\":\"storm\",\"offset\":0,\"epoch\":\"E1\"}]");
    client.onEvent(dialogueEvent(1, 1), 0);

    StormClient.Phase phase = new StormClient.Phase(3, true, new CountDownLatch(1));
    client.expect(phase);
    client.reconnecting();
    assertThat(client.auth()).isEqualTo("{\"userId\":\"user-3\"}");
    assertThat(client.onConnectAck("40{\"sid\":\"s2\"}"))
        .isEqualTo("{\"roomId\":\"storm\",\"since\":{\"offset\":1,\"epoch\":\"E1\"}}");
    client.onJoinAck(
        "[{\"ok\":true,\"roomId\":\"storm\",\"offset\":3,\"epoch\":\"E1\",\"recovered\":true,"
            + "\"missed\":["
            + envelope(2, 2)
            + ","
            + envelope(3, 3)
            + "]}]");

    assertThat(phase.done().getCount()).isZero();
    assertThat(client.reached(phase)).isTrue();
    assertThat(client.received()).isEqualTo(2);
    assertThat(stats.gaps.sum() + stats.duplicates.sum()).isZero();
    client.reconnecting();
    assertThat(client.onConnectAck("40{}")).contains("\"since\":{\"offset\":3,\"epoch\":\"E1\"}");
  }

  @Test
  void dialogue_refusedRecovery_isNotReached() {
    StormClient client = new StormClient(0, "storm", false, stats);
    client.onJoinAck("[{\"ok\":true,\"roomId\":\"storm\",\"offset\":5,\"epoch\":\"E1\"}]");
    StormClient.Phase phase = new StormClient.Phase(5, true, new CountDownLatch(1));
    client.expect(phase);
    client.reconnecting();
    client.onJoinAck(
        "[{\"ok\":true,\"roomId\":\"storm\",\"offset\":9,\"epoch\":\"E2\",\"recovered\":false}]");

    assertThat(phase.done().getCount()).isZero();
    assertThat(client.reached(phase)).isFalse();
  }

  @Test
  void gapsAndDuplicates_areCountedAcrossConnections() {
    StormClient client = new StormClient(0, "storm", false, stats);
    client.onEvent(dialogueEvent(1, 1), 0);
    client.onEvent(dialogueEvent(3, 3), 0);
    client.reconnecting();
    client.onJoinAck(
        "[{\"ok\":true,\"offset\":3,\"epoch\":\"E1\",\"recovered\":true,\"missed\":["
            + envelope(3, 3)
            + "]}]");

    assertThat(stats.gaps.sum()).isEqualTo(1);
    assertThat(stats.duplicates.sum()).isEqualTo(1);
  }

  @Test
  void socketIo_resumesWithPidAndOffset_andRecoversWhenTheSessionIsRestored() {
    StormClient client = new StormClient(4, "storm", true, stats);
    assertThat(client.onConnectAck("40{\"sid\":\"S\",\"pid\":\"P\"}")).contains("\"roomId\"");
    client.onOtherEvent("42[\"dialogue:connected\",{\"clientId\":\"S\"},\"o1\"]");
    client.onEvent(socketIoEvent(1, "o2"), 0);
    assertThat(client.auth()).isEqualTo("{\"userId\":\"user-4\"}");

    StormClient.Phase phase = new StormClient.Phase(2, true, new CountDownLatch(1));
    client.expect(phase);
    client.reconnecting();
    assertThat(client.auth()).isEqualTo("{\"userId\":\"user-4\",\"pid\":\"P\",\"offset\":\"o2\"}");
    client.onEvent(socketIoEvent(2, "o3"), 0); // replayed before the CONNECT answer
    assertThat(phase.done().getCount()).isOne();
    assertThat(client.onConnectAck("40{\"sid\":\"S\",\"pid\":\"P\"}")).isNull();

    assertThat(client.reached(phase)).isTrue();
    client.reconnecting();
    assertThat(client.auth()).contains("\"offset\":\"o3\"");
  }

  @Test
  void socketIo_newSession_isNotRecovered_andJoinsAgain() {
    StormClient client = new StormClient(4, "storm", true, stats);
    client.onConnectAck("40{\"sid\":\"S\",\"pid\":\"P\"}");
    client.onEvent(socketIoEvent(1, "o1"), 0);
    StormClient.Phase phase = new StormClient.Phase(1, true, new CountDownLatch(1));
    client.expect(phase);
    client.reconnecting();

    assertThat(client.onConnectAck("40{\"sid\":\"T\",\"pid\":\"Q\"}")).contains("\"roomId\"");
    assertThat(client.reached(phase)).isFalse();
    assertThat(phase.done().getCount()).isZero();
  }

  private static String envelope(long seq, long offset) {
    return "{\"event\":\"tick\",\"roomId\":\"storm\",\"data\":{\"bp\":\"9\",\"bs\":"
        + seq
        + ",\"bt\":5,\"pad\":\"xx\"},\"from\":\"p\",\"timestamp\":1,\"id\":\"i"
        + seq
        + "\",\"offset\":"
        + offset
        + "}";
  }

  private static ByteBuf dialogueEvent(long seq, long offset) {
    return buf("42[\"dialogue:event\"," + envelope(seq, offset) + "]");
  }

  private static ByteBuf socketIoEvent(long seq, String offset) {
    String envelope =
        "{\"event\":\"tick\",\"roomId\":\"storm\",\"data\":{\"bp\":\"9\",\"bs\":" + seq + "}}";
    return buf("42[\"dialogue:event\"," + envelope + ",\"" + offset + "\"]");
  }

  private static ByteBuf buf(String text) {
    return Unpooled.copiedBuffer(text, StandardCharsets.UTF_8);
  }
}
