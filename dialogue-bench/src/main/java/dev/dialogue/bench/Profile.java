package dev.dialogue.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedMethod;
import jdk.jfr.consumer.RecordingFile;

/**
 * A first reading of a JDK Flight Recorder file: where the CPU samples are (the sampled method
 * itself, and every method on the sampled stacks), which threads they are on, and which classes the
 * allocation samples weigh most.
 */
final class Profile {
  final long samples;
  final Map<String, Long> selfTop;
  final Map<String, Long> onStackTop;
  final Map<String, Long> threadsTop;
  final Map<String, Long> allocationTop;
  final long allocationBytes;

  private Profile(
      long samples,
      Map<String, Long> self,
      Map<String, Long> onStack,
      Map<String, Long> threads,
      Map<String, Long> allocations,
      long allocationBytes) {
    this.samples = samples;
    this.selfTop = top(self, 15);
    this.onStackTop = top(onStack, 25);
    this.threadsTop = top(threads, 8);
    this.allocationTop = top(allocations, 12);
    this.allocationBytes = allocationBytes;
  }

  static Profile read(Path jfr) throws IOException {
    Map<String, Long> self = new HashMap<>();
    Map<String, Long> onStack = new HashMap<>();
    Map<String, Long> threads = new HashMap<>();
    Map<String, Long> allocations = new HashMap<>();
    long samples = 0;
    long allocated = 0;
    for (RecordedEvent e : RecordingFile.readAllEvents(jfr)) {
      String type = e.getEventType().getName();
      if (type.equals("jdk.ExecutionSample") && e.getStackTrace() != null) {
        samples++;
        List<RecordedFrame> frames = e.getStackTrace().getFrames();
        if (!frames.isEmpty()) {
          self.merge(name(frames.get(0).getMethod()), 1L, Long::sum);
        }
        Set<String> seen = new HashSet<>();
        for (RecordedFrame f : frames) {
          String n = name(f.getMethod());
          if (seen.add(n)) {
            onStack.merge(n, 1L, Long::sum);
          }
        }
        String thread =
            e.getThread("sampledThread") == null ? "?" : e.getThread("sampledThread").getJavaName();
        threads.merge(thread == null ? "?" : thread.replaceAll("-?\\d+$", "-N"), 1L, Long::sum);
      } else if (type.equals("jdk.ObjectAllocationSample")) {
        long weight = e.getLong("weight");
        allocated += weight;
        allocations.merge(e.getClass("objectClass").getName(), weight, Long::sum);
      }
    }
    return new Profile(samples, self, onStack, threads, allocations, allocated);
  }

  private static String name(RecordedMethod m) {
    String type = m.getType().getName();
    return origin(type) + type.substring(type.lastIndexOf('.') + 1) + "." + m.getName();
  }

  /** Which library a class is from, so that simple names stay unambiguous. */
  private static String origin(String type) {
    String[][] prefixes = {
      {"dev.dialogue.", "dialogue"},
      {"com.corundumstudio.", "netty-socketio"},
      {"io.netty.", "netty"},
      {"com.fasterxml.jackson.", "jackson"},
      {"org.hibernate.", "hibernate"},
      {"java.", "jdk"},
      {"jdk.", "jdk"},
      {"sun.", "jdk"},
    };
    for (String[] p : prefixes) {
      if (type.startsWith(p[0])) {
        return "[" + p[1] + "] ";
      }
    }
    return "";
  }

  private static Map<String, Long> top(Map<String, Long> counts, int n) {
    Map<String, Long> top = new LinkedHashMap<>();
    counts.entrySet().stream()
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
        .limit(n)
        .forEach(e -> top.put(e.getKey(), e.getValue()));
    return top;
  }
}
