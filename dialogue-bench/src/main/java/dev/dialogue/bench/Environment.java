package dev.dialogue.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

/** What the report says about the machine and the software, read from the running system. */
record Environment(
    String date,
    String machine,
    String loadAtStart,
    String servers,
    String generator,
    String profileFlags) {

  static Environment capture(String nodeVersion, String profileFlags) {
    String cpu = grep(Path.of("/proc/cpuinfo"), "model name");
    String mem = grep(Path.of("/proc/meminfo"), "MemTotal");
    String machine =
        Runtime.getRuntime().availableProcessors()
            + " cores ("
            + (cpu == null ? "?" : cpu)
            + "), "
            + (mem == null ? "?" : mem)
            + " memory, "
            + System.getProperty("os.name")
            + " "
            + System.getProperty("os.version")
            + "; open files per process: "
            + openFileLimit();
    String servers =
        "Dialogue (this repository) and the netty-socketio 2.0.14 relay on "
            + System.getProperty("java.vm.name")
            + " "
            + System.getProperty("java.runtime.version")
            + ", both on Netty's "
            + (io.netty.channel.epoll.Epoll.isAvailable()
                ? "native epoll transport (Dialogue's default where available)"
                : "NIO transport (native epoll is not available here)")
            + "; Node.js "
            + nodeVersion
            + " with socket.io 4.8.4 (websocket only, no compression, like the Java servers).";
    String generator =
        "the same JVM, flags `"
            + String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments())
            + "`, 2 Netty event loops for the connections, 1 more for the fan-out publishers.";
    return new Environment(
        ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME),
        machine,
        loadNow(),
        servers,
        generator,
        profileFlags);
  }

  static String loadNow() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException e) {
      return "?";
    }
  }

  /**
   * This process's limit of open files (the soft one, which the JVM raises to the hard one at
   * start; the servers it launches inherit it), or {@link Long#MAX_VALUE} if unknown.
   */
  static long openFiles() {
    String[] limit = openFilesLine();
    try {
      return limit == null || limit[3].equals("unlimited")
          ? Long.MAX_VALUE
          : Long.parseLong(limit[3]);
    } catch (NumberFormatException e) {
      return Long.MAX_VALUE;
    }
  }

  private static String openFileLimit() {
    String[] limit = openFilesLine();
    return limit == null ? "?" : limit[3] + " soft, " + limit[4] + " hard";
  }

  /**
   * The fields of the "Max open files" line of /proc/self/limits (soft limit at 3, hard at 4), or
   * null if unknown.
   */
  private static String[] openFilesLine() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
        if (line.startsWith("Max open files")) {
          String[] f = line.trim().split("\\s+");
          return f.length > 4 ? f : null;
        }
      }
    } catch (IOException e) {
      // Unknown.
    }
    return null;
  }

  private static String grep(Path file, String key) {
    try {
      for (String line : Files.readAllLines(file)) {
        if (line.startsWith(key)) {
          return line.substring(line.indexOf(':') + 1).trim();
        }
      }
    } catch (IOException e) {
      // Unknown.
    }
    return null;
  }
}
