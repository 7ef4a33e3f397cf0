package dev.dialogue.examples.game;

import dev.dialogue.ClientConnection;
import dev.dialogue.CommandException;
import dev.dialogue.EventDefinition;
import dev.dialogue.Registration;
import dev.dialogue.Room;
import dev.dialogue.examples.game.GameApi.GameState;
import dev.dialogue.examples.game.GameApi.LastMove;
import dev.dialogue.examples.game.GameApi.MatchSummary;
import dev.dialogue.examples.game.GameApi.Moved;
import dev.dialogue.examples.game.GameApi.Notice;
import dev.dialogue.examples.game.GameApi.Player;
import dev.dialogue.examples.game.GameApi.Result;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One match of Four in a Row, held in its room's attributes: the seats, the board, the turn clock.
 * The server is the authority: every change happens here and is sent to the room as a {@code state}
 * event. Its methods are synchronized: the room's commands and scheduled clock run on the room's
 * serial executor, but the connection callbacks (dropped, resumed, gone) and the matchmaking
 * commands run on the connections' executors.
 */
final class Match {
  static final EventDefinition<GameState> STATE =
      EventDefinition.builder("state", GameState.class).history(20).build();
  static final EventDefinition<Notice> NOTICE =
      EventDefinition.builder("notice", Notice.class).history(20).build();

  /** A seat's occupant. */
  private static final class Seat {
    final String userId;
    final String name;
    final boolean bot;
    boolean away;
    long awayUntil;
    boolean left;
    boolean rematch;

    Seat(String userId, String name, boolean bot) {
      this.userId = userId;
      this.name = name;
      this.bot = bot;
    }
  }

  final String id;
  final String code;
  final boolean privateMatch;
  private final Room room;
  private final Clock clock;
  private final long turnMillis;
  private final long graceMillis;
  private final Runnable lobbyChanged;

  private final Seat[] seats = new Seat[3]; // 1 and 2
  private String status = "waiting";
  private Board board = new Board();
  private int turn;
  private int game = 1;
  private int moveNumber;
  private LastMove lastMove;
  private Result result;
  private long turnEndsAt;
  private long pausedLeft;
  private Registration turnClock;
  private long version;
  private volatile MatchSummary summary;
  private volatile boolean closed;

  Match(
      String id,
      String code,
      boolean privateMatch,
      Room room,
      Clock clock,
      Duration turn,
      Duration grace,
      Runnable lobbyChanged) {
    this.id = id;
    this.code = code;
    this.privateMatch = privateMatch;
    this.room = room;
    this.clock = clock;
    this.turnMillis = turn.toMillis();
    this.graceMillis = grace.toMillis();
    this.lobbyChanged = lobbyChanged;
    this.summary = new MatchSummary(id, code, status, List.of(), 0);
  }

  Room room() {
    return room;
  }

  MatchSummary summary() {
    return summary;
  }

  boolean closed() {
    return closed;
  }

  synchronized String status() {
    return status;
  }

  /** Whether a second player may still sit down. */
  synchronized boolean open() {
    return !closed && status.equals("waiting") && (seats[1] == null || seats[2] == null);
  }

  synchronized int seatOf(String userId) {
    for (int s = 1; s <= 2; s++) {
      if (seats[s] != null && seats[s].userId.equals(userId)) {
        return s;
      }
    }
    return 0;
  }

  /** Whether the user holds a seat in a game that is not over. */
  synchronized boolean activeFor(String userId) {
    return !closed && !status.equals("over") && seatOf(userId) > 0;
  }

  /** Seats the connection's user (their seat if they have one); 0 if both seats are taken. */
  synchronized int seat(ClientConnection connection) {
    String userId = connection.userId();
    int mine = seatOf(userId);
    if (mine > 0 || closed) {
      return mine;
    }
    int free = seats[1] == null ? 1 : seats[2] == null ? 2 : 0;
    if (free == 0 || !status.equals("waiting")) {
      return 0;
    }
    seats[free] = new Seat(userId, GameServer.nameOf(connection), GameServer.isBot(connection));
    if (seats[1] != null && seats[2] != null) {
      startGame();
    } else {
      publish();
    }
    return free;
  }

  // ---- moves ----

