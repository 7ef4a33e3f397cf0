package dev.dialogue.spring;

import static java.util.Objects.requireNonNull;

import dev.dialogue.Dialogue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Starts the {@link Dialogue} bean when the application context has refreshed and stops it first
 * when the context closes, in the same phase as Spring Boot's embedded web server: the port is
 * bound once every other bean is ready, and released before they are destroyed.
 *
 * <p>A {@code Dialogue} cannot be started again once stopped, so neither can this lifecycle: a
 * {@code start()} after {@code stop()} throws {@link IllegalStateException}.
 */
public final class DialogueLifecycle implements SmartLifecycle {
  /** The phase: that of Spring Boot's web server, {@code DEFAULT_PHASE - 2048}. */
  public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 2048;

  private static final Logger LOG = LoggerFactory.getLogger(DialogueLifecycle.class);

  private final Dialogue dialogue;
  private volatile boolean running;

  /** A lifecycle for {@code dialogue}. */
  public DialogueLifecycle(Dialogue dialogue) {
    this.dialogue = requireNonNull(dialogue, "dialogue == null");
  }

  /** Binds the port; returns once it is bound. */
  @Override
  public void start() {
    dialogue.start();
    running = true;
    LOG.info("Dialogue started on port {}", dialogue.port());
  }

  /** Closes the port and every connection; returns once done. */
  @Override
  public void stop() {
    running = false;
    dialogue.stop();
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  @Override
  public int getPhase() {
    return PHASE;
  }
}
