package dev.dialogue.spring;

import static dev.dialogue.spring.Clients.client;
import static dev.dialogue.spring.Clients.errorCode;
import static dev.dialogue.spring.Clients.refusal;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dialogue.AuthResult;
import dev.dialogue.Authenticator;
import dev.dialogue.ClientConnection;
import dev.dialogue.CommandDefinition;
import dev.dialogue.Decision;
import dev.dialogue.Dialogue;
import dev.dialogue.DialogueException;
import dev.dialogue.DialogueListener;
import dev.dialogue.ErrorCode;
import dev.dialogue.EventDefinition;
import dev.dialogue.HistoryStore;
import dev.dialogue.HttpResponse;
import dev.dialogue.JoinPolicy;
import dev.dialogue.Room;
import dev.dialogue.RoomConfig;
import dev.dialogue.client.ClientRoom;
import dev.dialogue.client.DialogueClient;
import dev.dialogue.jdbc.JdbcHistoryStore;
import dev.dialogue.jwt.JwtAuthenticator;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The auto-configuration in application contexts, each serving on 127.0.0.1 port 0 and talked to
 * with the Java client.
 */
@Timeout(60)
class DialogueAutoConfigurationTest {
  record Message(@NotBlank String text) {}

  record Sum(@NotNull Integer a, @NotNull Integer b) {}

  record Total(int sum) {}

  static final EventDefinition<Message> MESSAGE =
      EventDefinition.builder("message", Message.class).history(10).build();
  static final CommandDefinition<Sum, Total> SUM =
      CommandDefinition.of("sum", Sum.class, Total.class);

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(AutoConfigurations.of(DialogueAutoConfiguration.class))
          .withPropertyValues("dialogue.port=0", "dialogue.host=127.0.0.1");

  @Test
  void withoutAuthenticator_refusesEveryConnection() {
    runner
        .withUserConfiguration(ChatRoom.class)
        .run(
            context -> {
              assertThat(context).hasSingleBean(Dialogue.class);
              assertThat(context.getBean(Authenticator.class))
                  .isInstanceOf(RefusingAuthenticator.class);
              assertThat(context.getBean(DialogueLifecycle.class).isRunning()).isTrue();
              try (DialogueClient alice = client(context, Map.of("userId", "alice"))) {
                assertThat(refusal(alice)).isEqualTo("Authentication required");
              }
            });
  }

  @Configuration(proxyBeanMethods = false)
  static class Registry {
    @Bean
    io.micrometer.core.instrument.MeterRegistry meterRegistry() {
      return new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
    }
  }

  @Test
  void withAMeterRegistry_theServersMetersAreInIt_andMove() {
    runner
        .withUserConfiguration(ChatRoom.class, Registry.class)
        .withPropertyValues("dialogue.auth.development-mode=true")
        .run(
            context -> {
              assertThat(context).hasSingleBean(dev.dialogue.micrometer.DialogueMetrics.class);
              io.micrometer.core.instrument.MeterRegistry registry =
                  context.getBean(io.micrometer.core.instrument.MeterRegistry.class);
              assertThat(registry.get("dialogue.connections").gauge().value()).isZero();
              try (DialogueClient alice = client(context, Map.of("userId", "alice"))) {
                alice.connect().get(10, SECONDS);
                dev.dialogue.testing.Await.until(
                    "the connection is counted",
                    () -> registry.get("dialogue.connections").gauge().value() == 1);
              }
            });
  }

  @Test
  void withoutAMeterRegistry_noMetricsBean() {
    runner
        .withUserConfiguration(ChatRoom.class)
        .withPropertyValues("dialogue.auth.development-mode=true")
        .run(
            context ->
                assertThat(context).doesNotHaveBean(dev.dialogue.micrometer.DialogueMetrics.class));
  }

  @Test
  void developmentMode_trustsTheUserIdTheClientSends() {
    runner
        .withUserConfiguration(ChatRoom.class)
        .withPropertyValues("dialogue.auth.development-mode=true")
        .run(
            context -> {
              assertThat(context).doesNotHaveBean(Authenticator.class);
              try (DialogueClient alice = client(context, Map.of("userId", "alice"))) {
                alice.connect().get(10, SECONDS);
                assertThat(alice.userId()).isEqualTo("alice");
              }
            });
  }

