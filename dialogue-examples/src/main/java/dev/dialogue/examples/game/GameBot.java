package dev.dialogue.examples.game;

import static dev.dialogue.examples.game.GameApi.COLUMNS;
import static dev.dialogue.examples.game.GameApi.ROWS;

import dev.dialogue.client.ClientRoom;
import dev.dialogue.client.DialogueClient;
import dev.dialogue.examples.game.GameApi.CreateMatch;
import dev.dialogue.examples.game.GameApi.GameState;
import dev.dialogue.examples.game.GameApi.JoinMatch;
import dev.dialogue.examples.game.GameApi.Joined;
import dev.dialogue.examples.game.GameApi.Move;
import dev.dialogue.examples.game.GameApi.Moved;
import dev.dialogue.examples.game.GameApi.Player;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A player on the Java client library ({@code dialogue-client} only): it signs in like the web UI
 * ({@code auth: {name, session}}), takes a seat through the match commands, follows the match
 * room's {@code state} events and answers each of its turns with a legal move: a winning one if
 * there is one, else one that blocks the opponent's four, else a random column that does not hand
 * the opponent a win. The server fills a match with one ({@code match.bot}); the tests play with
 * them.
 */
public final class GameBot implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(GameBot.class);
  private static final SecureRandom RANDOM = new SecureRandom();

  private final DialogueClient client;
  private final String name;
  private final Duration thinkTime;
  private final boolean rematch;
  private final boolean leaveWhenAlone;
  private final ScheduledExecutorService thinker;
  private final List<GameState> states = new CopyOnWriteArrayList<>();
  private final CompletableFuture<GameState> finished = new CompletableFuture<>();
  private final AtomicInteger moves = new AtomicInteger();
  private final AtomicReference<String> actedOn = new AtomicReference<>("");
  private final List<Runnable> onClosed = new CopyOnWriteArrayList<>();
  private volatile ClientRoom room;
  private volatile boolean closed;

  private GameBot(Builder b) {
    this.name = b.name;
    this.thinkTime = b.thinkTime;
    this.rematch = b.rematch;
    this.leaveWhenAlone = b.leaveWhenAlone;
    this.thinker =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "game-bot-" + b.name);
              t.setDaemon(true);
              return t;
            });
    String session = b.session != null ? b.session : newSession();
    this.client =
        DialogueClient.builder(b.url)
            .auth(Map.of("name", b.name, "session", session, "bot", "1"))
            .build();
    client.onJoined(this::follow);
  }

  /** A bot for the server at {@code url}. */
  public static Builder builder(String url) {
    return new Builder(url);
  }

  /** A new random session secret (what the web UI keeps in sessionStorage). */
  public static String newSession() {
    byte[] bytes = new byte[16];
    RANDOM.nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }

  /** The bot's options. */
  public static final class Builder {
    private final String url;
    private String name = "Bot";
    private String session;
    private Duration thinkTime = Duration.ZERO;
    private boolean rematch;
    private boolean leaveWhenAlone;

    private Builder(String url) {
      this.url = url;
    }

    /** The nickname shown to the others. */
    public Builder name(String name) {
      this.name = name;
      return this;
    }

    /** The session secret (default: a random one). */
    public Builder session(String session) {
      this.session = session;
      return this;
    }

    /** How long it waits before each move (default none). */
    public Builder thinkTime(Duration thinkTime) {
      this.thinkTime = thinkTime;
      return this;
    }

    /** Whether it accepts a rematch its opponent asks for. */
    public Builder rematch(boolean rematch) {
      this.rematch = rematch;
      return this;
    }

    /** Whether it leaves and closes once its opponent has gone. */
    public Builder leaveWhenAlone(boolean leave) {
      this.leaveWhenAlone = leave;
      return this;
    }

    /** Connects (waits up to 10 s). */
    public GameBot connect() {
      GameBot bot = new GameBot(this);
      try {
        bot.client.connect().get(10, TimeUnit.SECONDS);
      } catch (Exception e) {
        bot.close();
        throw new IllegalStateException("The bot could not connect to " + url, e);
      }
      return bot;
    }
  }

  // ---- taking a seat ----

  /** Quick match: the first open public match, or a new one that waits for an opponent. */
  public Joined quickMatch() {
    return await(client.request("match.quick", null, Joined.class));
  }

  /** A new match; a private one is joined by its code only. */
  public Joined create(boolean privateMatch) {
    return await(client.request("match.create", new CreateMatch(privateMatch), Joined.class));
  }

  /** Takes the free seat of the match with that code (or watches if none is free). */
  public Joined join(String code) {
    return await(client.request("match.join", new JoinMatch(code, false), Joined.class));
  }

  /** Watches the match with that code. */
  public Joined watch(String code) {
    return await(client.request("match.join", new JoinMatch(code, true), Joined.class));
  }

  private static <T> T await(CompletableFuture<T> future) {
    try {
      return future.get(15, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException(e.getCause());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  // ---- playing ----

  private void follow(ClientRoom joined) {
    if (!joined.id().startsWith("match-")) {
      return;
    }
    room = joined;
    joined.on("state", GameState.class, state -> onState(joined, state));
  }

  private void onState(ClientRoom in, GameState state) {
    if (closed) {
      return;
    }
    states.add(state);
    Player me = me(state);
    if (state.status().equals("over") && me != null) {
      finished.complete(state);
      Player opponent = opponent(state);
      if (leaveWhenAlone && (opponent == null || opponent.away())) {
        in.leave().whenComplete((r, e) -> close());
      } else if (rematch && opponent != null && opponent.rematch() && !me.rematch()) {
        later(() -> in.request("rematch", null, Void.class));
      }
      return;
    }
    if (leaveWhenAlone
        && state.status().equals("waiting")
        && me != null
        && opponent(state) == null) {
      in.leave().whenComplete((r, e) -> close());
      return;
    }
    if (me == null || !state.status().equals("playing") || state.turn() != me.seat()) {
      return;
    }
    String key = state.game() + "/" + state.moveNumber();
    if (actedOn.getAndSet(key).equals(key)) {
      return; // already answered this turn (the state came again: a join, a reconnect)
    }
    int column = choose(state.board(), me.seat());
    later(
        () ->
            in.request("move", new Move(column), Moved.class)
                .whenComplete(
                    (moved, e) -> {
                      if (e == null) {
                        moves.incrementAndGet();
                      } else {
                        log.debug("{}: move {} refused: {}", name, column, e.getMessage());
                      }
                    }));
  }

  private void later(Runnable task) {
    if (thinkTime.isZero()) {
      task.run();
    } else if (!thinker.isShutdown()) {
      thinker.schedule(task, thinkTime.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  private Player me(GameState state) {
    for (Player p : state.players()) {
      if (p.userId().equals(client.userId())) {
        return p;
      }
    }
    return null;
  }

  private Player opponent(GameState state) {
    for (Player p : state.players()) {
      if (!p.userId().equals(client.userId())) {
        return p;
      }
    }
    return null;
  }

  /** A legal column: win, else block, else a random safe one, else any open one. */
  static int choose(int[][] board, int seat) {
    int other = seat == 1 ? 2 : 1;
    List<Integer> open = new ArrayList<>();
    for (int c = 0; c < COLUMNS; c++) {
      if (board[0][c] == 0) {
        open.add(c);
      }
    }
    for (int c : open) {
      if (wins(board, c, seat)) {
        return c;
      }
    }
    for (int c : open) {
      if (wins(board, c, other)) {
        return c;
      }
    }
    List<Integer> safe = new ArrayList<>();
    for (int c : open) {
      int[][] after = copy(board);
      drop(after, c, seat);
      boolean givesWin = false;
      for (int d = 0; d < COLUMNS && !givesWin; d++) {
        givesWin = after[0][d] == 0 && wins(after, d, other);
      }
      if (!givesWin) {
        safe.add(c);
      }
    }
    List<Integer> pick = safe.isEmpty() ? open : safe;
    return pick.get(RANDOM.nextInt(pick.size()));
  }

  private static boolean wins(int[][] board, int column, int seat) {
    int[][] after = copy(board);
    int row = drop(after, column, seat);
    int[][] directions = {{0, 1}, {1, 0}, {1, 1}, {1, -1}};
    for (int[] d : directions) {
      int n = 1;
      for (int sign = -1; sign <= 1; sign += 2) {
        int r = row + sign * d[0];
        int c = column + sign * d[1];
        while (r >= 0 && r < ROWS && c >= 0 && c < COLUMNS && after[r][c] == seat) {
          n++;
          r += sign * d[0];
          c += sign * d[1];
        }
      }
      if (n >= 4) {
        return true;
      }
    }
    return false;
  }

  private static int drop(int[][] board, int column, int seat) {
    for (int r = ROWS - 1; r >= 0; r--) {
      if (board[r][column] == 0) {
        board[r][column] = seat;
        return r;
      }
    }
    throw new IllegalStateException("column " + column + " is full");
  }

  private static int[][] copy(int[][] board) {
    int[][] copy = new int[board.length][];
    for (int r = 0; r < board.length; r++) {
      copy[r] = board[r].clone();
    }
    return copy;
  }

  // ---- what tests read ----

  /** Completes with the state that ended the bot's first game. */
  public CompletableFuture<GameState> finished() {
    return finished;
  }

  /** Every state received, in order. */
  public List<GameState> states() {
    return List.copyOf(states);
  }

  /** The moves it made that the server accepted. */
  public int moves() {
    return moves.get();
  }

  public String userId() {
    return client.userId();
  }

  public String name() {
    return name;
  }

  /** The match room, once the server put the bot in one. */
  public ClientRoom room() {
    return room;
  }

  public DialogueClient client() {
    return client;
  }

  void onClosed(Runnable listener) {
    onClosed.add(listener);
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    thinker.shutdownNow();
    client.close();
    onClosed.forEach(Runnable::run);
  }
}
