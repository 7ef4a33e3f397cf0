package dev.dialogue.examples.dashboard;

import static dev.dialogue.examples.dashboard.DashboardEvents.CHAT;
import static dev.dialogue.examples.dashboard.DashboardEvents.NOTICE;
import static dev.dialogue.examples.dashboard.DashboardEvents.RESET;
import static dev.dialogue.examples.dashboard.DashboardEvents.STATS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dialogue.client.DialogueClientException;
import dev.dialogue.examples.dashboard.DashboardEvents.Chat;
import dev.dialogue.examples.dashboard.DashboardEvents.Notice;
import dev.dialogue.examples.dashboard.DashboardEvents.ResetRequest;
import dev.dialogue.examples.dashboard.DashboardEvents.ResetResult;
import dev.dialogue.examples.dashboard.DashboardEvents.Stats;
import dev.dialogue.test.DialogueServerExtension;
import dev.dialogue.test.Recorder;
import dev.dialogue.test.TestClient;
import dev.dialogue.test.TestRoom;
import dev.dialogue.testing.Await;
import dev.dialogue.testing.RawPolling;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The dashboard over real sockets, through the test kit: one tick a second, as in production. */
@Timeout(60)
class DashboardServerTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static DashboardServer app;

  @RegisterExtension
  static DialogueServerExtension server =
      DialogueServerExtension.ofApplication(
          () ->
              app = DashboardServer.start(DashboardOptions.defaults().withAddress("127.0.0.1", 0)),
          DashboardServer::dialogue);

  private static TestClient viewer(String user) {
    return server.client(Map.of("token", app.token(user, DashboardEvents.VIEWER)));
  }

  private static TestClient admin() {
    return server.client(Map.of("token", app.adminToken()));
  }

  @Test
  void stats_arriveEverySecond_andFollowTheServer() {
    TestRoom room = viewer("vera").join(DashboardEvents.DASHBOARD_ROOM);
    Recorder<Stats> stats = room.record(STATS);
    Stats first = stats.next();
    Stats second = stats.next();
    assertThat(second.seq()).isEqualTo(first.seq() + 1);
    assertThat(second.time() - first.time()).as("ms between ticks").isBetween(500L, 2_000L);
    assertThat(second.uptimeMs()).isGreaterThan(first.uptimeMs());
    assertThat(second.connections()).isGreaterThanOrEqualTo(1);
    assertThat(second.rooms()).isEqualTo(2);
    assertThat(second.orders().perSecond()).containsOnlyKeys(OrdersFeed.REGIONS);
    assertThat(second.orders().totalAll()).isGreaterThan(first.orders().totalAll());
    assertThat(second.eventsOut())
        .as("every stats event reached this viewer at least")
        .isGreaterThan(first.eventsOut());
    assertThat(second.latency().samples()).isPositive();
    assertThat(second.jvm().heapUsedMb()).isPositive();
    assertThat(second.jvm().threads()).isPositive();
    assertThat(app.snapshot(second.seq())).isEqualTo(second);
  }

  @Test
  void viewers_cannotTrigger_inTheDashboardRoom_andNeitherCanAnAdmin() {
    TestRoom room = viewer("vic").join(DashboardEvents.DASHBOARD_ROOM);
    Stats fake = room.record(STATS).next();
    assertThatThrownBy(() -> room.send(STATS, fake))
        .isInstanceOfSatisfying(
            DialogueClientException.class,
            e -> assertThat(e.code()).isEqualTo(DashboardServer.READ_ONLY));
    assertThatThrownBy(() -> room.send(NOTICE, new Notice("hi", "vic", 0)))
        .isInstanceOfSatisfying(
            DialogueClientException.class,
            e -> assertThat(e.code()).isEqualTo(DashboardServer.READ_ONLY));
    assertThatThrownBy(() -> room.send("chat", Map.of("text", "hello")))
        .isInstanceOfSatisfying(
            DialogueClientException.class,
            e -> assertThat(e.code()).isEqualTo("EVENT_NOT_ALLOWED"));
    TestRoom asAdmin = admin().join(DashboardEvents.DASHBOARD_ROOM);
    assertThatThrownBy(() -> asAdmin.send(NOTICE, new Notice("hi", "admin", 0)))
        .isInstanceOfSatisfying(
            DialogueClientException.class,
            e -> assertThat(e.code()).isEqualTo(DashboardServer.READ_ONLY));
  }

  @Test
  void reset_byAnAdmin_startsTheCountersAgain_andAViewerIsRefused() {
    TestClient viewer = viewer("val");
    TestRoom room = viewer.join(DashboardEvents.DASHBOARD_ROOM);
    Recorder<Stats> stats = room.record(STATS);
    Recorder<Notice> notices = room.record(NOTICE);
    Stats before =
        stats.awaitMatching(
            s -> s.orders().totalAll() > 0 && s.eventsIn() > 12, Duration.ofSeconds(20));

    assertThatThrownBy(() -> viewer.request(RESET, new ResetRequest("please")))
        .isInstanceOfSatisfying(
            DialogueClientException.class,
            e -> assertThat(e.code()).isEqualTo(DashboardServer.FORBIDDEN));

    ResetResult result = admin().request(RESET, new ResetRequest("test"));
    assertThat(result.by()).isEqualTo("admin");
    assertThat(result.resetAt()).isGreaterThanOrEqualTo(before.time());
    Notice notice = notices.next();
    assertThat(notice.by()).isEqualTo("admin");
    assertThat(notice.at()).isEqualTo(result.resetAt());
    Stats after = stats.awaitMatching(s -> s.resetAt() == result.resetAt());
    assertThat(after.orders().totalAll())
        .as("one tick of orders since the reset")
        .isEqualTo(
            after.orders().perSecond().values().stream().mapToLong(Integer::longValue).sum());
    assertThat(after.eventsIn())
        .as("the notice and at most three lobby lines since the reset")
        .isLessThanOrEqualTo(4)
        .isLessThan(before.eventsIn());
  }

  @Test
  void talkers_countWhoPublishesInTheLobby() {
    TestRoom lobby = viewer("tess").join(DashboardEvents.LOBBY_ROOM);
    for (int i = 0; i < 3; i++) {
      lobby.send(CHAT, new Chat("line " + i));
    }
    Recorder<Stats> stats = viewer("tom").join(DashboardEvents.DASHBOARD_ROOM).record(STATS);
    Stats seen =
        stats.awaitMatching(
            s ->
                s.talkers().stream()
                    .filter(r -> r.roomId().equals(DashboardEvents.LOBBY_ROOM))
                    .flatMap(r -> r.top().stream())
                    .anyMatch(t -> t.userId().equals("tess") && t.events() >= 3));
    assertThat(seen.talkers()).noneMatch(r -> r.roomId().equals(DashboardEvents.DASHBOARD_ROOM));
  }

  @Test
  void connections_withoutAValidToken_areRefused() throws Exception {
    assertThatThrownBy(() -> server.client(Map.of())).isInstanceOf(DialogueClientException.class);
    String forged =
        new Tokens(Tokens.bytes(Tokens.randomSecret()), java.time.Clock.systemUTC()).admin();
    assertThatThrownBy(() -> server.client(Map.of("token", forged)))
        .isInstanceOf(DialogueClientException.class);
    // The page's viewer tokens come from /api/token.
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(server.url() + "/api/token")).build(),
                HttpResponse.BodyHandlers.ofString());
    String token = JSON.readTree(response.body()).path("token").asText();
    TestClient fromPage = server.client(Map.of("token", token));
    assertThat(fromPage.userId()).startsWith("viewer-");
    assertThatThrownBy(() -> fromPage.request(RESET, new ResetRequest("x")))
        .isInstanceOfSatisfying(
            DialogueClientException.class,
            e -> assertThat(e.code()).isEqualTo(DashboardServer.FORBIDDEN));
  }

  @Test
  void aViewerThatDoesNotRead_getsTheNewestNumbers_notTheTicksItMissed() throws Exception {
    assertThat(STATS.latestOnly()).isTrue();
    // A long-polling viewer that stops polling: what the server sends it waits for its next poll.
    RawPolling slow = RawPolling.open(server.port());
    slow.send("40{\"token\":\"" + app.token("sloth", DashboardEvents.VIEWER) + "\"}");
    slow.takePrefix("42[\"dialogue:connected\"");
    slow.send("42[\"dialogue:join\",{\"roomId\":\"dashboard\"}]");
    slow.takePrefix("42[\"dialogue:joined\"");
    long joinedAt = app.latest().seq();
    Await.until(
        "three ticks while the viewer does not poll",
        Duration.ofSeconds(10),
        () -> app.latest().seq() >= joinedAt + 3);
    long newest = app.latest().seq();

    JsonNode first = stats(slow.takePrefix("42[\"dialogue:event\""));
    assertThat(first.path("seq").asLong())
        .as("the first numbers it gets are the newest, not the next after it stopped")
        .isGreaterThanOrEqualTo(newest);
  }

  private static JsonNode stats(String packet) throws Exception {
    JsonNode envelope = JSON.readTree(packet.substring(2)).get(1);
    assertThat(envelope.path("event").asText()).isEqualTo("stats");
    return envelope.path("data");
  }
}