  @Test
  void applicationBeans_roomsEventsHooksListenersAndCommands_arePickedUp() {
    runner
        .withUserConfiguration(ChatRoom.class, Application.class)
        .run(
            context -> {
              assertThat(context.getBean(Authenticator.class))
                  .isSameAs(context.getBean(Application.class).authenticator);
              Application app = context.getBean(Application.class);
              try (DialogueClient alice = client(context, Map.of("user", "alice"))) {
                alice.connect().get(10, SECONDS);
                assertThat(alice.userId()).isEqualTo("alice");

                BlockingQueue<String> received = new LinkedBlockingQueue<>();
                ClientRoom chat =
                    alice
                        .join(
                            "chat",
                            r -> r.on("message", Message.class, m -> received.add(m.text())))
                        .get(10, SECONDS);
                assertThat(app.joined.poll(10, SECONDS)).isEqualTo("alice joined chat");
                chat.trigger("message", new Message("hi")).result().get(10, SECONDS);
                assertThat(received.poll(10, SECONDS)).isEqualTo("hi");

                assertThat(errorCode(alice.join("secret"))).isEqualTo("JOIN_DENIED");
                assertThat(alice.request("sum", new Sum(2, 3), Total.class).get(10, SECONDS))
                    .isEqualTo(new Total(5));
              }
              Dialogue dialogue = context.getBean(Dialogue.class);
              assertThat(dialogue.rooms()).extracting(Room::id).containsExactly("chat", "secret");
              // The global definition validates events of a room that accepts any event.
              assertThatThrownBy(() -> dialogue.trigger("secret", "message", Map.of("text", "")))
                  .isInstanceOfSatisfying(
                      DialogueException.class,
                      e -> assertThat(e.code()).isEqualTo(ErrorCode.VALIDATION_FAILED));
            });
  }

  @Test
  void applicationsOwnDialogue_replacesTheAutoConfiguredOne_andIsStartedWithTheContext() {
    runner
        .withUserConfiguration(OwnDialogue.class)
        .run(
            context -> {
              assertThat(context).hasSingleBean(Dialogue.class);
              Dialogue dialogue = context.getBean(Dialogue.class);
              assertThat(dialogue).isSameAs(context.getBean(OwnDialogue.class).dialogue);
              assertThat(dialogue.room("own")).isPresent();
              try (DialogueClient bob = client(context, Map.of("userId", "bob"))) {
                bob.connect().get(10, SECONDS); // its own, development-mode server
                assertThat(bob.userId()).isEqualTo("bob");
              }
            });
  }

  @Test
  void jwtSecret_configuresTheJwtAuthenticator() {
    runner
        .withPropertyValues("dialogue.auth.jwt.secret=0123456789abcdef0123456789abcdef")
        .run(
            context -> {
              assertThat(context.getBean(Authenticator.class)).isInstanceOf(JwtAuthenticator.class);
              try (DialogueClient nobody = client(context, Map.of("userId", "mallory"))) {
                assertThat(refusal(nobody)).isEqualTo("Missing token");
              }
            });
  }

  @Test
  void jwtSecret_yieldsToTheApplicationsAuthenticator() {
    runner
        .withUserConfiguration(Application.class)
        .withPropertyValues("dialogue.auth.jwt.secret=0123456789abcdef0123456789abcdef")
        .run(
            context ->
                assertThat(context.getBean(Authenticator.class))
                    .isSameAs(context.getBean(Application.class).authenticator));
  }

  @Test
  void jwtSecretTooShort_failsTheStartWithTheAuthenticatorsMessage() {
    runner
        .withPropertyValues("dialogue.auth.jwt.secret=short")
        .run(
            context ->
                assertThat(context)
                    .getFailure()
                    .rootCause()
                    .hasMessage("HS256 secret must be at least 32 bytes but was 5"));
  }

  @Test
  void historyJdbcUrl_storesAcknowledgedEventsInThatDatabase() {
    runner
        .withUserConfiguration(ChatRoom.class)
        .withPropertyValues(
            "dialogue.auth.development-mode=true",
            "dialogue.history.jdbc-url=jdbc:h2:mem:starter-history;DB_CLOSE_DELAY=-1")
        .run(
            context -> {
              HistoryStore store = context.getBean(HistoryStore.class);
              assertThat(store).isInstanceOf(JdbcHistoryStore.class);
              try (DialogueClient alice = client(context, Map.of("userId", "alice"))) {
                alice.connect().get(10, SECONDS);
                ClientRoom chat = alice.join("chat").get(10, SECONDS);
                chat.trigger("message", new Message("kept")).result().get(10, SECONDS);
              }
              assertThat(store.eventsAfter("chat", 0, 10))
                  .singleElement()
                  .satisfies(e -> assertThat(e.data().path("text").asText()).isEqualTo("kept"));
            });
  }