  synchronized Moved move(String userId, int column) {
    int seat = seatOf(userId);
    if (seat == 0) {
      throw new CommandException("NOT_A_PLAYER", "Spectators cannot move");
    }
    if (status.equals("waiting")) {
      throw new CommandException("NOT_STARTED", "The game starts when a second player sits down");
    }
    if (status.equals("over")) {
      throw new CommandException("GAME_OVER", "The game is over", Map.of("result", result));
    }
    if (turn != seat) {
      throw new CommandException("NOT_YOUR_TURN", "Wait for your turn", Map.of("turn", turn));
    }
    if (board.landingRow(column) < 0) {
      throw new CommandException(
          "COLUMN_FULL", "Column " + (column + 1) + " is full", Map.of("column", column));
    }
    int row = board.drop(column, seat);
    moveNumber++;
    lastMove = new LastMove(seat, row, column);
    stopClock();
    List<int[]> line = board.lineThrough(row, column);
    if (line != null) {
      end(new Result(seat, "four", line));
    } else if (board.full()) {
      end(new Result(0, "draw", List.of()));
    } else {
      turn = other(seat);
      startClock(turnMillis);
      publish();
    }
    return new Moved(row, column, moveNumber);
  }

  synchronized void resign(String userId) {
    int seat = seatOf(userId);
    if (seat == 0) {
      throw new CommandException("NOT_A_PLAYER", "Spectators cannot resign");
    }
    if (!status.equals("playing")) {
      throw new CommandException("NOT_PLAYING", "There is no game in progress");
    }
    notice("resigned", seats[seat].name + " resigned.");
    end(new Result(other(seat), "resigned", List.of()));
  }

  /** A player asks for another game; when both have, it starts (the other seat opens). */
  synchronized void rematch(String userId) {
    int seat = seatOf(userId);
    if (seat == 0) {
      throw new CommandException("NOT_A_PLAYER", "Spectators cannot ask for a rematch");
    }
    if (!status.equals("over")) {
      throw new CommandException("NOT_OVER", "The game is not over yet");
    }
    Seat opponent = seats[other(seat)];
    if (opponent == null || opponent.left) {
      throw new CommandException("OPPONENT_LEFT", "Your opponent has left the match");
    }
    seats[seat].rematch = true;
    if (opponent.rematch) {
      game++;
      board = new Board();
      moveNumber = 0;
      lastMove = null;
      result = null;
      seats[1].rematch = false;
      seats[2].rematch = false;
      startGame();
    } else {
      notice("rematch", seats[seat].name + " wants a rematch.");
      publish();
    }
  }

  /** The current state, as the {@code state} command answers it. */
  synchronized GameState state() {
    return snapshot();
  }

  // ---- connections ----

  /** Someone joined the room (a player's new connection, a spectator): everyone gets the state. */
  synchronized void joined(ClientConnection connection) {
    int seat = seatOf(connection.userId());
    if (seat > 0 && seats[seat].away) {
      back(seat);
    }
    publish();
  }

  /** A connection dropped: a player with no other connection here is away until the grace ends. */
  synchronized void dropped(ClientConnection connection) {
    int seat = seatOf(connection.userId());
    if (seat == 0 || connectedElsewhere(connection) || status.equals("over")) {
      return;
    }
    Seat s = seats[seat];
    s.away = true;
    s.awayUntil = clock.millis() + graceMillis;
    if (status.equals("playing") && turn == seat) {
      pauseClock();
    }
    notice(
        "away",
        s.name + " lost the connection: the seat is kept for " + graceMillis / 1000 + " s.");
    publish();
  }

  /** A dropped connection came back within the grace. */
  synchronized void resumed(ClientConnection connection) {
    int seat = seatOf(connection.userId());
    if (seat > 0 && seats[seat].away) {
      back(seat);
      publish();
    }
  }

  /** The grace is over and the connection did not come back: the seat is forfeited. */
  synchronized void gone(ClientConnection connection) {
    int seat = seatOf(connection.userId());
    if (seat == 0 || connectedElsewhere(connection)) {
      return;
    }
    if (status.equals("waiting")) {
      vacate(seat);
      return;
    }
    seats[seat].left = true;
    if (status.equals("playing")) {
      notice("forfeit", seats[seat].name + " did not come back in time and forfeits.");
      end(new Result(other(seat), "forfeit", List.of()));
    } else {
      notice("left", seats[seat].name + " left the match.");
      publish();
    }
  }

  /** A connection left the room (by request, or at its end). */
  synchronized void left(ClientConnection connection) {
    int seat = seatOf(connection.userId());
    if (seat > 0 && !connectedElsewhere(connection) && !seats[seat].left) {
      seats[seat].left = true;
      if (status.equals("playing")) {
        notice("resigned", seats[seat].name + " left the match.");
        end(new Result(other(seat), "resigned", List.of()));
        return;
      }
      if (status.equals("over")) {
        notice("left", seats[seat].name + " left the match.");
      } else {
        vacate(seat);
        return;
      }
    }
    if (!closed) {
      publish(); // the spectator count changed
    }
  }

