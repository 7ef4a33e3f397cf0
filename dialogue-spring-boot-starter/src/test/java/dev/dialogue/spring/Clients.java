package dev.dialogue.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dialogue.Dialogue;
import dev.dialogue.client.DialogueClient;
import dev.dialogue.client.DialogueClientException;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.springframework.context.ApplicationContext;

/** Java clients of the server in a test's application context. */
final class Clients {
  private Clients() {}

  /** A client of the context's {@link Dialogue} that sends {@code auth}; not connected yet. */
  static DialogueClient client(ApplicationContext context, Map<String, String> auth) {
    int port = context.getBean(Dialogue.class).port();
    return DialogueClient.builder("http://127.0.0.1:" + port).auth(auth).reconnect(false).build();
  }

  /** The reason the server gave for refusing {@code client}'s connection. */
  static String refusal(DialogueClient client) throws Exception {
    try {
      client.connect().get(10, TimeUnit.SECONDS);
      throw new AssertionError("connected, expected a refusal");
    } catch (ExecutionException e) {
      assertThat(e.getCause()).isInstanceOf(DialogueClientException.class);
      DialogueClientException refused = (DialogueClientException) e.getCause();
      assertThat(refused.code()).isEqualTo("CONNECT_REFUSED");
      return refused.getMessage();
    }
  }

  /** The error code {@code future} failed with. */
  static String errorCode(java.util.concurrent.Future<?> future) throws Exception {
    try {
      future.get(10, TimeUnit.SECONDS);
      throw new AssertionError("succeeded, expected an error");
    } catch (ExecutionException e) {
      assertThat(e.getCause()).isInstanceOf(DialogueClientException.class);
      return ((DialogueClientException) e.getCause()).code();
    }
  }
}