  @Test
  void properties_reachTheBuilder() {
    runner
        .withPropertyValues(
            "dialogue.auth.development-mode=true",
            "dialogue.limits.max-client-rooms=0",
            "dialogue.browser-client-path=")
        .run(
            context -> {
              try (DialogueClient alice = client(context, Map.of("userId", "alice"))) {
                alice.connect().get(10, SECONDS);
                assertThat(errorCode(alice.createRoom("mine", "Mine", null, null)))
                    .isEqualTo("PERMISSION_DENIED");
              }
              // Answered like any path the server does not serve.
              assertThat(get(context, "/dialogue.js").statusCode())
                  .isNotEqualTo(200)
                  .isEqualTo(get(context, "/nothing-here").statusCode());
            });
  }

  @Test
  void badPropertyValue_failsTheStartWithTheBuildersMessage() {
    runner
        .withPropertyValues("dialogue.limits.max-payload-bytes=10")
        .run(
            context ->
                assertThat(context)
                    .getFailure()
                    .rootCause()
                    .hasMessageContaining("maxPayloadBytes")
                    .hasMessageContaining("10"));
  }

  @Test
  void customizers_setWhatPropertiesDoNot() {
    runner
        .withUserConfiguration(HelloRoute.class)
        .run(
            context -> {
              var response = get(context, "/hello");
              assertThat(get(context, "/dialogue.js").statusCode()).isEqualTo(200); // by default
              assertThat(response.statusCode()).isEqualTo(200);
              assertThat(response.body()).isEqualTo("hello from a customizer");
            });
  }

  @Test
  void closingTheContext_stopsTheServer_andReleasesItsPort() throws Exception {
    int[] port = new int[1];
    runner.run(context -> port[0] = context.getBean(Dialogue.class).port());
    try (ServerSocket rebound = new ServerSocket(port[0], 1, InetAddress.getLoopbackAddress())) {
      assertThat(rebound.getLocalPort()).isEqualTo(port[0]);
    }
  }

  @Test
  void portInUse_failsTheStart() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      runner
          .withPropertyValues("dialogue.port=" + taken.getLocalPort())
          .run(
              context ->
                  assertThat(context)
                      .getFailure()
                      .hasMessageContaining("dialogueLifecycle")
                      .hasStackTraceContaining("cannot bind 127.0.0.1:" + taken.getLocalPort()));
    }
  }

  @Test
  void disabled_configuresNothing() {
    runner
        .withPropertyValues("dialogue.enabled=false")
        .run(
            context -> {
              assertThat(context).doesNotHaveBean(Dialogue.class);
              assertThat(context).doesNotHaveBean(DialogueLifecycle.class);
              assertThat(context).doesNotHaveBean(Authenticator.class);
            });
  }

  private static java.net.http.HttpResponse<String> get(
      org.springframework.context.ApplicationContext context, String path) throws Exception {
    int port = context.getBean(Dialogue.class).port();
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
            BodyHandlers.ofString());
  }

  @Configuration(proxyBeanMethods = false)
  static class ChatRoom {
    @Bean
    RoomConfig chat() {
      return RoomConfig.builder("chat", "Chat")
          .events(MESSAGE)
          .defaultSubscriptions("message")
          .build();
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class Application {
    final BlockingQueue<String> joined = new LinkedBlockingQueue<>();
    final Authenticator authenticator =
        handshake ->
            handshake.authString("user") != null
                ? AuthResult.accept(handshake.authString("user"))
                : AuthResult.reject("Who are you?");

    @Bean
    Authenticator appAuthenticator() {
      return authenticator;
    }

    @Bean
    RoomConfig secret() {
      return RoomConfig.builder("secret", "Secret").anyEvent().build();
    }

    @Bean
    EventDefinition<Message> message() {
      return MESSAGE;
    }

    @Bean
    JoinPolicy onlyChat() {
      return (client, room) ->
          room.id().equals("chat") ? Decision.allow() : Decision.deny("chat only");
    }

    @Bean
    DialogueListener joins() {
      return new DialogueListener() {
        @Override
        public void onJoined(ClientConnection client, Room room) {
          joined.add(client.userId() + " joined " + room.id());
        }
      };
    }

    @Bean
    DialogueCommand sum() {
      return DialogueCommand.of(SUM, (context, request) -> new Total(request.a() + request.b()));
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class OwnDialogue {
    final Dialogue dialogue =
        Dialogue.builder()
            .host("127.0.0.1")
            .port(0)
            .room(RoomConfig.builder("own", "Own").anyEvent().build())
            .build();

    @Bean
    Dialogue ownDialogue() {
      return dialogue;
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class HelloRoute {
    @Bean
    DialogueBuilderCustomizer hello() {
      return builder ->
          builder.http("/hello", request -> HttpResponse.text(200, "hello from a customizer"));
    }
  }
}
