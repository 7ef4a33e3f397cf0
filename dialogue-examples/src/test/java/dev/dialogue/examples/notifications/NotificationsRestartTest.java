package dev.dialogue.examples.notifications;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dialogue.client.ClientRoom;
import dev.dialogue.client.DialogueClient;
import dev.dialogue.client.EventMessage;
import dev.dialogue.client.Rejoin;
import dev.dialogue.testing.CallbackRecorder;
import dev.dialogue.testing.FaultProxy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Offline catch-up (docs/examples/notifications.md): a device that is offline while the server
 * restarts and notifications are sent receives each of them once when it is back, from the durable
 * history, by offset.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class NotificationsRestartTest {
  @TempDir Path data;
  private final List<AutoCloseable> open = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
  }

  private NotificationsServer start() {
    NotificationsServer server =
        NotificationsServer.start(
            new NotificationsServer.Options(0, "127.0.0.1", data, "restart-api-key-0123456789"));
    open.add(server);
    return server;
  }

  @Test
  void aDeviceOfflineAcrossARestart_getsWhatWasSentMeanwhile_exactlyOnce() throws Exception {
    NotificationsServer first = start();
    first.notify("gus", "Before", null, null);
    FaultProxy proxy = FaultProxy.to(first.port());
    open.add(proxy);
    String token = first.tokenFor("gus");
    CallbackRecorder<EventMessage> got = new CallbackRecorder<>();
    CallbackRecorder<Rejoin> rejoins = new CallbackRecorder<>();
    DialogueClient phone =
        DialogueClient.builder("http://127.0.0.1:" + proxy.port())
            .auth(Map.of("token", token))
            .reconnectBackoff(Duration.ofMillis(50), Duration.ofMillis(300), 0.5)
            .build();
    open.add(phone::close);
    phone.connect().get(10, TimeUnit.SECONDS);
    ClientRoom room =
        phone
            .join(
                NotificationsServer.roomOf("gus"),
                r -> {
                  r.on("notification", EventMessage.class, (data, m) -> got.accept(m));
                  r.onRejoined(rejoins);
                })
            .get(10, TimeUnit.SECONDS);
    assertThat(room.lastOffset()).isEqualTo(1);

    proxy.refuse(true);
    proxy.reset();
    first.close();
    NotificationsServer second = start();
    proxy.retarget(second.port());
    List<String> sent = new ArrayList<>();
    for (String title : List.of("While away 1", "While away 2", "While away 3")) {
      sent.add(second.notify("gus", title, null, null).id());
    }
    proxy.refuse(false);

    Rejoin rejoin = rejoins.next();
    assertThat(rejoin.recovered()).isTrue();
    assertThat(rejoin.missed()).isEqualTo(3);
    List<String> ids = new ArrayList<>();
    for (EventMessage m : got.await(3)) {
      ids.add(m.data().path("id").asText());
    }
    assertThat(ids).containsExactlyElementsOf(sent);
    second.notify("gus", "After", null, null);
    assertThat(got.next().data().path("title").asText()).isEqualTo("After");
    assertThat(got.all()).hasSize(4);
  }
}
