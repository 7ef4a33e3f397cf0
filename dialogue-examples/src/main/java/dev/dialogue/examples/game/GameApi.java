package dev.dialogue.examples.game;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.util.List;

/**
 * The game's contract between the server, the web UI and {@link GameBot}: the payloads of its
 * commands and events (docs/examples/game.md, "Contract"). Plain records, shared by the server
 * (validated with their annotations) and the Java bot (which only needs the client library).
 */
public final class GameApi {
  private GameApi() {}

  /** Board size: 6 rows of 7 columns, row 0 at the top. */
  public static final int ROWS = 6;

  public static final int COLUMNS = 7;

  // ---- commands: requests and results ----

  /** {@code match.create}: a new match, listed in the lobby unless {@code private}. */
  public record CreateMatch(Boolean privateMatch) {}

  /** {@code match.join}: by the match's code; {@code watch} to spectate even if a seat is free. */
  public record JoinMatch(
      @NotBlank @Pattern(regexp = "[A-Za-z0-9]{5}") String code, Boolean watch) {}

  /** {@code match.bot}: a bot takes the free seat of the caller's waiting match. */
  public record AddBot(@NotBlank String matchId) {}

  /** The answer to the match commands: the room the server put the caller in, and its seat. */
  public record Joined(String matchId, String code, int seat, boolean spectator) {}

  /** {@code move} (a room command of the match): drop a disc into a column, 0 to 6. */
  public record Move(@NotNull @Min(0) @Max(COLUMNS - 1) Integer column) {}

  /** The answer to {@code move}: where the disc landed. */
  public record Moved(int row, int column, int moveNumber) {}

  // ---- events ----

  /**
   * {@code state} in a match room: the whole game, sent after every change (moves, seats,
   * connections, the clock, the end) and when someone joins.
   *
   * @param status {@code waiting} (for a second player), {@code playing}, {@code over}
   * @param board {@code ROWS} rows of {@code COLUMNS} cells: 0 empty, 1 or 2 the seat's disc
   * @param turn the seat to move (1 or 2), 0 unless playing
   * @param turnEndsAt when the turn's clock runs out (server clock, epoch ms), 0 when it is not
   *     running (not playing, or paused while the player on move is away)
   * @param turnMillisLeft what is left of the turn: with a running clock at the time of sending
   * @param lastMove the last disc dropped, or null
   * @param result how it ended, or null
   * @param version increases with every state of the match
   */
  public record GameState(
      String matchId,
      String code,
      boolean privateMatch,
      String status,
      List<Player> players,
      int[][] board,
      int turn,
      long turnEndsAt,
      long turnMillisLeft,
      long turnSeconds,
      LastMove lastMove,
      Result result,
      int spectators,
      int moveNumber,
      int game,
      long version) {}

  /**
   * A seat.
   *
   * @param away whether the player's connection dropped (the seat is kept until {@code awayUntil})
   * @param rematch whether the player asked for another game
   */
  public record Player(
      int seat,
      String userId,
      String name,
      boolean bot,
      boolean away,
      long awayUntil,
      boolean rematch) {}

  public record LastMove(int seat, int row, int column) {}

  /**
   * How a game ended.
   *
   * @param winner the winning seat, 0 for a draw
   * @param reason {@code four} (four in a row), {@code draw} (board full), {@code timeout} (the
   *     loser's clock ran out), {@code forfeit} (the loser did not come back within the grace),
   *     {@code resigned} (the loser resigned or left)
   * @param line the four (or more) winning cells as {@code [row, column]}, for {@code four}
   */
  public record Result(int winner, String reason, List<int[]> line) {}

  /** {@code notice} in a match room: something the players are told in words. */
  public record Notice(String kind, String text) {}

  /** {@code matches} in the lobby room (and the {@code lobby} command's answer). */
  public record Lobby(List<MatchSummary> matches, long version) {}

  /** A public match as the lobby lists it. */
  public record MatchSummary(
      String matchId, String code, String status, List<String> players, int spectators) {}
}
