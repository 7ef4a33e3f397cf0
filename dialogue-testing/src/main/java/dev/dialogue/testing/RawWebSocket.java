package dev.dialogue.testing;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A WebSocket that speaks Engine.IO v4 by hand ({@code java.net.http}), for tests that need to send
 * what no Socket.IO client would: events before CONNECT, broken JSON, binary attachments, huge
 * frames. It answers the server's pings ({@code "2"} with {@code "3"}) and records every frame it
 * receives; tests poll the recording with a timeout.
 */
public final class RawWebSocket implements AutoCloseable {
  public static final Duration TIMEOUT = RawClient.TIMEOUT;
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private final List<String> frames = new ArrayList<>();
  private final List<String> taken = new ArrayList<>();
  private final CompletableFuture<Integer> closed = new CompletableFuture<>();
  private final WebSocket socket;
  private CompletableFuture<WebSocket> sending;

  private RawWebSocket(int port, String query) {
    URI uri =
        URI.create("ws://127.0.0.1:" + port + "/socket.io/?EIO=4&transport=websocket" + query);
    socket =
        HTTP.newWebSocketBuilder()
            .buildAsync(uri, new Recorder())
            .orTimeout(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
            .join();
    sending = CompletableFuture.completedFuture(socket);
  }

  /** Opens an Engine.IO session and waits for its open packet ({@code 0{"sid":...}}). */
  public static RawWebSocket open(int port) {
    RawWebSocket ws = new RawWebSocket(port, "");
    ws.take(f -> f.startsWith("0{"), "the Engine.IO open packet");
    return ws;
  }

  /**
   * Upgrades the polling session {@code sid} to a WebSocket as Engine.IO clients do: probe, wait
   * for the answer, send the upgrade packet ({@code "5"}).
   */
  public static RawWebSocket upgrade(int port, String sid) {
    RawWebSocket ws = probe(port, sid);
    ws.send("5");
    return ws;
  }

  /**
   * Opens a WebSocket for the polling session {@code sid}, probes it and waits for the answer; the
   * caller sends the upgrade packet ({@code "5"}).
   */
  public static RawWebSocket probe(int port, String sid) {
    RawWebSocket ws = new RawWebSocket(port, "&sid=" + sid);
    ws.send("2probe");
    ws.take("3probe"::equals, "the probe's answer");
    return ws;
  }

  /** Sends one text frame; frames go out in call order. */
  public synchronized void send(String text) {
    sending = sending.thenCompose(ws -> ws.sendText(text, true));
  }

  /**
   * Sends one text message as fragments of {@code fragmentChars} characters (continuation frames).
   */
  public synchronized void sendFragmented(String text, int fragmentChars) {
    for (int from = 0; from < text.length(); from += fragmentChars) {
      String part = text.substring(from, Math.min(text.length(), from + fragmentChars));
      boolean last = from + fragmentChars >= text.length();
      sending = sending.thenCompose(ws -> ws.sendText(part, last));
    }
  }

  /** Sends one binary frame. */
  public synchronized void sendBinary(byte[] bytes) {
    sending = sending.thenCompose(ws -> ws.sendBinary(ByteBuffer.wrap(bytes), true));
  }

  /**
   * Sends a Socket.IO CONNECT with {@code authJson} and waits for the answer: {@code 40{...}}
   * (accepted) or {@code 44{...}} (refused), which is returned.
   */
  public String connect(String authJson) {
    send("40" + authJson);
    return take(f -> f.startsWith("40") || f.startsWith("44"), "a CONNECT answer");
  }

  /** Removes and returns the first received frame that matches, waiting up to the timeout. */
  public String take(Predicate<String> match, String description) {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    synchronized (frames) {
      while (true) {
        for (int i = 0; i < frames.size(); i++) {
          if (match.test(frames.get(i))) {
            String frame = frames.remove(i);
            taken.add(frame);
            return frame;
          }
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError(
              "no " + description + " within " + TIMEOUT + "; received " + frames);
        }
        waitOn(frames, left);
      }
    }
  }

  /** Takes the first frame starting with {@code prefix}. */
  public String takePrefix(String prefix) {
    return take(f -> f.startsWith(prefix), "a frame starting with " + prefix);
  }

  /** Every frame received so far, taken or not, in arrival order (pings included). */
  public List<String> all() {
    synchronized (frames) {
      List<String> all = new ArrayList<>(taken);
      all.addAll(frames);
      return all;
    }
  }

  /** Frames received and not taken. */
  public List<String> pending() {
    synchronized (frames) {
      return List.copyOf(frames);
    }
  }

  /** Waits for the server to close the connection; returns the close status (-1 on an abort). */
  public int awaitClosed() {
    try {
      return closed.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new AssertionError(
          "the server did not close the connection within " + TIMEOUT + "; received " + all(), e);
    }
  }

  public boolean isClosed() {
    return closed.isDone();
  }

  @Override
  public void close() {
    if (!closed.isDone()) {
      socket.abort();
    }
  }

  private static void waitOn(Object monitor, long nanos) {
    try {
      monitor.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(nanos)));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  private void record(String frame) {
    synchronized (frames) {
      frames.add(frame);
      frames.notifyAll();
    }
  }

  private final class Recorder implements WebSocket.Listener {
    private final StringBuilder partial = new StringBuilder();

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        String frame = partial.toString();
        partial.setLength(0);
        if (frame.equals("2")) {
          send("3");
        }
        record(frame);
      }
      ws.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
      record("<binary " + data.remaining() + " bytes>");
      ws.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
      closed.complete(statusCode);
      synchronized (frames) {
        frames.notifyAll();
      }
      return null;
    }

    @Override
    public void onError(WebSocket ws, Throwable error) {
      closed.complete(-1);
      synchronized (frames) {
        frames.notifyAll();
      }
    }
  }
}
