package dev.dialogue.internal;

/**
 * The disposal of one room once it is empty: the rule that disposes of it ({@link Rule}), the count
 * of the times the room became empty, and what cancels the disposal scheduled for the current
 * emptiness. Guarded by the room's lock: {@link RoomState} tells it as members come and go.
 */
final class Vacancy {
  /**
   * Who disposes of the room once it is empty ({@link RoomState#disposeWhenEmpty}): called under
   * the room's lock each time the room becomes empty (and when the rule is set on an empty room);
   * it only schedules. {@code vacancy} names that emptiness: {@link RoomState#deleteIfVacant}
   * deletes only if the room stayed empty since.
   */
  interface Rule {
    /** Returns what cancels the scheduled disposal when someone joins first. */
    Deadlines.Handle emptied(long vacancy);
  }

  /** The disposal rule, or null; see {@link RoomState#disposeWhenEmpty}. */
  private Rule rule;

  /** Counts the times the room became empty. */
  private long count;

  /** Cancels the disposal scheduled for the current emptiness, or null. */
  private Deadlines.Handle pending;

  void rule(Rule rule) {
    this.rule = rule;
  }

  /** A connection was admitted: the emptiness is over, its disposal cancelled. */
  void occupied() {
    cancel();
    count++;
  }

  /** The room (not deleted) became empty: the rule, if any, schedules its disposal. */
  void emptied() {
    if (rule != null) {
      count++;
      pending = rule.emptied(count);
    }
  }

  /** Whether the room has stayed empty since the emptiness {@code vacancy}. */
  boolean since(long vacancy) {
    return vacancy == count;
  }

  /** Cancels the scheduled disposal (the room is deleted). */
  void cancel() {
    if (pending != null) {
      pending.cancel();
      pending = null;
    }
  }
}
