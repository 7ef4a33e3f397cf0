package dev.dialogue.testing;

import dev.dialogue.testing.FaultProxy.Direction;
import dev.dialogue.testing.FaultProxy.When;

/**
 * The moments of a re-join after a reconnect at which a {@link FaultProxy} can cut the connection
 * ({@link FaultProxy#cutWhen}): every client's re-join must survive each of them and be asked again
 * on the next connection.
 */
public enum RejoinCut {
  /** The join request never reaches the server. */
  JOIN_NEVER_ARRIVES(Direction.UPSTREAM, "dialogue:join", When.BEFORE),
  /** The server joins the connection, and the answer is lost with it. */
  JOIN_ARRIVES_ANSWER_LOST(Direction.UPSTREAM, "dialogue:join", When.AFTER),
  /** The answer with {@code recovered} (and the missed events) never reaches the client. */
  ANSWER_LOST(Direction.DOWNSTREAM, "\"recovered\"", When.BEFORE),
  /** The subscriptions the client restores after the join never reach the server. */
  SUBSCRIPTION_RESTORE_LOST(Direction.UPSTREAM, "dialogue:subscribe", When.BEFORE);

  /** Which way the marker flows. */
  public final Direction direction;

  /** What the cut waits for. */
  public final String marker;

  /** Whether the chunk with the marker gets through first. */
  public final When when;

  RejoinCut(Direction direction, String marker, When when) {
    this.direction = direction;
    this.marker = marker;
    this.when = when;
  }
}
