package dev.dialogue.examples.spring;

import dev.dialogue.Dialogue;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.event.ContextClosedEvent;

/**
 * A Spring Boot application on {@code dialogue-spring-boot-starter}: its rooms, events, command,
 * authenticator, join policy and listener are beans ({@link ChatBeans}, {@link DemoAuthenticator},
 * {@link AdminsOnly}, {@link ConnectionLog}); the starter builds the server from them and from
 * {@code application.properties}, and starts and stops it with the context.
 *
 * <p>Run with {@code bin/dialogue-example spring [--port N] [--host H] [--password P]}. Like the
 * other examples it prints only {@code READY <port>} on standard output, logs on standard error,
 * and stops cleanly on SIGTERM (Spring Boot's shutdown hook closes the context).
 */
@SpringBootApplication
public class SpringExample {
  static final String USAGE =
      "usage: bin/dialogue-example spring [--port N] [--host H] [--password P]\n"
          + "  --port N      the port (default 8093; 0 picks a free one)\n"
          + "  --host H      the address to bind (default 0.0.0.0)\n"
          + "  --password P  the demo sign-in password every user shares (default dialogue)";

  /** The example's options and the Spring properties they set. */
  private static final Map<String, String> OPTIONS =
      Map.of(
          "--port", "dialogue.port", "--host", "dialogue.host", "--password", "example.password");

  /** Starts the application; exits 2 on a bad option and 1 if it cannot start. */
  public static void main(String[] args) {
    List<String> properties;
    try {
      properties = properties(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.err.println(USAGE);
      System.exit(2);
      return;
    }
    if (properties == null) {
      System.err.println(USAGE);
      return;
    }
    ConfigurableApplicationContext context;
    try {
      context = SpringApplication.run(SpringExample.class, properties.toArray(String[]::new));
    } catch (RuntimeException e) {
      System.err.println("spring: cannot start: " + e.getMessage());
      System.exit(1);
      return;
    }
    CountDownLatch closed = new CountDownLatch(1);
    context.addApplicationListener(
        (ContextClosedEvent event) -> {
          if (event.getApplicationContext() == context) {
            closed.countDown();
          }
        });
    if (!context.isActive()) {
      closed.countDown(); // closed (a SIGTERM) before the listener was added
    }
    System.out.println("READY " + context.getBean(Dialogue.class).port());
    System.out.flush();
    awaitUninterruptibly(closed);
  }

  /**
   * Spring command-line properties ({@code --dialogue.port=0}) for the example's options ({@code
   * --port 0}, {@code --port=0}); {@code null} when help was asked for.
   */
  static List<String> properties(String[] args) {
    List<String> properties = new ArrayList<>();
    List<String> seen = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      String name = args[i];
      String value = null;
      int eq = name.indexOf('=');
      if (name.startsWith("--") && eq > 0) {
        value = name.substring(eq + 1);
        name = name.substring(0, eq);
      }
      if (name.equals("--help") || name.equals("-h")) {
        return null;
      }
      String property = OPTIONS.get(name);
      if (property == null) {
        throw new IllegalArgumentException("unknown option: " + args[i]);
      }
      if (seen.contains(name)) {
        throw new IllegalArgumentException(name + " was given twice");
      }
      seen.add(name);
      if (value == null) {
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException(name + " needs a value");
        }
        value = args[++i];
      }
      if (name.equals("--port") && !value.matches("\\d{1,5}")) {
        throw new IllegalArgumentException(
            "--port must be a number in 0..65535 but was '" + value + "'");
      }
      properties.add("--" + property + "=" + value);
    }
    return properties;
  }

  private static void awaitUninterruptibly(CountDownLatch latch) {
    while (true) {
      try {
        latch.await();
        return;
      } catch (InterruptedException e) {
        // Only the context's closing ends the application.
      }
    }
  }
}
