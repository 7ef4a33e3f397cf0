package dev.dialogue.internal;

import dev.dialogue.Dialogue;
import dev.dialogue.DialogueObserver;
import java.util.List;
import java.util.concurrent.Executor;
import org.slf4j.Logger;

/**
 * The application's observers as the one the engine calls: {@link DialogueObserver#NONE} when there
 * is none, so that an unobserved server calls an empty method; otherwise each call goes to every
 * observer in the order added, an exception caught and logged with the observer's name.
 */
public final class Observers implements DialogueObserver {
  private final List<DialogueObserver> observers;
  private final Logger log;

  private Observers(List<DialogueObserver> observers, Logger log) {
    this.observers = observers;
    this.log = log;
  }

  /** One observer for {@code observers}. */
  public static DialogueObserver of(List<DialogueObserver> observers, Logger log) {
    return observers.isEmpty() ? NONE : new Observers(List.copyOf(observers), log);
  }

  private interface Call {
    void call(DialogueObserver observer);
  }

  private void each(String method, Call call) {
    for (DialogueObserver observer : observers) {
      try {
        call.call(observer);
      } catch (RuntimeException | Error e) {
        log.error("Observer {}.{} failed", observer.getClass().getName(), method, e);
      }
    }
  }

  @Override
  public void onStart(Dialogue server, Executor hooks) {
    each("onStart", o -> o.onStart(server, hooks));
  }

  @Override
  public void onConnected(String transport, boolean resumed) {
    each("onConnected", o -> o.onConnected(transport, resumed));
  }

  @Override
  public void onDisconnected(String reason) {
    each("onDisconnected", o -> o.onDisconnected(reason));
  }

  @Override
  public void onHandshakeRefused(String reason) {
    each("onHandshakeRefused", o -> o.onHandshakeRefused(reason));
  }

  @Override
  public void onJoined(String roomId) {
    each("onJoined", o -> o.onJoined(roomId));
  }

  @Override
  public void onLeft(String roomId, String reason) {
    each("onLeft", o -> o.onLeft(roomId, reason));
  }

  @Override
  public void onRecovery(String roomId, boolean recovered) {
    each("onRecovery", o -> o.onRecovery(roomId, recovered));
  }

  @Override
  public void onRefused(String request, String code) {
    each("onRefused", o -> o.onRefused(request, code));
  }

  @Override
  public void onPublished(String roomId, String eventName, boolean defined, int recipients) {
    each("onPublished", o -> o.onPublished(roomId, eventName, defined, recipients));
  }

  @Override
  public void onWritten(long nanos, int deliveries, long bytes) {
    each("onWritten", o -> o.onWritten(nanos, deliveries, bytes));
  }

  @Override
  public void onSlowConsumer() {
    each("onSlowConsumer", DialogueObserver::onSlowConsumer);
  }

  @Override
  public void onHook(String hook, long nanos) {
    each("onHook", o -> o.onHook(hook, nanos));
  }
}
