package dev.dialogue.examples.notifications;

import static dev.dialogue.examples.chat.ChatPage.id;
import static org.assertj.core.api.Assertions.assertThat;

import dev.dialogue.examples.chat.ChatPage;
import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.WebElement;

/**
 * The notifications page in headless Chromium: two devices of one user and one of another; a
 * notification reaches both of the addressee's pages only, marking read on one clears it on the
 * other, and a reload shows the list with its read state. Screenshots in {@code
 * target/chat-screenshots} (notifications-*.png).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class NotificationsBrowserTest {
  private NotificationsServer server;
  private final List<ChatPage> pages = new java.util.ArrayList<>();

  @AfterEach
  void stop() {
    pages.forEach(ChatPage::close);
    if (server != null) {
      server.close();
    }
  }

  private ChatPage signedIn(String name, String userId, int width, int height) {
    ChatPage page = new ChatPage(name, width, height);
    pages.add(page);
    page.open("http://127.0.0.1:" + server.port() + "/");
    page.type("signin-user", userId);
    page.click("signin-submit");
    page.await("the page to be ready", d -> "true".equals(page.body().getAttribute("data-ready")));
    return page;
  }

  private static String unread(ChatPage page) {
    return page.find("unread-count").getAttribute("data-count");
  }

  @Test
  void twoDevicesOfOneUser_stayInStep_andAnotherUserSeesNothing() throws Exception {
    server =
        NotificationsServer.start(
            new NotificationsServer.Options(
                0,
                "127.0.0.1",
                Files.createTempDirectory("notifications-browser"),
                "browser-api-key-0123456789"));
    ChatPage laptop = signedIn("ivy-laptop", "ivy", 1100, 720);
    ChatPage phone = signedIn("ivy-phone", "ivy", 390, 760);
    ChatPage other = signedIn("jon", "jon", 900, 600);
    other.await("the empty state", d -> d.findElement(id("empty")).isDisplayed());

    server.notify(
        "ivy",
        "Deploy finished",
        "api-gateway 2.14 is live in eu-west-1",
        "https://status.example.com/deploys/2141");
    server.notify("ivy", "Anna mentioned you", "“@ivy can you review the incident notes?”", null);
    server.notify("ivy", "Invoice paid", "Acme Corp paid invoice #1042 (€1,280.00)", null);
    for (ChatPage page : List.of(laptop, phone)) {
      page.await("three notifications", d -> d.findElements(id("notification")).size() == 3);
      page.await("the unread count", d -> "3".equals(unread(page)));
    }
    assertThat(other.all("notification")).isEmpty();
    assertThat(unread(other)).isEqualTo("0");
    laptop.screenshot("notifications-laptop");

    WebElement first = laptop.all("notification").get(0);
    String firstId = first.getAttribute("data-id");
    first.findElement(id("mark-read")).click();
    phone.await(
        "the phone to show it read",
        d ->
            d.findElements(id("notification")).stream()
                .anyMatch(
                    n ->
                        firstId.equals(n.getAttribute("data-id"))
                            && "true".equals(n.getAttribute("data-read"))));
    phone.await("the phone's count", d -> "2".equals(unread(phone)));
    phone.screenshot("notifications-phone");

    phone.click("mark-all-read");
    laptop.await("the laptop's count", d -> "0".equals(unread(laptop)));
    laptop.driver.navigate().refresh();
    laptop.await(
        "the page to be ready", d -> "true".equals(laptop.body().getAttribute("data-ready")));
    laptop.await("the list after a reload", d -> d.findElements(id("notification")).size() == 3);
    assertThat(laptop.all("notification"))
        .allSatisfy(n -> assertThat(n.getAttribute("data-read")).isEqualTo("true"));
    assertThat(unread(laptop)).isEqualTo("0");
  }
}
