package dev.dialogue.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Where an idle connection's heap goes: starts a Java server under test as the idle scenario does,
 * takes {@code jmap -histo:live} of it before and after opening N idle joined connections, and
 * prints the heap per connection and the histogram difference per connection, largest first.
 *
 * <pre>
 * IdleHeapProbe [dialogue|relay] [connections] [histogram-dir]
 * </pre>
 *
 * Run with the same class path as {@code bin/bench}; needs {@code jmap} on the path.
 */
public final class IdleHeapProbe {
  private static final int ROWS = 60;

  private IdleHeapProbe() {}

  public static void main(String[] args) throws Exception {
    Target target = Target.of(args.length > 0 ? args[0] : "dialogue");
    int n = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
    Path dir = Path.of(args.length > 2 ? args[2] : "dialogue-bench/target/idle-probe");
    Files.createDirectories(dir);
    int roomSize = Plan.FULL.roomSize();
    Launcher launcher =
        new Launcher(dir.resolve("work"), System.getProperty("java.class.path"), null);
    try (ServerProcess server =
            launcher.start(target, (n + roomSize - 1) / roomSize, null, List.of());
        LoadGenerator gen = new LoadGenerator(2, 8)) {
      Thread.sleep(1_000);
      long heapBefore = server.heapAfterGc();
      Map<String, long[]> before = histogram(server.pid(), dir.resolve(target.key() + ".before"));
      List<Conn> conns =
          gen.open(
              server.port(),
              n,
              i -> "r" + (i / roomSize),
              i -> "{\"userId\":\"user-" + i + "\"}",
              120);
      Thread.sleep(2_000);
      long heapAfter = server.heapAfterGc();
      Map<String, long[]> after = histogram(server.pid(), dir.resolve(target.key() + ".after"));
      double c = conns.size();
      System.out.printf(
          "%s: %d of %d joined; heap after GC %d -> %d: %.0f B/connection%n",
          target.key(), conns.size(), n, heapBefore, heapAfter, (heapAfter - heapBefore) / c);
      Set<String> classes = new HashSet<>(before.keySet());
      classes.addAll(after.keySet());
      List<Map.Entry<String, long[]>> diff = new ArrayList<>();
      long total = 0;
      for (String name : classes) {
        long[] b = before.getOrDefault(name, new long[2]);
        long[] a = after.getOrDefault(name, new long[2]);
        diff.add(Map.entry(name, new long[] {a[0] - b[0], a[1] - b[1]}));
        total += a[1] - b[1];
      }
      diff.sort((x, y) -> Long.compare(y.getValue()[1], x.getValue()[1]));
      System.out.printf("histogram difference: %.0f B/connection%n", total / c);
      System.out.printf("%10s %10s  %s%n", "inst/conn", "B/conn", "class");
      for (Map.Entry<String, long[]> e : diff.subList(0, Math.min(ROWS, diff.size()))) {
        System.out.printf(
            "%10.2f %10.1f  %s%n", e.getValue()[0] / c, e.getValue()[1] / c, e.getKey());
      }
      gen.closeAll(conns);
    }
  }

  /** Class name to {instances, bytes}, from jmap's live histogram (saved to {@code save}). */
  private static Map<String, long[]> histogram(long pid, Path save)
      throws IOException, InterruptedException {
    Process jmap =
        new ProcessBuilder("jmap", "-histo:live", Long.toString(pid))
            .redirectErrorStream(true)
            .start();
    String text = new String(jmap.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    jmap.waitFor();
    Files.writeString(save, text);
    Map<String, long[]> classes = new HashMap<>();
    for (String line : text.split("\n")) {
      String[] f = line.trim().split("\\s+");
      if (f.length >= 4 && f[0].endsWith(":")) {
        long[] v = classes.computeIfAbsent(f[3], k -> new long[2]);
        v[0] += Long.parseLong(f[1]);
        v[1] += Long.parseLong(f[2]);
      }
    }
    return classes;
  }
}
