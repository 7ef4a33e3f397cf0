package dev.dialogue;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Type;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Keeps the walls of docs/architecture.md standing: the public package shows no internal type, the
 * engine does not reach into the transport, and only the transport imports Netty.
 */
class StructureTest {
  private static final Path MAIN = Path.of("src/main/java");
  private static final String API = "dev.dialogue";
  private static final String ENGINE = "dev.dialogue.internal";
  private static final String TRANSPORT = "dev.dialogue.internal.socketio";
  private static final Pattern IMPORT =
      Pattern.compile("^import (?:static )?([\\w.]+)\\.\\w+;", Pattern.MULTILINE);

  @Test
  void theCoreHasThePublicPackage_theEngine_andTheTransport_andNothingElse() {
    assertThat(
            sources().keySet().stream().map(StructureTest::packageOf).collect(Collectors.toSet()))
        .containsExactlyInAnyOrder(API, ENGINE, TRANSPORT);
  }

  @Test
  void onlyTheTransportImportsNettyOrNettySocketIo() {
    List<String> offenders = new ArrayList<>();
    sources()
        .forEach(
            (file, text) -> {
              if (!packageOf(file).equals(TRANSPORT)
                  && (text.contains("io.netty.") || text.contains("com.corundumstudio."))) {
                offenders.add(file);
              }
            });
    assertThat(offenders).isEmpty();
  }

  @Test
  void theEngineDoesNotImportTheTransport() {
    List<String> offenders = new ArrayList<>();
    sources()
        .forEach(
            (file, text) -> {
              Set<String> imported = imports(text);
              if (packageOf(file).equals(ENGINE) && imported.contains(TRANSPORT)) {
                offenders.add(file + " imports the transport");
              }
            });
    assertThat(offenders).isEmpty();
  }

  @Test
  void everyInternalPackageSaysItIsNotApi() throws IOException {
    for (String pkg : List.of(ENGINE, TRANSPORT)) {
      Path info = MAIN.resolve(pkg.replace('.', '/')).resolve("package-info.java");
      assertThat(Files.readString(info)).as(pkg).contains("Not API");
    }
  }

  @Test
  void noPublicSignatureInThePublicPackageNamesAnInternalType() throws Exception {
    List<String> leaks = new ArrayList<>();
    for (String file : sources().keySet()) {
      if (!packageOf(file).equals(API) || file.endsWith("package-info.java")) {
        continue;
      }
      Class<?> type = Class.forName(API + "." + simpleName(file));
      for (Class<?> c : withNested(type)) {
        if (!Modifier.isPublic(c.getModifiers())) {
          continue;
        }
        for (Method m : c.getDeclaredMethods()) {
          if (exposed(m.getModifiers()) && !m.isSynthetic()) {
            check(leaks, c, m.getName(), m.getGenericReturnType());
            for (Type p : m.getGenericParameterTypes()) {
              check(leaks, c, m.getName(), p);
            }
          }
        }
        for (Constructor<?> k : c.getDeclaredConstructors()) {
          if (exposed(k.getModifiers())) {
            for (Type p : k.getGenericParameterTypes()) {
              check(leaks, c, "<init>", p);
            }
          }
        }
        for (Field f : c.getDeclaredFields()) {
          if (exposed(f.getModifiers())) {
            check(leaks, c, f.getName(), f.getGenericType());
          }
        }
        if (c.getGenericSuperclass() != null) {
          check(leaks, c, "extends", c.getGenericSuperclass());
        }
        for (Type i : c.getGenericInterfaces()) {
          check(leaks, c, "implements", i);
        }
      }
    }
    assertThat(leaks).isEmpty();
  }

  /**
   * The engine once was a knot of ten classes that all reached each other (a room called the hub,
   * which called the room). Cycles of up to three classes (a type and its helpers) are allowed in
   * the internal packages; anything larger means a layer reaches back up. Measured on the compiled
   * classes with jdeps, nested classes counted with their owner.
   */
  @Test
  void noDependencyCycleInTheEngineOrTheTransportIsLargerThanThreeClasses() {
    // The public types name each other as an API does (Room.config() is a RoomConfig, which holds
    // command handlers, whose context names the Room): only the implementation is held to it.
    Map<String, Set<String>> graph = new java.util.TreeMap<>();
    classGraph()
        .forEach(
            (from, to) -> {
              if (from.startsWith(ENGINE + ".")) {
                graph.put(
                    from,
                    to.stream()
                        .filter(t -> t.startsWith(ENGINE + "."))
                        .collect(Collectors.toCollection(TreeSet::new)));
              }
            });
    List<List<String>> large =
        StronglyConnected.components(graph).stream().filter(c -> c.size() > 3).toList();
    assertThat(large).isEmpty();
  }

