package dev.dialogue.bench;

/**
 * The last sequence number seen from each publisher, by publisher index: an open-addressing map of
 * primitives, because every delivery goes through it and a boxed map would allocate per event.
 */
final class SeqTracker {
  private int[] keys = new int[16];
  private long[] last = new long[16];
  private int size;

  /**
   * Records {@code seq} from {@code publisher}; returns how many numbers were skipped (a gap), or
   * -1 if {@code seq} is not newer than the last one (a duplicate or reordering).
   */
  long track(int publisher, long seq) {
    int key = publisher + 1; // 0 marks a free slot
    int i = slot(key);
    if (keys[i] == 0) {
      keys[i] = key;
      last[i] = seq;
      if (++size * 2 > keys.length) {
        grow();
      }
      return seq - 1;
    }
    long previous = last[i];
    if (seq <= previous) {
      return -1;
    }
    last[i] = seq;
    return seq - previous - 1;
  }

  private int slot(int key) {
    int mask = keys.length - 1;
    int i = (key * 0x9E3779B1) >>> 16 & mask;
    while (keys[i] != 0 && keys[i] != key) {
      i = (i + 1) & mask;
    }
    return i;
  }

  private void grow() {
    int[] oldKeys = keys;
    long[] oldLast = last;
    keys = new int[oldKeys.length * 2];
    last = new long[oldKeys.length * 2];
    for (int j = 0; j < oldKeys.length; j++) {
      if (oldKeys[j] != 0) {
        int i = slot(oldKeys[j]);
        keys[i] = oldKeys[j];
        last[i] = oldLast[j];
      }
    }
  }
}
