package dev.dialogue.examples.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dialogue.examples.dashboard.DashboardEvents.Stats;
import dev.dialogue.testing.Browser;
import dev.dialogue.testing.RawClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * The page in headless Chromium: its numbers follow the server's, an admin resets the counters and
 * every viewer sees it. Screenshots go to target/dashboard-screenshots (the docs' images come from
 * there). The server ticks four times a second so that the charts fill up quickly; some lobby
 * traffic and a few extra connections make the numbers move.
 */
@Timeout(120)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DashboardBrowserTest {
  private static DashboardServer app;
  private static ScheduledExecutorService traffic;
  private static final List<RawClient> members = new ArrayList<>();
  private static DashboardPage viewer;

  @BeforeAll
  static void start() {
    assertThat(Browser.CHROMIUM).as("Debian's chromium").isExecutable();
    assertThat(Browser.CHROMEDRIVER).as("Debian's chromium-driver").isExecutable();
    app = DashboardServer.start(new DashboardOptions(0, "127.0.0.1", null, 7, 250, false));
    for (String user : List.of("alice", "bob", "carol")) {
      RawClient client =
          RawClient.connect(app.port(), Map.of("token", app.token(user, DashboardEvents.VIEWER)));
      client.join(DashboardEvents.LOBBY_ROOM);
      members.add(client);
    }
    traffic = Executors.newSingleThreadScheduledExecutor();
    int[] n = {0};
    traffic.scheduleAtFixedRate(
        () -> {
          String[] people = {"alice", "alice", "alice", "bob", "bob", "carol"};
          for (int i = 0; i < 1 + (n[0]++ % 7); i++) {
            app.dialogue()
                .trigger(
                    DashboardEvents.LOBBY_ROOM,
                    "chat",
                    new DashboardEvents.Chat("hi"),
                    people[(n[0] + i) % people.length]);
          }
        },
        0,
        50,
        TimeUnit.MILLISECONDS);
    viewer = new DashboardPage("viewer", 1400, 1180);
  }

  @AfterAll
  static void stop() {
    if (viewer != null) {
      viewer.close();
    }
    if (traffic != null) {
      traffic.shutdownNow();
    }
    members.forEach(RawClient::close);
    if (app != null) {
      app.close();
    }
  }

  @Test
  @Order(1)
  void thePagesNumbers_followTheServers() {
    viewer.open(app.url());
    assertThat(viewer.text("role")).isEqualToIgnoringCase("viewer");
    assertThat(viewer.find("reset-button").isDisplayed()).as("a viewer has no reset").isFalse();
    long previous = -1;
    for (int round = 0; round < 4; round++) {
      long after = previous;
      viewer.await("a newer tick than " + after, d -> viewer.seq() > after);
      Map<String, String> shown =
          viewer.read(
              "kpi-connections",
              "kpi-rooms",
              "kpi-events-in-total",
              "kpi-events-out-total",
              "kpi-orders-total",
              "kpi-heap",
              "region-total-EU");
      long seq = Long.parseLong(shown.get("seq"));
      Stats server = app.snapshot(seq);
      assertThat(server).as("the server's tick %s", seq).isNotNull();
      assertThat(number(shown.get("kpi-connections"))).isEqualTo(server.connections());
      assertThat(number(shown.get("kpi-rooms"))).isEqualTo(server.rooms());
      assertThat(number(shown.get("kpi-events-in-total"))).isEqualTo(server.eventsIn());
      assertThat(number(shown.get("kpi-events-out-total"))).isEqualTo(server.eventsOut());
      assertThat(number(shown.get("kpi-orders-total"))).isEqualTo(server.orders().totalAll());
      assertThat(number(shown.get("region-total-EU"))).isEqualTo(server.orders().total().get("EU"));
      assertThat(Double.parseDouble(shown.get("kpi-heap").replace(",", "")))
          .isEqualTo(server.jvm().heapUsedMb(), org.assertj.core.data.Offset.offset(0.051));
      assertThat(seq).isGreaterThan(previous);
      previous = seq;
    }
    assertThat(number(viewer.read("kpi-connections").get("kpi-connections")))
        .as("the page and the three lobby members")
        .isGreaterThanOrEqualTo(4);
    // Enough points for the charts to tell a story, then the screenshot for the docs.
    viewer.await("40 points in the charts", d -> viewer.chartPoints("chart-events") >= 40);
    viewer.await(
        "alice as the lobby's top talker",
        d ->
            d.findElements(DashboardPage.id("talkers-lobby")).stream()
                .anyMatch(t -> t.getText().startsWith("alice")));
    viewer.screenshot("dashboard-viewer");
  }

  @Test
  @Order(2)
  void anAdmin_resetsTheCounters_andEveryViewerSeesIt() {
    try (DashboardPage admin = new DashboardPage("admin", 1400, 1180)) {
      admin.open(app.adminUrl());
      admin.await("the admin badge", d -> admin.text("role").equalsIgnoreCase("admin"));
      long before = number(viewer.read("kpi-orders-total").get("kpi-orders-total"));
      String resetAt = admin.text("reset-at");
      admin.click("reset-button");
      admin.await("the reset confirmed", d -> admin.body().getAttribute("data-last-reset") != null);
      long at = Long.parseLong(admin.body().getAttribute("data-last-reset"));
      for (DashboardPage page : List.of(admin, viewer)) {
        page.await("the notice", d -> page.find("notice").isDisplayed());
        assertThat(page.text("notice")).startsWith("Counters reset by admin");
        page.await(
            "a tick after the reset",
            d -> {
              Stats s = app.snapshot(page.seq());
              return s != null && s.resetAt() == at;
            });
      }
      Map<String, String> shown = viewer.read("kpi-orders-total");
      Stats server = app.snapshot(Long.parseLong(shown.get("seq")));
      assertThat(number(shown.get("kpi-orders-total")))
          .isEqualTo(server.orders().totalAll())
          .isLessThan(before);
      assertThat(resetAt).isNotBlank();
      admin.screenshot("dashboard-admin-reset");
    }
  }

  @Test
  @Order(3)
  void aPageOpenedLater_drawsTheLastMinutesAtOnce_andAPhoneSizedWindowStacksTheCharts() {
    try (DashboardPage phone = new DashboardPage("phone", 420, 1600)) {
      phone.open(app.url());
      assertThat(phone.chartPoints("chart-orders"))
          .as("the recent ticks from /api/recent, drawn before the first live one")
          .isGreaterThan(40);
      int chartWidth = phone.find("chart-events").getSize().getWidth();
      assertThat(chartWidth).as("one chart per row").isGreaterThan(300);
      phone.screenshot("dashboard-phone");
    }
  }

  private static long number(String shown) {
    return Long.parseLong(shown.replace(",", "").trim());
  }
}
