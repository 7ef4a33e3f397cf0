package dev.dialogue.examples;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The examples' command lines: {@code --name value} or {@code --name=value}, each option once,
 * {@code --help} or {@code -h} anywhere. Errors are {@link IllegalArgumentException}s with a
 * message meant for the user ("unknown option: --x", "--port was given twice", "--data needs a
 * value").
 */
public final class CommandLine {
  private CommandLine() {}

  /**
   * The options given, by name (with the dashes), in order; empty when help was asked for.
   *
   * @param names the options the example takes
   */
  public static Optional<Map<String, String>> parse(String[] args, Set<String> names) {
    return parse(args, names, Set.of());
  }

  /**
   * As {@link #parse(String[], Set)}, with {@code flags}: options that take no value ({@code
   * --metrics}), given as {@code "true"}.
   */
  public static Optional<Map<String, String>> parse(
      String[] args, Set<String> names, Set<String> flags) {
    Map<String, String> given = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      String name = arg;
      String value = null;
      int eq = arg.indexOf('=');
      if (arg.startsWith("--") && eq > 0) {
        name = arg.substring(0, eq);
        value = arg.substring(eq + 1);
      }
      if (name.equals("--help") || name.equals("-h")) {
        return Optional.empty();
      }
      if (!names.contains(name) && !flags.contains(name)) {
        throw new IllegalArgumentException("unknown option: " + arg);
      }
      if (given.containsKey(name)) {
        throw new IllegalArgumentException(name + " was given twice");
      }
      if (flags.contains(name)) {
        if (value != null) {
          throw new IllegalArgumentException(name + " takes no value");
        }
        given.put(name, "true");
        continue;
      }
      if (value == null) {
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException(name + " needs a value");
        }
        value = args[++i];
      }
      given.put(name, value);
    }
    return Optional.of(given);
  }

  /** A port number, 0 to 65535 (0: any free port). */
  public static int port(String value) {
    return (int) number("--port", value, 0, 65_535);
  }

  /** The whole number {@code value} of option {@code name}, between {@code min} and {@code max}. */
  public static long number(String name, String value, long min, long max) {
    try {
      long n = Long.parseLong(value);
      if (n >= min && n <= max) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(
        name + " must be a number in " + min + ".." + max + " but was '" + value + "'");
  }

  /**
   * Parses the command line with {@code parse}; a mistake is printed with {@code usage} on standard
   * error, and the process exits with status 2.
   */
  public static <O> O parseOrExit(String[] args, Function<String[], O> parse, String usage) {
    try {
      return parse.apply(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.err.println(usage);
      System.exit(2);
      throw e; // not reached
    }
  }

  /**
   * What every example does once it serves: closes {@code server} on SIGTERM or Ctrl-C, prints
   * {@code lines} (the URL to open, sign-ins), then {@code READY <port>} on standard output.
   */
  public static void serving(AutoCloseable server, String name, int port, String... lines) {
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    server.close();
                  } catch (Exception e) {
                    System.err.println(name + ": " + e);
                  }
                },
                name + "-shutdown"));
    for (String line : lines) {
      System.out.println(line);
    }
    System.out.println("READY " + port);
    System.out.flush();
  }
}
