package dev.dialogue.examples;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

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
      if (!names.contains(name)) {
        throw new IllegalArgumentException("unknown option: " + arg);
      }
      if (given.containsKey(name)) {
        throw new IllegalArgumentException(name + " was given twice");
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
    try {
      int port = Integer.parseInt(value);
      if (port >= 0 && port <= 65_535) {
        return port;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(
        "--port must be a number in 0..65535 but was '" + value + "'");
  }
}