  /** The room is gone. */
  synchronized void close() {
    closed = true;
    stopClock();
  }

  // ---- internals ----

  private void vacate(int seat) {
    seats[seat] = null;
    if (seats[1] == null && seats[2] == null) {
      closed = true; // nobody waits any more: off the lobby; the room is disposed once empty
    }
    publish();
  }

  private void back(int seat) {
    Seat s = seats[seat];
    s.away = false;
    s.awayUntil = 0;
    notice("back", s.name + " is back.");
    if (status.equals("playing") && turn == seat && turnEndsAt == 0) {
      startClock(Math.max(pausedLeft, 5_000));
    }
  }

  private boolean connectedElsewhere(ClientConnection connection) {
    for (ClientConnection c : room.participants()) {
      if (c != connection && c.connected() && c.userId().equals(connection.userId())) {
        return true;
      }
    }
    return false;
  }

  private void startGame() {
    status = "playing";
    turn = game % 2 == 1 ? 1 : 2;
    notice("start", "Game " + game + ": " + seats[turn].name + " starts.");
    startClock(turnMillis);
    publish();
  }

  private void end(Result how) {
    stopClock();
    status = "over";
    turn = 0;
    result = how;
    publish();
    if (how.winner() == 0) {
      notice("over", "A draw: the board is full.");
    } else {
      notice("over", seats[how.winner()].name + " wins.");
    }
  }

  private void startClock(long millis) {
    stopClock();
    turnEndsAt = clock.millis() + millis;
    int g = game;
    int m = moveNumber;
    turnClock = room.schedule(Duration.ofMillis(millis), () -> timeUp(g, m));
  }

  private void pauseClock() {
    if (turnEndsAt > 0) {
      pausedLeft = Math.max(0, turnEndsAt - clock.millis());
    }
    stopClock();
  }

  private void stopClock() {
    if (turnClock != null) {
      turnClock.close();
      turnClock = null;
    }
    turnEndsAt = 0;
  }

  /** The turn clock ran out (on the room's serial executor): the player on move loses. */
  private synchronized void timeUp(int g, int m) {
    if (closed || !status.equals("playing") || g != game || m != moveNumber || turnEndsAt == 0) {
      return;
    }
    int loser = turn;
    notice("timeout", seats[loser].name + " ran out of time.");
    end(new Result(other(loser), "timeout", List.of()));
  }

  private static int other(int seat) {
    return seat == 1 ? 2 : 1;
  }

  private int spectators() {
    int n = 0;
    for (ClientConnection c : room.participants()) {
      if (seatOf(c.userId()) == 0) {
        n++;
      }
    }
    return n;
  }

  private GameState snapshot() {
    List<Player> players = new ArrayList<>();
    for (int s = 1; s <= 2; s++) {
      Seat seat = seats[s];
      if (seat != null) {
        players.add(
            new Player(
                s,
                seat.userId,
                seat.name,
                seat.bot,
                seat.away || seat.left,
                seat.left ? 0 : seat.awayUntil,
                seat.rematch));
      }
    }
    long left =
        turnEndsAt > 0
            ? Math.max(0, turnEndsAt - clock.millis())
            : status.equals("playing") ? pausedLeft : 0;
    return new GameState(
        id,
        code,
        privateMatch,
        status,
        players,
        board.copy(),
        turn,
        turnEndsAt,
        left,
        turnMillis / 1000,
        lastMove,
        result,
        spectators(),
        moveNumber,
        game,
        version);
  }

  /** Sends the state to the room and updates the lobby's line of this match. */
  private void publish() {
    version++;
    GameState state = snapshot();
    List<String> names = new ArrayList<>();
    for (Player p : state.players()) {
      names.add(p.name());
    }
    MatchSummary next =
        new MatchSummary(id, code, closed ? "closed" : status, names, state.spectators());
    // A move changes no line of the lobby: only seats, status and spectators do, and only a public
    // match is listed (with 500 matches, a list sent on every move cost more than the moves).
    boolean listedLineChanged = !privateMatch && !next.equals(summary);
    summary = next;
    if (!closed || room.size() > 0) {
      try {
        room.trigger(STATE, state);
      } catch (RuntimeException e) {
        // the room was deleted meanwhile: nobody to tell
      }
    }
    if (listedLineChanged) {
      lobbyChanged.run();
    }
  }

  private void notice(String kind, String text) {
    try {
      room.trigger(NOTICE, new Notice(kind, text));
    } catch (RuntimeException e) {
      // the room was deleted meanwhile
    }
  }
}
