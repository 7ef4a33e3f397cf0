package dev.dialogue.examples.notifications;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dialogue.client.DialogueClientException;
import dev.dialogue.client.EventMessage;
import dev.dialogue.test.DialogueServerExtension;
import dev.dialogue.test.Recorder;
import dev.dialogue.test.TestClient;
import dev.dialogue.test.TestRoom;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Notifications across devices over real sockets: delivery to every device of the addressee only,
 * the HTTP endpoint's key and input checks, read state in step across devices, rooms private to
 * their user, server-only events.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NotificationsServerTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final AtomicReference<NotificationsServer> APP = new AtomicReference<>();

  @RegisterExtension
  static final DialogueServerExtension SERVER =
      DialogueServerExtension.ofApplication(
          () -> {
            try {
              NotificationsServer app =
                  NotificationsServer.start(
                      new NotificationsServer.Options(
                          0,
                          "127.0.0.1",
                          Files.createTempDirectory("notifications-test"),
                          "test-api-key-0123456789"));
              APP.set(app);
              return app;
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            }
          },
          NotificationsServer::dialogue);

  static TestClient device(String userId) {
    return SERVER.client(Map.of("token", APP.get().tokenFor(userId)));
  }

  static TestRoom room(TestClient device, String userId) {
    return device.join(NotificationsServer.roomOf(userId));
  }

  static HttpResponse<String> post(String path, String apiKey, String body) {
    try {
      HttpRequest.Builder request =
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + SERVER.port() + path))
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString(body));
      if (apiKey != null) {
        request.header("X-Api-Key", apiKey);
      }
      return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static JsonNode json(String body) {
    try {
      return JSON.readTree(body);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void aNotificationReachesEveryDeviceOfTheAddressee_andNoOneElse() {
    TestClient phone = device("ann");
    TestClient laptop = device("ann");
    TestClient other = device("ben");
    Recorder<EventMessage> onPhone = room(phone, "ann").recordMessages("notification");
    Recorder<EventMessage> onLaptop = room(laptop, "ann").recordMessages("notification");
    Recorder<EventMessage> onOther = room(other, "ben").recordMessages("notification");

    HttpResponse<String> sent =
        post(
            "/api/notify",
            APP.get().apiKey(),
            "{\"userId\":\"ann\",\"title\":\"Build passed\",\"body\":\"main is green\"}");
    assertThat(sent.statusCode()).isEqualTo(202);
    String id = json(sent.body()).path("id").asText();
    assertThat(onPhone.next().data().path("id").asText()).isEqualTo(id);
    EventMessage laptopGot = onLaptop.next();
    assertThat(laptopGot.data().path("title").asText()).isEqualTo("Build passed");
    assertThat(laptopGot.data().path("unread").asLong()).isEqualTo(1);

    APP.get().notify("ben", "Your turn", null, null); // the server-side call
    assertThat(onOther.next().data().path("title").asText()).isEqualTo("Your turn");
    assertThat(onOther.all()).hasSize(1);
    assertThat(onPhone.all()).hasSize(1);
  }

  @Test
  void theHttpEndpoint_checksItsKeyAndItsInput() {
    String key = APP.get().apiKey();
    assertThat(post("/api/notify", null, "{\"userId\":\"ann\",\"title\":\"x\"}").statusCode())
        .isEqualTo(401);
    assertThat(post("/api/notify", key + "x", "{\"userId\":\"ann\",\"title\":\"x\"}").statusCode())
        .isEqualTo(401);
    HttpResponse<String> noTitle = post("/api/notify", key, "{\"userId\":\"ann\"}");
    assertThat(noTitle.statusCode()).isEqualTo(400);
    assertThat(json(noTitle.body()).path("message").asText()).contains("title");
    HttpResponse<String> badUser =
        post("/api/notify", key, "{\"userId\":\"Not Valid\",\"title\":\"x\"}");
    assertThat(json(badUser.body()).path("message").asText()).contains("userId");
    assertThat(post("/api/notify", key, "not json").statusCode()).isEqualTo(400);
    HttpResponse<String> badUrl =
        post(
            "/api/notify",
            key,
            "{\"userId\":\"ann\",\"title\":\"x\",\"url\":\"javascript:alert(1)\"}");
    assertThat(json(badUrl.body()).path("message").asText()).contains("url");
    assertThat(post("/api/signin", null, "{\"userId\":\"A B\"}").statusCode()).isEqualTo(400);
  }

  @Test
  void markingRead_onOneDevice_reachesTheOthersAtOnce() {
    TestClient phone = device("cat");
    TestClient laptop = device("cat");
    room(phone, "cat");
    Recorder<EventMessage> laptopReads = room(laptop, "cat").recordMessages("read");
    String first = APP.get().notify("cat", "One", null, null).id();
    APP.get().notify("cat", "Two", null, null);
    APP.get().notify("cat", "Three", null, null);

    JsonNode answer =
        phone.request("notifications.read", Map.of("ids", List.of(first)), JsonNode.class);
    assertThat(answer.path("unread").asLong()).isEqualTo(2);
    EventMessage read = laptopReads.next();
    assertThat(read.data().path("ids").get(0).asText()).isEqualTo(first);
    assertThat(read.data().path("unread").asLong()).isEqualTo(2);

    phone.request("notifications.readAll", null, JsonNode.class);
    EventMessage all = laptopReads.next();
    assertThat(all.data().path("all").asBoolean()).isTrue();
    assertThat(all.data().path("unread").asLong()).isZero();
    JsonNode list = laptop.request("notifications.list", Map.of("limit", 10), JsonNode.class);
    assertThat(list.path("unread").asLong()).isZero();
    assertThat(list.path("notifications").size()).isEqualTo(3);
    assertThat(list.path("notifications").get(0).path("title").asText()).isEqualTo("Three");
    assertThat(list.path("notifications").findValuesAsText("read")).containsOnly("true");

    // marking someone else's id changes nothing
    TestClient intruder = device("dan");
    JsonNode none =
        intruder.request("notifications.read", Map.of("ids", List.of(first)), JsonNode.class);
    assertThat(none.path("read").size()).isZero();
  }

  @Test
  void aUsersRoomIsPrivate_andItsEventsComeFromTheServerOnly() {
    TestClient eve = device("eve");
    DialogueClientException denied =
        catchThrowableOfType(
            () -> eve.join(NotificationsServer.roomOf("ann")), DialogueClientException.class);
    assertThat(denied.code()).isEqualTo("ROOM_NOT_FOUND");
    TestRoom own = room(eve, "eve");
    DialogueClientException forged =
        catchThrowableOfType(
            () ->
                own.send(
                    "notification",
                    Map.of("id", "x", "title", "fake", "createdAt", 1, "unread", 0)),
            DialogueClientException.class);
    assertThat(forged.code()).isEqualTo("SERVER_ONLY");
    DialogueClientException bad =
        catchThrowableOfType(
            () -> eve.request("notifications.read", Map.of("ids", List.of()), JsonNode.class),
            DialogueClientException.class);
    assertThat(bad.code()).isEqualTo("VALIDATION_FAILED");
  }

  @Test
  void theTestCommand_notifiesTheCaller() {
    TestClient fay = device("fay");
    Recorder<EventMessage> got = room(fay, "fay").recordMessages("notification");
    fay.request("notifications.test", Map.of("title", "Hi me"), JsonNode.class);
    assertThat(got.next(Duration.ofSeconds(10)).data().path("title").asText()).isEqualTo("Hi me");
  }
}
