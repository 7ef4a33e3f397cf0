package dev.dialogue.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One server under test in its own process, so that its heap, RSS and CPU are its own. Started by
 * the command the {@link Launcher} gives; speaks the control channel of {@link ServerArgs}: {@code
 * READY <port>} on standard output, {@code gc} on standard input, stop on end of input.
 */
final class ServerProcess implements AutoCloseable {
  /** Linux reports CPU times in /proc in clock ticks; {@code getconf CLK_TCK} is 100 here. */
  private static final long NANOS_PER_TICK = 10_000_000L;

  private final Process process;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
  private final int port;

  private ServerProcess(List<String> command, Path log) throws IOException {
    process =
        new ProcessBuilder(command)
            .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader out =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = out.readLine(); line != null; line = out.readLine()) {
                  lines.add(line);
                }
              } catch (IOException e) {
                // The process ended.
              }
            },
            "server-stdout-" + process.pid());
    reader.setDaemon(true);
    reader.start();
    String ready = await("READY ", 120);
    if (ready == null) {
      close();
      throw new IOException(
          "server did not print READY within 120 s: " + command + " (log: " + log + ")");
    }
    port = Integer.parseInt(ready.substring("READY ".length()).trim());
  }

  static ServerProcess start(List<String> command, Path log) throws IOException {
    Files.createDirectories(log.getParent());
    Files.writeString(log, "$ " + String.join(" ", command) + "\n");
    return new ServerProcess(new ArrayList<>(command), log);
  }

  int port() {
    return port;
  }

  long pid() {
    return process.pid();
  }

  /** User plus system CPU time the process has used so far, from /proc/PID/stat. */
  long cpuNanos() {
    try {
      String stat = Files.readString(Path.of("/proc/" + process.pid() + "/stat"));
      // The command name (field 2) may hold spaces; the fields after its ')' are fixed.
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * NANOS_PER_TICK;
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /** Resident set size in bytes, from /proc/PID/status. */
  long rssBytes() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + process.pid() + "/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (IOException | RuntimeException e) {
      // Reported as unknown.
    }
    return -1;
  }

  /** Heap in use after a full collection, as the server measures it; -1 if it does not answer. */
  long heapAfterGc() throws IOException {
    send("gc");
    String heap = await("HEAP ", 60);
    return heap == null ? -1 : Long.parseLong(heap.substring("HEAP ".length()).trim());
  }

  /**
   * The next line of standard output that starts with {@code prefix}, skipping others, or null
   * after {@code seconds}.
   */
  String await(String prefix, int seconds) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    try {
      while (true) {
        long left = deadline - System.nanoTime();
        String line = left <= 0 ? null : lines.poll(left, TimeUnit.NANOSECONDS);
        if (line == null) {
          return null;
        }
        if (line.startsWith(prefix)) {
          return line;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /** Sends {@code line} to the process's standard input (its control channel). */
  void send(String line) throws IOException {
    OutputStream in = process.getOutputStream();
    in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
    in.flush();
  }

  /**
   * Kills the process at once with SIGKILL, as a crashed machine would end it: no shutdown hook, no
   * close frame; the kernel closes its sockets. Waits until it is gone.
   */
  void kill() throws InterruptedException {
    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
  }

  /** Closes standard input (the server stops itself), then kills what is left after 15 s. */
  @Override
  public void close() {
    try {
      process.getOutputStream().close();
    } catch (IOException e) {
      // Already gone.
    }
    try {
      if (!process.waitFor(15, TimeUnit.SECONDS)) {
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
