package dev.dialogue.testing;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A real Redis for tests: Debian's {@code redis-server} ({@code apt-get install redis-server};
 * {@code .ci/run} does it) started as a child process on 127.0.0.1 and a free port, with nothing
 * persisted, in a temporary directory of its own. {@link #shared()} is one server for the JVM
 * (stopped at exit); {@link #start()} a new one, stopped by {@link #close()} (to test a node or
 * Redis going away), or {@link #startAppendOnly()} one that keeps its data in an append-only file
 * written at every command; {@link #restart()} kills it and starts it again on the same port and
 * directory. {@link #command} speaks RESP directly, for setup and assertions.
 */
public final class TestRedis implements AutoCloseable {
  /** Debian's server binary. */
  public static final Path REDIS_SERVER = Path.of("/usr/bin/redis-server");

  private static final Duration START_TIMEOUT = Duration.ofSeconds(15);
  private static TestRedis shared;

  private Process process;
  private final Path dir;
  private final int port;
  private final boolean appendOnly;

  private TestRedis(Process process, Path dir, int port, boolean appendOnly) {
    this.process = process;
    this.dir = dir;
    this.port = port;
    this.appendOnly = appendOnly;
  }

  /** The JVM's server, started on the first call. */
  public static synchronized TestRedis shared() {
    if (shared == null) {
      TestRedis started = start();
      Runtime.getRuntime().addShutdownHook(new Thread(started::close, "test-redis-stop"));
      shared = started;
    }
    return shared;
  }

  /**
   * A new server of its own.
   *
   * @throws AssertionError if {@code redis-server} is not installed
   */
  public static TestRedis start() {
    return start(false);
  }

  /**
   * A new server of its own that writes every change to its append-only file before answering
   * ({@code appendfsync always}), so that {@link #restart()} keeps its data.
   */
  public static TestRedis startAppendOnly() {
    return start(true);
  }

  private static TestRedis start(boolean appendOnly) {
    if (!Files.isExecutable(REDIS_SERVER)) {
      throw new AssertionError(
          REDIS_SERVER + " is not an executable: install Debian's redis-server (.ci/run does it)");
    }
    IOException last = null;
    for (int attempt = 0; attempt < 5; attempt++) {
      try {
        Path dir = Files.createTempDirectory("dialogue-redis");
        TestRedis redis = launch(freePort(), dir, appendOnly);
        if (redis != null) {
          return redis;
        }
        deleteDir(dir);
      } catch (IOException e) {
        last = e;
      }
    }
    throw new IllegalStateException("redis-server did not start on a free port", last);
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  /**
   * Kills the server (SIGKILL: what was not written is lost) and starts it again on the same port
   * and directory; without {@link #startAppendOnly()}, it comes back empty.
   */
  public void restart() {
    try {
      process.destroyForcibly().waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
      long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
      while (true) {
        TestRedis again = launch(port, dir, appendOnly);
        if (again != null) {
          process = again.process;
          return;
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("redis-server did not start again on port " + port);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Starts on {@code port}; null if it did not come up (the port was taken meanwhile). */
  private static TestRedis launch(int port, Path dir, boolean appendOnly) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(REDIS_SERVER.toString());
    for (String arg :
        new String[] {
          "--port",
          String.valueOf(port),
          "--bind",
          "127.0.0.1",
          "--save",
          "",
          "--appendonly",
          appendOnly ? "yes" : "no",
          "--appendfsync",
          "always",
          "--dir",
          dir.toString(),
          "--daemonize",
          "no",
          "--logfile",
          dir.resolve("redis.log").toString(),
        }) {
      command.add(arg);
    }
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    process.getOutputStream().close();
    TestRedis redis = new TestRedis(process, dir, port, appendOnly);
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        return null; // the caller keeps or deletes the directory
      }
      try {
        if ("PONG".equals(redis.command("PING"))) {
          return redis;
        }
      } catch (IOException e) {
        // not listening yet
      }
      Thread.onSpinWait();
    }
    redis.close();
    throw new IllegalStateException("redis-server did not answer PING within " + START_TIMEOUT);
  }

  /** The port it listens on (127.0.0.1). */
  public int port() {
    return port;
  }

  /** {@code redis://127.0.0.1:<port>}, for clients such as Lettuce. */
  public String uri() {
    return "redis://127.0.0.1:" + port;
  }

  /** Empties every database (between tests on the shared server). */
  public void flushAll() {
    try {
      command("FLUSHALL");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Sends one command and returns its reply as text: a simple string or error ("ERR ..." prefixed
   * with {@code -}), an integer, a bulk string (null for a nil), or an array's elements joined by
   * newlines.
   */
  public String command(String... args) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(5_000);
      OutputStream out = socket.getOutputStream();
      StringBuilder request = new StringBuilder("*").append(args.length).append("\r\n");
      for (String arg : args) {
        byte[] bytes = arg.getBytes(StandardCharsets.UTF_8);
        request.append('$').append(bytes.length).append("\r\n").append(arg).append("\r\n");
      }
      out.write(request.toString().getBytes(StandardCharsets.UTF_8));
      out.flush();
      return reply(new BufferedInputStream(socket.getInputStream()));
    }
  }

  private static String reply(InputStream in) throws IOException {
    String line = line(in);
    char type = line.charAt(0);
    String rest = line.substring(1);
    switch (type) {
      case '+':
      case ':':
        return rest;
      case '-':
        return "-" + rest;
      case '$':
        {
          int n = Integer.parseInt(rest);
          if (n < 0) {
            return null;
          }
          byte[] bytes = in.readNBytes(n + 2);
          return new String(bytes, 0, n, StandardCharsets.UTF_8);
        }
      case '*':
        {
          int n = Integer.parseInt(rest);
          List<String> items = new ArrayList<>();
          for (int i = 0; i < n; i++) {
            items.add(reply(in));
          }
          return String.join("\n", items);
        }
      default:
        throw new IOException("unexpected reply: " + line);
    }
  }

  private static String line(InputStream in) throws IOException {
    StringBuilder line = new StringBuilder();
    int b;
    while ((b = in.read()) != -1) {
      if (b == '\r') {
        in.read(); // '\n'
        return line.toString();
      }
      line.append((char) b);
    }
    throw new IOException("connection closed");
  }

  /** Stops the server at once (nothing is persisted) and deletes its directory. */
  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, java.util.concurrent.TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    deleteDir();
  }

  private void deleteDir() {
    deleteDir(dir);
  }

  private static void deleteDir(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a leftover temporary directory harms nothing
    }
  }
}
