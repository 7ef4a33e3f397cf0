package dev.dialogue.bench;

/** A server the benchmark runs: Dialogue or one of its peers. */
enum Target {
  DIALOGUE("dialogue", "Dialogue"),
  RELAY("relay", "netty-socketio relay"),
  NODE("node", "Node.js Socket.IO");

  private final String key;
  private final String title;

  Target(String key, String title) {
    this.key = key;
    this.title = title;
  }

  /** The name used on the command line ({@code --targets dialogue,relay,node}). */
  String key() {
    return key;
  }

  String title() {
    return title;
  }

  static Target of(String key) {
    for (Target t : values()) {
      if (t.key.equals(key)) {
        return t;
      }
    }
    throw new IllegalArgumentException("unknown target '" + key + "' (dialogue, relay, node)");
  }
}
