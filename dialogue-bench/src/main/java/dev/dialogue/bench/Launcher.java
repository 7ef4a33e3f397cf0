package dev.dialogue.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Starts the servers under test, each in its own process, with the same options. */
final class Launcher {
  /**
   * Flags of every Java server, with those of the environment variable {@code BENCH_SERVER_OPTS}
   * (space-separated, for experiments such as a profiler agent) at the end; the report prints them.
   */
  static final List<String> JVM_FLAGS = jvmFlags(System.getenv("BENCH_SERVER_OPTS"));

  static List<String> jvmFlags(String extra) {
    List<String> flags =
        new ArrayList<>(
            List.of("-Xmx4g", "-XX:+UseG1GC", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"));
    if (extra != null && !extra.isBlank()) {
      flags.addAll(List.of(extra.trim().split("\\s+")));
    }
    return List.copyOf(flags);
  }

  private static final String[] NODE_FILES = {"package.json", "package-lock.json", "server.js"};

  private final Path workDir;
  private final String classpath;
  private final Path nodeDir;
  private int started;

  /**
   * @param classpath where the Java servers' classes and jars are
   * @param nodeDir the Node peer with its packages installed, or null to run no Node peer
   */
  Launcher(Path workDir, String classpath, Path nodeDir) {
    this.workDir = workDir;
    this.classpath = classpath;
    this.nodeDir = nodeDir;
  }

  boolean hasNode() {
    return nodeDir != null;
  }

  /**
   * Copies the Node peer from {@code source} to {@code workDir/node-peer} and installs its pinned
   * packages there with {@code npm ci} (once; the source tree stays clean).
   */
  static Path installNode(Path source, Path workDir) throws IOException, InterruptedException {
    Path dir = workDir.resolve("node-peer");
    Files.createDirectories(dir);
    boolean changed = false;
    for (String name : NODE_FILES) {
      Path from = source.resolve(name);
      Path to = dir.resolve(name);
      if (!Files.exists(to) || Files.mismatch(from, to) != -1) {
        Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING);
        changed = true;
      }
    }
    if (changed || !Files.isRegularFile(dir.resolve("node_modules/socket.io/package.json"))) {
      Path log = dir.resolve("npm-ci.log");
      Process npm =
          new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund")
              .directory(dir.toFile())
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      if (!npm.waitFor(5, TimeUnit.MINUTES)) {
        npm.destroyForcibly();
        throw new IOException("npm ci took longer than 5 minutes (" + log + ")");
      }
      if (npm.exitValue() != 0) {
        throw new IOException("npm ci failed:\n" + Files.readString(log));
      }
    }
    return dir;
  }

  /** The Node.js version, or "?" when it cannot be asked. */
  static String nodeVersion() {
    try {
      Process p = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
      String v = new String(p.getInputStream().readAllBytes()).trim();
      return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0 ? v : "?";
    } catch (IOException e) {
      return "?";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "?";
    }
  }

  /**
   * Starts the Java server {@code mainClass} with the servers' flags, on this launcher's class path
   * plus {@code extraClasspath} (null for none), with {@code args}; its log is {@code
   * logs/<name>-N.log}.
   */
  ServerProcess startJava(String name, String mainClass, String extraClasspath, List<String> args)
      throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(JVM_FLAGS);
    command.add("-cp");
    command.add(extraClasspath == null ? classpath : classpath + ":" + extraClasspath);
    command.add(mainClass);
    command.addAll(args);
    Path log = workDir.resolve("logs").resolve(name + "-" + (++started) + ".log");
    return ServerProcess.start(command, log);
  }

  /** This launcher's class path, as the Java servers get it. */
  String classpath() {
    return classpath;
  }

  /**
   * Starts {@code target} on a free port.
   *
   * @param rooms how many rooms {@code r0..} a Dialogue server declares (the peers need none)
   * @param jwtSecret require HS256 tokens signed with it, or null for development-mode identity
   * @param extraJvmFlags added to a Java server's flags (e.g. a flight recording)
   */
  ServerProcess start(Target target, int rooms, String jwtSecret, List<String> extraJvmFlags)
      throws IOException {
    return start(target, rooms, jwtSecret, extraJvmFlags, List.of());
  }

  /** As above, with {@code serverArgs} added to the server's own arguments. */
  ServerProcess start(
      Target target,
      int rooms,
      String jwtSecret,
      List<String> extraJvmFlags,
      List<String> serverArgs)
      throws IOException {
    List<String> command = new ArrayList<>();
    switch (target) {
      case DIALOGUE, RELAY -> {
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(JVM_FLAGS);
        command.addAll(extraJvmFlags);
        command.add("-cp");
        command.add(classpath);
        command.add(
            target == Target.DIALOGUE
                ? DialogueServer.class.getName()
                : RelayServer.class.getName());
        command.add("--rooms");
        command.add(Integer.toString(rooms));
      }
      case NODE -> {
        if (nodeDir == null) {
          throw new IllegalStateException("the Node peer is not installed");
        }
        command.add("node");
        command.add("--expose-gc");
        command.add(nodeDir.resolve("server.js").toString());
      }
    }
    command.add("--port");
    command.add("0");
    if (jwtSecret != null) {
      command.add("--jwt-secret");
      command.add(jwtSecret);
    }
    command.addAll(serverArgs);
    Path log = workDir.resolve("logs").resolve(target.key() + "-" + (++started) + ".log");
    return ServerProcess.start(command, log);
  }
}
