package dev.dialogue.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;

/**
 * What the harness passes to every Java server it starts ({@code --port N --rooms N --jwt-secret
 * S}, and for Dialogue {@code --history-store JDBC-URL} and {@code --redis URI}), and the control
 * channel on standard input that all servers (Java and Node) share.
 */
record ServerArgs(int port, int rooms, String jwtSecret, String historyStore, String redis) {
  static ServerArgs parse(String[] args) {
    int port = 0;
    int rooms = 0;
    String secret = null;
    String historyStore = null;
    String redis = null;
    for (int i = 0; i < args.length; i++) {
      String value = i + 1 < args.length ? args[i + 1] : null;
      switch (args[i]) {
        case "--port" -> port = Integer.parseInt(require(args[i], value));
        case "--rooms" -> rooms = Integer.parseInt(require(args[i], value));
        case "--jwt-secret" -> secret = require(args[i], value);
        case "--history-store" -> historyStore = require(args[i], value);
        case "--redis" -> redis = require(args[i], value);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
      i++;
    }
    return new ServerArgs(port, rooms, secret, historyStore, redis);
  }

  private static String require(String option, String value) {
    if (value == null) {
      throw new IllegalArgumentException(option + " needs a value");
    }
    return value;
  }

  /**
   * Prints {@code READY <port>} and serves the control channel until standard input ends, then runs
   * {@code stop} and exits. The harness closes standard input to stop a server, so a server never
   * outlives the harness that started it. Command {@code gc}: a full collection, then {@code HEAP
   * <bytes used>}.
   */
  static void serve(int port, Runnable stop) {
    System.out.println("READY " + port);
    System.out.flush();
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    try {
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        if (line.trim().equals("gc")) {
          System.out.println("HEAP " + heapAfterFullGc());
          System.out.flush();
        }
      }
    } catch (IOException e) {
      // Standard input is gone: the harness is gone, so stop as well.
    }
    stop.run();
    System.exit(0);
  }

  /** Heap in use after two full collections (the second catches what finalization released). */
  static long heapAfterFullGc() {
    System.gc();
    System.gc();
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }
}
