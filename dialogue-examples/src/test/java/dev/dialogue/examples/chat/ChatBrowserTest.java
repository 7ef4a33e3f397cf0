package dev.dialogue.examples.chat;

import static dev.dialogue.examples.chat.ChatPage.id;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dialogue.client.ClientRoom;
import dev.dialogue.client.DialogueClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.Actions;

/**
 * The chat's web UI end to end (issue 15, "Tests"): the real server, two people in two headless
 * Chromiums (alice signs in, erin signs up), every step seen from the other side. The steps build
 * on each other, in order. Screenshots land in {@code target/chat-screenshots} (the docs' images
 * are taken from there).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ChatBrowserTest {
  private static Path data;
  private static ChatServer server;
  private static int port;
  private static ChatPage alice;
  private static ChatPage erin;

  @BeforeAll
  static void start() throws IOException {
    data = Files.createTempDirectory("chat-browser-test");
    server = ChatServer.start(new ChatOptions(0, "127.0.0.1", data, null, false));
    port = server.port();
    alice = new ChatPage("alice", 1280, 800);
    erin = new ChatPage("erin", 1280, 800);
  }

  @AfterAll
  static void stop() {
    for (AutoCloseable c : new AutoCloseable[] {alice, erin, server}) {
      try {
        if (c != null) {
          c.close();
        }
      } catch (Exception e) {
        // keep closing the rest
      }
    }
  }

  static String url() {
    return "http://127.0.0.1:" + port + "/";
  }

  @Test
  @Order(1)
  void signInAndSignUp() {
    alice.open(url());
    alice.await("the sign-in page", d -> d.findElement(id("signin-submit")).isDisplayed());
    alice.screenshot("chat-signin");
    alice.type("signin-username", "alice");
    alice.type("signin-password", "wrong-password");
    alice.click("signin-submit");
    alice.await("the sign-in error", d -> !d.findElement(id("auth-error")).getText().isBlank());
    alice.clearAndType("signin-password", "password");
    alice.click("signin-submit");
    alice.awaitReady();
    assertThat(alice.find("workspace-name").getText()).contains("Acme");

    erin.open(url());
    erin.signUp("erin", "Erin Lee", "erin-password-1");
    erin.openChannel("general");
    alice.openChannel("general");
    // the seeded conversation is there, newest last
    alice.message("Welcome to Acme's chat");
    alice.screenshot("chat-channel");
  }

  @Test
  @Order(2)
  void aMessageIsSentOptimistically_andReachesTheOther() {
    alice.send("Hello Erin, welcome to Acme!");
    WebElement mine = alice.message("Hello Erin, welcome to Acme!");
    alice.await("the message confirmed", d -> "sent".equals(mine.getAttribute("data-state")));
    erin.message("Hello Erin, welcome to Acme!");
    assertThat(erin.count("Hello Erin, welcome to Acme!")).isEqualTo(1);
  }

  @Test
  @Order(3)
  void typingIsShownToTheOtherOnly_andPresenceDots() {
    erin.type("composer-input", "Thanks, glad to");
    alice.await(
        "erin's typing notice",
        d -> d.findElement(id("typing-indicator")).getText().contains("Erin"));
    assertThat(erin.find("typing-indicator").getText()).doesNotContain("Erin");
    erin.type("composer-input", " be here", Keys.ENTER);
    alice.message("Thanks, glad to be here");
    String erinId =
        (String)
            erin.js(
                "const ms = document.querySelectorAll(\"[data-testid='message-list'] [data-testid='message']\");"
                    + " return ms[ms.length - 1].dataset.userId");
    assertThat(erinId).isNotBlank();
    // alice sees erin online where she picks people for a direct message
    alice.click("open-dm");
    alice.await(
        "erin online",
        d ->
            d.findElements(id("presence-dot")).stream()
                .anyMatch(
                    e ->
                        erinId.equals(e.getAttribute("data-user-id"))
                            && "true".equals(e.getAttribute("data-online"))));
    alice.screenshot("chat-dm-dialog");
    alice.type("dm-filter", Keys.ESCAPE);
    alice.await(
        "the dialog closed",
        d -> d.findElements(id("dm-dialog")).stream().noneMatch(WebElement::isDisplayed));
  }

  @Test
  @Order(4)
  void aReactionAndAThreadReply_reachTheOther() {
    WebElement message = erin.message("Hello Erin, welcome to Acme!");
    erin.clickAction(message, "action-react");
    erin.await("the reaction picker", d -> d.findElement(id("reaction-picker")).isDisplayed());
    erin.all("reaction-option").get(0).click();
    WebElement onAlice = alice.message("Hello Erin, welcome to Acme!");
    alice.await(
        "erin's reaction",
        d ->
            onAlice.findElements(id("reaction")).stream()
                .anyMatch(r -> "1".equals(r.getAttribute("data-count"))));

    alice.clickAction(onAlice, "action-reply");
    alice.await("the thread panel", d -> d.findElement(id("thread-panel")).isDisplayed());
    alice.type("thread-composer-input", "A reply in the thread", Keys.ENTER);
    WebElement onErin = erin.message("Hello Erin, welcome to Acme!");
    erin.await(
        "the thread summary", d -> onErin.findElement(id("reply-count")).getText().contains("1"));
    alice.screenshot("chat-thread");
    alice.click("panel-close");
  }

  @Test
  @Order(5)
  void editAndDelete_reachTheOther() {
    alice.send("This has a tpyo");
    WebElement mine = alice.message("This has a tpyo");
    erin.message("This has a tpyo");
    alice.clickAction(mine, "action-more");
    alice.click("menu-edit");
    alice.clearAndType("edit-input", "This had a typo");
    alice.type("edit-input", Keys.ENTER);
    WebElement edited = erin.message("This had a typo");
    erin.await("the edited mark", d -> !edited.findElements(id("message-edited")).isEmpty());

    alice.send("Delete me");
    WebElement doomed = alice.message("Delete me");
    erin.message("Delete me");
    alice.clickAction(doomed, "action-more");
    alice.click("menu-delete");
    erin.await("the deletion", d -> erin.messageOrNull("Delete me") == null);
  }

  @Test
  @Order(6)
  void anAttachmentAndAVoiceNote_areShownToTheOther() throws IOException {
    Path png = data.resolve("roadmap.png");
    Files.write(png, TestImages.png(640, 360));
    alice.find("file-input").sendKeys(png.toAbsolutePath().toString());
    alice.await("the attachment chip", d -> !d.findElements(id("attachment-chip")).isEmpty());
    alice.send("Here is the roadmap");
    erin.await(
        "the image",
        d -> {
          WebElement m = erin.messageOrNull("Here is the roadmap");
          if (m == null || m.findElements(id("message-image")).isEmpty()) {
            return false;
          }
          return Boolean.TRUE.equals(
              erin.js(
                  "const img = arguments[0].querySelector('img'); return !!img && img.complete && img.naturalWidth > 0",
                  m.findElement(id("message-image"))));
        });
    erin.screenshot("chat-attachment");

    alice.click("voice-button");
    alice.await("recording", d -> d.findElement(id("voice-recording")).isDisplayed());
    alice.await(
        "a second of recording",
        d ->
            ((Number) alice.js("return performance.now()")).doubleValue() > 0
                && d.findElement(id("voice-recording")).getText().matches("(?s).*0:0[1-9].*"));
    alice.click("voice-stop");
    erin.await(
        "the voice note",
        d ->
            d.findElements(id("message-audio")).stream()
                .anyMatch(a -> !a.getAttribute("data-file-id").isBlank()));
  }

  @Test
  @Order(7)
  void searchFindsAMessage() {
    alice.send("The quarterly zeppelin review is on Thursday");
    alice.message("zeppelin");
    alice.find("composer-input").click();
    new Actions(alice.driver).keyDown(Keys.CONTROL).sendKeys("k").keyUp(Keys.CONTROL).perform();
    alice.await("the search dialog", d -> d.findElement(id("search-dialog")).isDisplayed());
    alice.type("search-input", "zeppelin");
    WebElement result =
        alice.await(
            "a search result",
            d -> d.findElements(id("search-result")).stream().findFirst().orElse(null));
    assertThat(result.getText()).contains("zeppelin");
    alice.screenshot("chat-search");
    result.click();
    alice.await(
        "the dialog closed",
        d -> d.findElements(id("search-dialog")).stream().noneMatch(WebElement::isDisplayed));
  }

  @Test
  @Order(8)
  void anUnreadBadgeAppears_andClearsWhenRead() {
    erin.openChannel("random");
    // A click into the composer first: after the search dialog, chromedriver's typing does not
    // reach the focused textarea without one (a person clicks or is already there).
    alice.find("composer-input").click();
    alice.type("composer-input", "Anyone up for lunch?");
    alice.type("composer-input", Keys.ENTER);
    WebElement general = erin.channelItem("general");
    erin.await(
        "the unread badge",
        d -> !"0".equals(erin.channelItem("general").getAttribute("data-unread")));
    assertThat(general.findElements(id("unread-badge"))).isNotEmpty();
    erin.screenshot("chat-unread");
    erin.openChannel("general");
    erin.await(
        "the badge cleared",
        d -> "0".equals(erin.channelItem("general").getAttribute("data-unread")));
  }

  @Test
  @Order(9)
  void aReloadShowsTheHistory() {
    erin.driver.navigate().refresh();
    erin.awaitReady();
    erin.openChannel("general");
    erin.message("Anyone up for lunch?");
    assertThat(erin.count("Hello Erin, welcome to Acme!")).isEqualTo(1);
  }

  @Test
  @Order(10)
  void aServerRestart_recoversTheMessagesSentMeanwhile_noneLostOrDoubled() throws Exception {
    erin.openChannel("general");
    server.close();
    erin.await("the reconnecting banner", d -> !d.findElements(id("reconnect-banner")).isEmpty());
    server = ChatServer.start(new ChatOptions(port, "127.0.0.1", data, null, false));
    // carol writes at once, before the browsers are back
    String token = new ChatHttpClient(port).signIn("carol", "password");
    DialogueClient carol =
        DialogueClient.builder("http://127.0.0.1:" + port).auth(Map.of("token", token)).build();
    try {
      carol.connect().get(10, TimeUnit.SECONDS);
      JsonNode me = carol.request("me", null, JsonNode.class).get(10, TimeUnit.SECONDS);
      String general = null;
      for (JsonNode c : me.path("channels")) {
        if (c.path("name").asText().equals("general")) {
          general = c.path("roomId").asText();
        }
      }
      ClientRoom room = carol.join(general).get(10, TimeUnit.SECONDS);
      for (int i = 1; i <= 3; i++) {
        room.trigger("message", Map.of("text", "While you were away " + i))
            .result()
            .get(10, TimeUnit.SECONDS);
      }
    } finally {
      carol.close();
    }
    for (int i = 1; i <= 3; i++) {
      erin.message("While you were away " + i);
    }
    erin.await(
        "the reconnected banner",
        d ->
            d.findElements(id("reconnect-banner")).stream()
                .anyMatch(
                    b ->
                        "reconnected".equals(b.getAttribute("data-kind"))
                            || "reloaded".equals(b.getAttribute("data-kind"))));
    erin.screenshot("chat-reconnected");
    for (int i = 1; i <= 3; i++) {
      assertThat(erin.count("While you were away " + i)).as("copies of message %d", i).isEqualTo(1);
    }
    assertThat(erin.count("Hello Erin, welcome to Acme!")).isEqualTo(1);
    String kind =
        erin.all("reconnect-banner").stream()
            .map(b -> b.getAttribute("data-kind"))
            .filter(k -> k.startsWith("re") && !k.equals("reconnecting"))
            .findFirst()
            .orElse("");
    assertThat(kind).as("recovered by offset, not reloaded").isEqualTo("reconnected");
  }

  @Test
  @Order(11)
  void aChannelIsCreatedInTheDialog_browsedAndJoinedByTheOther_andAPinIsListed() {
    alice.openChannel("general");
    alice.click("create-channel");
    alice.type("create-name", "design-review");
    alice.type("create-topic", "Mockups and feedback");
    alice.click("create-submit");
    alice.await("#design-review open", d -> find(d, "channel-name").contains("design-review"));
    erin.click("browse-channels");
    WebElement item =
        erin.await(
            "#design-review in the browser",
            d ->
                d.findElements(id("browse-item")).stream()
                    .filter(i -> i.getText().contains("design-review"))
                    .findFirst()
                    .orElse(null));
    item.findElement(id("browse-join")).click();
    erin.await("#design-review open", d -> find(d, "channel-name").contains("design-review"));
    erin.send("Looks great so far");
    WebElement onAlice = alice.message("Looks great so far");
    alice.clickAction(onAlice, "action-pin");
    alice.click("pins-button");
    alice.await(
        "the pinned message in the pins panel",
        d ->
            d.findElements(id("pinned-item")).stream()
                .anyMatch(p -> p.getText().contains("Looks great so far")));
    alice.screenshot("chat-pins");
    alice.click("panel-close");
  }

  @Test
  @Order(12)
  void aMutedUser_seesTheRefusalInTheComposer() {
    WebElement erinsMessage = alice.message("Looks great so far");
    erinsMessage.findElement(id("message-author")).click();
    alice.await("the user menu", d -> d.findElement(id("user-menu")).isDisplayed());
    alice.click("mod-mute");
    erin.send("Can I still talk?");
    erin.await(
        "the muted notice",
        d -> d.findElement(id("composer-notice")).getText().toLowerCase().contains("muted"));
    erin.await(
        "the message marked failed",
        d ->
            d.findElements(id("message")).stream()
                .anyMatch(m -> "failed".equals(m.getAttribute("data-state"))));
    erin.screenshot("chat-muted");
  }

  private static String find(org.openqa.selenium.WebDriver d, String testId) {
    return d.findElement(id(testId)).getText();
  }

  @Test
  @Order(14)
  void aRefusedRecovery_isSaid_andTheChannelIsReloaded() throws Exception {
    erin.openChannel("general");
    // Erin's browser is offline while the backlog is published, so her re-join comes after all of
    // it (published after the restart with her online, her re-join could come first and recover a
    // part of it).
    org.openqa.selenium.chromium.ChromiumNetworkConditions offline =
        new org.openqa.selenium.chromium.ChromiumNetworkConditions();
    offline.setOffline(true);
    erin.driver.setNetworkConditions(offline);
    server.close();
    erin.await("the reconnecting banner", d -> !d.findElements(id("reconnect-banner")).isEmpty());
    server = ChatServer.start(new ChatOptions(port, "127.0.0.1", data, null, false));
    // More than the server recovers by offset (maxRecoveryEvents, 1,000): the re-join is answered
    // recovered: false, and the page must say so and load the channel again.
    String general =
        server.dialogue().rooms().stream()
            .filter(r -> r.name().equals("general"))
            .findFirst()
            .orElseThrow()
            .id();
    dev.dialogue.Room room = server.dialogue().room(general).orElseThrow();
    long before = room.offset();
    for (int i = 1; i <= 1_005; i++) {
      server.dialogue().trigger(general, "message", Map.of("text", "Backlog " + i));
    }
    dev.dialogue.testing.Await.until(
        "the backlog published",
        java.time.Duration.ofSeconds(60),
        () -> room.offset() >= before + 1_005);
    erin.driver.deleteNetworkConditions();
    erin.await(
        "the reloaded banner",
        d ->
            d.findElements(id("reconnect-banner")).stream()
                .anyMatch(b -> "reloaded".equals(b.getAttribute("data-kind"))));
    erin.message("Backlog 1005");
    assertThat(erin.count("Backlog 1005")).isEqualTo(1);
    erin.screenshot("chat-reloaded");
  }

  @Test
  @Order(13)
  void aPhoneSizedWindow_showsTheChannelWithASlideOverSidebar() {
    try (ChatPage phone = new ChatPage("phone", 390, 844)) {
      phone.open(url());
      phone.signIn("bob", "password");
      phone.await("the menu button", d -> d.findElement(id("menu-button")).isDisplayed());
      phone.screenshot("chat-phone");
      phone.click("menu-button");
      phone.await("the sidebar", d -> d.findElement(id("sidebar")).isDisplayed());
      phone.screenshot("chat-phone-sidebar");
    }
  }
}
