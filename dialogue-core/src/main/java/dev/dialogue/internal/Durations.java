package dev.dialogue.internal;

import java.time.Duration;

/** Durations in the words error messages use: "60 s", "1500 ms". */
final class Durations {
  private Durations() {}

  static String words(Duration d) {
    long millis = d.toMillis();
    return millis % 1000 == 0 ? (millis / 1000) + " s" : millis + " ms";
  }
}
