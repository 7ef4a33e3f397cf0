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
