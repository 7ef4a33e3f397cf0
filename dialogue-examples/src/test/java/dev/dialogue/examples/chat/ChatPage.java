package dev.dialogue.examples.chat;

import dev.dialogue.examples.BrowserPage;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.NoSuchElementException;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.Actions;

/**
 * One person in a web UI (the chat's, also the other examples'): a headless Debian Chromium of its
 * own (own profile, so two pages are two browsers that share nothing), found by the UI's {@code
 * data-testid}s. The fake media devices give {@code getUserMedia} a generated tone, so voice notes
 * record for real.
 */
public final class ChatPage extends BrowserPage {
  public ChatPage(String name, int width, int height) {
    super(name, width, height, "chat-screenshots");
  }

  void signIn(String username, String password) {
    await("the sign-in form", d -> d.findElement(id("signin-username")).isDisplayed());
    click("auth-tab-signin");
    type("signin-username", username);
    type("signin-password", password);
    click("signin-submit");
    awaitReady();
  }

  void signUp(String username, String displayName, String password) {
    await("the sign-in form", d -> d.findElement(id("signin-username")).isDisplayed());
    click("auth-tab-signup");
    type("signin-username", username);
    type("signup-displayname", displayName);
    type("signin-password", password);
    click("signin-submit");
    awaitReady();
  }

  void awaitReady() {
    await("the app to be ready", d -> "true".equals(body().getAttribute("data-ready")));
  }

  /** Types a message in the composer and sends it with Enter. */
  void send(String text) {
    type("composer-input", text);
    type("composer-input", Keys.ENTER);
  }

  void openChannel(String name) {
    await(
        "#" + name + " in the sidebar",
        d -> {
          for (WebElement item : d.findElements(id("channel-item"))) {
            if (item.getText().contains(name)) {
              item.click();
              return true;
            }
          }
          return false;
        });
    await("#" + name + " to be open", d -> find("channel-name").getText().contains(name));
  }

  WebElement channelItem(String name) {
    return await(
        "#" + name + " in the sidebar",
        d -> {
          for (WebElement item : d.findElements(id("channel-item"))) {
            if (item.getText().contains(name)) {
              return item;
            }
          }
          return null;
        });
  }

  /** The message in the list whose text contains {@code text}, once it is there. */
  WebElement message(String text) {
    return await("a message with '" + text + "'", d -> messageOrNull(text));
  }

  WebElement messageOrNull(String text) {
    for (WebElement m :
        driver.findElements(
            By.cssSelector("[data-testid='message-list'] [data-testid='message']"))) {
      try {
        if (m.findElement(id("message-text")).getText().contains(text)) {
          return m;
        }
      } catch (NoSuchElementException | StaleElementReferenceException e) {
        // not a text message, or re-rendered: look at the next
      }
    }
    return null;
  }

  /** How many messages of the main list contain {@code text}. */
  long count(String text) {
    Object n =
        driver.executeScript(
            "return [...document.querySelectorAll(\"[data-testid='message-list'] [data-testid='message-text']\")]"
                + ".filter(e => e.textContent.includes(arguments[0])).length",
            text);
    return ((Number) n).longValue();
  }

  void hover(WebElement element) {
    new Actions(driver).moveToElement(element).perform();
  }

  /**
   * Hovers {@code message} and clicks its action {@code testId} once the hover shows it (the
   * actions appear on hover; a slow machine may take a moment, or the pointer may have moved).
   */
  void clickAction(WebElement message, String testId) {
    await(
        testId + " on hover",
        d -> {
          hover(message);
          WebElement action = message.findElement(id(testId));
          if (!action.isDisplayed()) {
            return false;
          }
          try {
            action.click();
            return true;
          } catch (org.openqa.selenium.ElementNotInteractableException e) {
            return false;
          }
        });
  }
}