  /** The engine's lower layers work on a room's state, never on the face the application sees. */
  @Test
  void theRoomsStateAndTheEngineBelowTheHubDoNotUseTheRoomsFaceOrTheHub() {
    Map<String, Set<String>> graph = classGraph();
    List<String> offenders = new ArrayList<>();
    for (String lower :
        List.of(
            "RoomState",
            "Roster",
            "RoomEvents",
            "RoomCode",
            "Vacancy",
            "Membership",
            "Broker",
            "MemoryBroker",
            "MemoryPresence",
            "Publisher",
            "Joins",
            "Histories",
            "Hooks",
            "RealConnection",
            "ConnectionLife")) {
      Set<String> uses = graph.getOrDefault(ENGINE + "." + lower, Set.of());
      for (String face : List.of("RealRoom", "Hub", "Requests")) {
        if (uses.contains(ENGINE + "." + face)) {
          offenders.add(lower + " -> " + face);
        }
      }
    }
    assertThat(offenders).isEmpty();
  }

  /** Class to the core classes it uses, from jdeps on target/classes. */
  private static Map<String, Set<String>> classGraph() {
    java.util.spi.ToolProvider jdeps = java.util.spi.ToolProvider.findFirst("jdeps").orElseThrow();
    java.io.StringWriter out = new java.io.StringWriter();
    int status =
        jdeps.run(
            new java.io.PrintWriter(out),
            new java.io.PrintWriter(System.err),
            "-verbose:class",
            "-filter:none",
            "target/classes");
    assertThat(status).isZero();
    Pattern edge =
        Pattern.compile("^\\s+(dev\\.dialogue\\.[\\w.$]+)\\s+->\\s+(dev\\.dialogue\\.[\\w.$]+)");
    Map<String, Set<String>> graph = new java.util.TreeMap<>();
    for (String line : out.toString().split("\\R")) {
      Matcher m = edge.matcher(line);
      if (m.find()) {
        String from = m.group(1).split("\\$")[0];
        String to = m.group(2).split("\\$")[0];
        graph.computeIfAbsent(to, k -> new TreeSet<>());
        if (!from.equals(to)) {
          graph.computeIfAbsent(from, k -> new TreeSet<>()).add(to);
        }
      }
    }
    assertThat(graph).containsKey(ENGINE + ".Hub");
    return graph;
  }

  /** Tarjan's strongly connected components. */
  private static final class StronglyConnected {
    private final Map<String, Set<String>> graph;
    private final Map<String, Integer> index = new java.util.HashMap<>();
    private final Map<String, Integer> low = new java.util.HashMap<>();
    private final java.util.ArrayDeque<String> stack = new java.util.ArrayDeque<>();
    private final Set<String> onStack = new java.util.HashSet<>();
    private final List<List<String>> components = new ArrayList<>();

    private StronglyConnected(Map<String, Set<String>> graph) {
      this.graph = graph;
    }

    static List<List<String>> components(Map<String, Set<String>> graph) {
      StronglyConnected s = new StronglyConnected(graph);
      for (String v : graph.keySet()) {
        if (!s.index.containsKey(v)) {
          s.visit(v);
        }
      }
      return s.components;
    }

    private void visit(String v) {
      index.put(v, index.size());
      low.put(v, index.get(v));
      stack.push(v);
      onStack.add(v);
      for (String w : graph.getOrDefault(v, Set.of())) {
        if (!index.containsKey(w)) {
          visit(w);
          low.put(v, Math.min(low.get(v), low.get(w)));
        } else if (onStack.contains(w)) {
          low.put(v, Math.min(low.get(v), index.get(w)));
        }
      }
      if (low.get(v).equals(index.get(v))) {
        List<String> component = new ArrayList<>();
        String w;
        do {
          w = stack.pop();
          onStack.remove(w);
          component.add(w.substring(w.lastIndexOf('.') + 1));
        } while (!w.equals(v));
        components.add(component);
      }
    }
  }

  private static boolean exposed(int modifiers) {
    return Modifier.isPublic(modifiers) || Modifier.isProtected(modifiers);
  }

  private static List<Class<?>> withNested(Class<?> type) {
    List<Class<?>> all = new ArrayList<>(List.of(type));
    for (Class<?> nested : type.getDeclaredClasses()) {
      all.addAll(withNested(nested));
    }
    return all;
  }

  private static void check(List<String> leaks, Class<?> owner, String member, Type type) {
    String name = type.getTypeName();
    if (name.contains(ENGINE + ".")
        || name.contains("io.netty.")
        || name.contains("com.corundumstudio.")) {
      leaks.add(owner.getName() + "." + member + ": " + name);
    }
  }

  private static Set<String> imports(String text) {
    Set<String> packages = new TreeSet<>();
    Matcher m = IMPORT.matcher(text);
    while (m.find()) {
      packages.add(m.group(1));
    }
    return packages;
  }

  private static String packageOf(String file) {
    String dir = file.substring(0, file.lastIndexOf('/'));
    return dir.replace('/', '.');
  }

  private static String simpleName(String file) {
    return file.substring(file.lastIndexOf('/') + 1, file.length() - ".java".length());
  }

  /** Every main source file, by its path under src/main/java, with its text. */
  private static Map<String, String> sources() {
    try (Stream<Path> files = Files.walk(MAIN)) {
      return files
          .filter(p -> p.toString().endsWith(".java"))
          .collect(
              Collectors.toMap(
                  p -> MAIN.relativize(p).toString().replace('\\', '/'), StructureTest::read));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
