package dev.dialogue.examples.game;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dialogue.client.DialogueClientException;
import dev.dialogue.examples.game.GameApi.AddBot;
import dev.dialogue.examples.game.GameApi.CreateMatch;
import dev.dialogue.examples.game.GameApi.GameState;
import dev.dialogue.examples.game.GameApi.JoinMatch;
import dev.dialogue.examples.game.GameApi.Joined;
import dev.dialogue.examples.game.GameApi.Lobby;
import dev.dialogue.examples.game.GameApi.Move;
import dev.dialogue.examples.game.GameApi.Moved;
import dev.dialogue.examples.game.GameApi.Notice;
import dev.dialogue.test.DialogueServerExtension;
import dev.dialogue.test.Recorder;
import dev.dialogue.test.TestClient;
import dev.dialogue.test.TestClock;
import dev.dialogue.test.TestRoom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The game over real sockets, through the test kit, on a clock the tests move: full matches between
 * bots, the rules' refusals, spectators, the lobby, the turn clock, a dropped player's resume and
 * forfeit.
 */
@Timeout(120)
class GameServerTest {
  static final Duration TURN = Duration.ofSeconds(30);
  static final Duration GRACE = Duration.ofSeconds(20);

  private final TestClock clock = TestClock.atFixedStart();
  private final List<GameBot> bots = new ArrayList<>();
  private GameServer game;

  @RegisterExtension
  final DialogueServerExtension server =
      DialogueServerExtension.ofApplication(
          () -> {
            game =
                GameServer.start(GameOptions.defaults(0).with("127.0.0.1", 0, TURN, GRACE), clock);
            return game;
          },
          GameServer::dialogue);

  @AfterEach
  void closeBots() {
    bots.forEach(GameBot::close);
  }

  private GameBot bot(String name) {
    GameBot bot = GameBot.builder(server.url()).name(name).connect();
    bots.add(bot);
    return bot;
  }

  private TestClient player(String name) {
    return server.client(Map.of("name", name, "session", GameBot.newSession()));
  }

  /** Alice (seat 1, moves first) and Bob (seat 2) in a private match. */
  private record Table(
      TestClient alice, TestClient bob, TestRoom aliceRoom, TestRoom bobRoom, Joined joined) {}

  private Table table() {
    TestClient alice = player("Alice");
    TestClient bob = player("Bob");
    Joined joined = alice.request(GameServer.CREATE, new CreateMatch(true));
    assertThat(joined.seat()).isEqualTo(1);
    TestRoom aliceRoom = alice.join(joined.matchId()); // server code put her in: the cached room
    Joined bobJoined =
        bob.request(GameServer.JOIN, new JoinMatch(joined.code().toLowerCase(), null));
    assertThat(bobJoined.matchId()).isEqualTo(joined.matchId());
    assertThat(bobJoined.seat()).isEqualTo(2);
    TestRoom bobRoom = bob.join(joined.matchId());
    return new Table(alice, bob, aliceRoom, bobRoom, joined);
  }

  private static void poll(BooleanSupplier condition, String what) {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new AssertionError("timed out waiting for " + what);
      }
      try {
        TimeUnit.MILLISECONDS.sleep(20); // polling interval, not a wait for an outcome
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  private static void assertRefused(Runnable call, String code) {
    assertThatThrownBy(call::run)
        .isInstanceOfSatisfying(
            DialogueClientException.class, e -> assertThat(e.code()).isEqualTo(code));
  }

  @Test
  void twoBotsPlayAFullMatch_toAWinOrADraw_andTheEmptyRoomIsDisposed() throws Exception {
    GameBot red = bot("Red");
    GameBot yellow = bot("Yellow");
    Joined joined = red.create(true);
    Joined other = yellow.join(joined.code());
    assertThat(other.matchId()).isEqualTo(joined.matchId());

    GameState end = red.finished().get(30, TimeUnit.SECONDS);
    assertThat(yellow.finished().get(30, TimeUnit.SECONDS).version()).isGreaterThan(0);
    assertThat(end.status()).isEqualTo("over");
    assertThat(end.result().reason()).isIn("four", "draw");
    // Every move was one of theirs, accepted (the last answer may come after the final state).
    poll(() -> red.moves() + yellow.moves() == end.moveNumber(), "the bots' moves to be counted");
    assertThat(end.moveNumber()).isBetween(7, 42);
    if (end.result().reason().equals("four")) {
      assertThat(end.result().line()).hasSizeGreaterThanOrEqualTo(4);
      for (int[] cell : end.result().line()) {
        assertThat(end.board()[cell[0]][cell[1]]).isEqualTo(end.result().winner());
      }
    }
    // Every state they saw came in version order.
    List<Long> versions = red.states().stream().map(GameState::version).toList();
    assertThat(versions).isSorted();

    red.room().leave().get(10, TimeUnit.SECONDS);
    yellow.room().leave().get(10, TimeUnit.SECONDS);
    clock.advance(Duration.ofSeconds(11)); // the match room's disposeWhenEmpty
    poll(() -> server.dialogue().room(joined.matchId()).isEmpty(), "the empty room's disposal");
    poll(() -> game.matchOf(joined.matchId()).isEmpty(), "the match to be forgotten");
  }

  @Test
  void quickMatch_pairsTwoPlayers_theLobbyListsPublicMatchesLive_notPrivateOnes() {
    TestClient watcher = player("Watcher");
    TestRoom lobby = watcher.join(GameServer.LOBBY);
    Recorder<Lobby> lobbySees = lobby.record(GameServer.MATCHES);
    assertThat(watcher.request(GameServer.LOBBY_LIST, null).matches()).isEmpty();

    GameBot first = bot("First");
    Joined a = first.quickMatch();
    assertThat(a.seat()).isEqualTo(1);
    Lobby listed =
        lobbySees.awaitMatching(
            l -> l.matches().size() == 1 && l.matches().get(0).status().equals("waiting"));
    assertThat(listed.matches().get(0).code()).isEqualTo(a.code());
    assertThat(listed.matches().get(0).players()).containsExactly("First");

    GameBot priv = bot("Hidden");
    priv.create(true);

    GameBot second = bot("Second");
    Joined b = second.quickMatch();
    assertThat(b.matchId()).isEqualTo(a.matchId());
    assertThat(b.seat()).isEqualTo(2);
    // The lobby got a list a moment ago (on this clock): the next one comes LOBBY_EVERY after it.
    clock.advance(GameServer.LOBBY_EVERY);
    Lobby playing =
        lobbySees.awaitMatching(
            l ->
                l.matches().stream()
                    .anyMatch(m -> m.code().equals(a.code()) && !m.status().equals("waiting")));
    assertThat(playing.matches()).extracting(GameApi.MatchSummary::code).containsExactly(a.code());
    assertThat(watcher.request(GameServer.LOBBY_LIST, null).matches())
        .extracting(GameApi.MatchSummary::code)
        .doesNotContain(priv.states().isEmpty() ? "" : priv.states().get(0).code());
  }

  @Test
  void illegalMoves_areRefused_withTheirCodes() {
    TestClient alice = player("Alice");
    Joined joined = alice.request(GameServer.CREATE, new CreateMatch(true));
    TestRoom aliceRoom = alice.join(joined.matchId());
    assertRefused(() -> aliceRoom.request(GameServer.MOVE, new Move(3)), "NOT_STARTED");

    TestClient bob = player("Bob");
    bob.request(GameServer.JOIN, new JoinMatch(joined.code(), false));
    TestRoom bobRoom = bob.join(joined.matchId());
    Recorder<GameState> bobSees = bobRoom.record(Match.STATE);
    bobSees.awaitMatching(s -> s.status().equals("playing"));

    assertRefused(() -> bobRoom.request(GameServer.MOVE, new Move(3)), "NOT_YOUR_TURN");
    assertRefused(() -> aliceRoom.request(GameServer.MOVE, new Move(7)), "VALIDATION_FAILED");
    assertRefused(() -> aliceRoom.request(GameServer.MOVE, new Move(-1)), "VALIDATION_FAILED");
    assertRefused(() -> aliceRoom.request(GameServer.MOVE, new Move(null)), "VALIDATION_FAILED");
    assertRefused(
        () -> aliceRoom.request("move", Map.of("column", "3"), Moved.class), "VALIDATION_FAILED");

    for (int i = 0; i < 3; i++) { // column 0 filled, alternating: nobody wins
      assertThat(aliceRoom.request(GameServer.MOVE, new Move(0)).row()).isEqualTo(5 - 2 * i);
      assertThat(bobRoom.request(GameServer.MOVE, new Move(0)).row()).isEqualTo(4 - 2 * i);
    }
    assertThatThrownBy(() -> aliceRoom.request(GameServer.MOVE, new Move(0)))
        .isInstanceOfSatisfying(
            DialogueClientException.class,
            e -> {
              assertThat(e.code()).isEqualTo("COLUMN_FULL");
              assertThat(e.getMessage()).contains("Column 1 is full");
              assertThat(e.data().get("column").asInt()).isZero();
            });
    assertThatThrownBy(
            () -> aliceRoom.trigger("notice", new Notice("x", "cheating")).result().join())
        .hasCauseInstanceOf(DialogueClientException.class)
        .cause()
        .satisfies(e -> assertThat(((DialogueClientException) e).code()).isEqualTo("SERVER_ONLY"));

    // Alice wins on the bottom row, her disc in column 1 being the first of the four.
    aliceRoom.request(GameServer.MOVE, new Move(1));
    bobRoom.request(GameServer.MOVE, new Move(6));
    aliceRoom.request(GameServer.MOVE, new Move(2));
    bobRoom.request(GameServer.MOVE, new Move(6));
    aliceRoom.request(GameServer.MOVE, new Move(3));
    GameState over = bobSees.awaitMatching(s -> s.status().equals("over"));
    assertThat(over.result().winner()).isEqualTo(1);
    assertThat(over.result().reason()).isEqualTo("four");
    assertThat(over.result().line()).extracting(cell -> cell[1]).containsExactly(0, 1, 2, 3);
    assertRefused(() -> bobRoom.request(GameServer.MOVE, new Move(2)), "GAME_OVER");
  }

  @Test
  void aSpectator_getsTheCurrentState_butCannotMove_andOthersCannotSeeThePrivateRoom() {
    Table t = table();
    t.aliceRoom().request(GameServer.MOVE, new Move(3));
    t.bobRoom().request(GameServer.MOVE, new Move(3));

    TestClient carol = player("Carol");
    Joined watching = carol.request(GameServer.JOIN, new JoinMatch(t.joined().code(), true));
    assertThat(watching.spectator()).isTrue();
    assertThat(watching.seat()).isZero();
    TestRoom carolRoom = carol.join(t.joined().matchId());
    GameState seen = carolRoom.record(Match.STATE).awaitMatching(s -> s.spectators() == 1);
    assertThat(seen.moveNumber()).isEqualTo(2);
    assertThat(seen.board()[5][3]).isEqualTo(1);
    assertThat(seen.board()[4][3]).isEqualTo(2);
    assertThat(seen.turn()).isEqualTo(1);
    assertThat(carolRoom.request(GameServer.STATE, null).version())
        .isGreaterThanOrEqualTo(seen.version());

    assertRefused(() -> carolRoom.request(GameServer.MOVE, new Move(2)), "NOT_A_PLAYER");
    assertRefused(() -> carolRoom.request(GameServer.RESIGN, null), "NOT_A_PLAYER");

    // A third player asking for a seat watches instead: both seats are taken.
    TestClient dave = player("Dave");
    assertThat(dave.request(GameServer.JOIN, new JoinMatch(t.joined().code(), false)).spectator())
        .isTrue();
    // Someone who was not let in cannot even tell the room exists.
    TestClient erin = player("Erin");
    assertRefused(() -> erin.join(t.joined().matchId()), "ROOM_NOT_FOUND");
    assertRefused(
        () -> erin.request(GameServer.JOIN, new JoinMatch("ZZZZZ", false)), "NO_SUCH_MATCH");
    assertRefused(
        () -> erin.request(GameServer.JOIN, new JoinMatch("no!", false)), "VALIDATION_FAILED");
  }

  @Test
  void theTurnClock_runsOnTheServersClock_andRunningOutLosesTheGame() {
    Table t = table();
    Recorder<GameState> bobSees = t.bobRoom().record(Match.STATE);
    GameState playing = bobSees.awaitMatching(s -> s.status().equals("playing"));
    assertThat(playing.turnEndsAt()).isEqualTo(clock.millis() + TURN.toMillis());
    assertThat(playing.turnSeconds()).isEqualTo(30);

    t.aliceRoom().request(GameServer.MOVE, new Move(2)); // in time: the clock starts for Bob
    bobSees.awaitMatching(s -> s.moveNumber() == 1);
    clock.advance(Duration.ofSeconds(29));
    bobSees.assertNoMore(Duration.ofMillis(300)); // not yet
    t.bobRoom().request(GameServer.MOVE, new Move(2));
    clock.advance(TURN.plusSeconds(1)); // Alice does nothing
    GameState over = bobSees.awaitMatching(s -> s.status().equals("over"));
    assertThat(over.result().reason()).isEqualTo("timeout");
    assertThat(over.result().winner()).isEqualTo(2);
  }

  @Test
  void aDroppedPlayer_keepsTheSeat_withTheClockPaused_andResumesWhereTheGameStands() {
    Table t = table();
    Recorder<GameState> bobSees = t.bobRoom().record(Match.STATE);
    Recorder<Notice> bobHears = t.bobRoom().record(Match.NOTICE);
    t.aliceRoom().request(GameServer.MOVE, new Move(3));
    t.bobRoom().request(GameServer.MOVE, new Move(4)); // Alice to move

    t.alice().drop();
    t.alice().awaitDisconnected();
    GameState away = bobSees.awaitMatching(s -> s.players().get(0).away());
    assertThat(away.players().get(0).awayUntil()).isEqualTo(clock.millis() + GRACE.toMillis());
    assertThat(away.turnEndsAt()).isZero(); // paused while she is away
    assertThat(away.status()).isEqualTo("playing");
    assertThat(bobHears.awaitMatching(n -> n.kind().equals("away")).text()).contains("Alice");

    clock.advance(Duration.ofSeconds(15)); // within the grace, and past what her turn had... paused
    t.alice().restore();
    t.alice().awaitReconnected();
    GameState back = bobSees.awaitMatching(s -> !s.players().get(0).away());
    assertThat(back.status()).isEqualTo("playing");
    assertThat(back.turn()).isEqualTo(1);
    assertThat(back.turnEndsAt()).isGreaterThan(clock.millis());
    assertThat(bobHears.awaitMatching(n -> n.kind().equals("back")).text()).contains("Alice");

    // She goes on where the game stands: her room kept, her move counted.
    Moved moved = t.aliceRoom().request(GameServer.MOVE, new Move(3));
    assertThat(moved.row()).isEqualTo(4);
    assertThat(moved.moveNumber()).isEqualTo(3);
  }

  @Test
  void aPlayerWhoDoesNotComeBackWithinTheGrace_forfeits_andTheOthersAreTold() {
    Table t = table();
    TestClient carol = player("Carol");
    carol.request(GameServer.JOIN, new JoinMatch(t.joined().code(), true));
    Recorder<GameState> carolSees = carol.join(t.joined().matchId()).record(Match.STATE);
    t.aliceRoom().request(GameServer.MOVE, new Move(3));

    t.bob().drop();
    t.bob().awaitDisconnected();
    carolSees.awaitMatching(s -> s.players().get(1).away());
    clock.advance(GRACE.plusSeconds(1));
    GameState over = carolSees.awaitMatching(s -> s.status().equals("over"));
    assertThat(over.result().reason()).isEqualTo("forfeit");
    assertThat(over.result().winner()).isEqualTo(1);
    assertThat(over.players().get(1).away()).isTrue();

    // Bob comes back too late: a new connection, and the match is lost.
    t.bob().restore();
    t.bob().awaitReconnected();
    assertRefused(() -> t.aliceRoom().request(GameServer.REMATCH, null), "OPPONENT_LEFT");
    Recorder<Notice> aliceHears = t.aliceRoom().record(Match.NOTICE);
    assertThat(aliceHears.awaitMatching(n -> n.kind().equals("forfeit")).text())
        .contains("Bob did not come back");
  }

  @Test
  void aPlayerCanInviteABot_whichTakesTheSeatAndPlays() throws Exception {
    GameBot alice = bot("Alice");
    Joined joined = alice.create(false);
    Joined again =
        alice
            .client()
            .request("match.bot", new AddBot(joined.matchId()), Joined.class)
            .get(10, TimeUnit.SECONDS);
    assertThat(again.matchId()).isEqualTo(joined.matchId());
    GameState end = alice.finished().get(60, TimeUnit.SECONDS);
    assertThat(end.players()).extracting(GameApi.Player::bot).containsExactly(true, true);
    assertThat(end.players().get(1).name()).endsWith("(bot)");
    assertThat(end.status()).isEqualTo("over");
  }

  @Test
  void rematch_startsAnotherGame_whenBothAsk_withTheOtherPlayerFirst() {
    Table t = table();
    Recorder<GameState> aliceSees = t.aliceRoom().record(Match.STATE);
    t.aliceRoom().request(GameServer.RESIGN, null);
    GameState over = aliceSees.awaitMatching(s -> s.status().equals("over"));
    assertThat(over.result().reason()).isEqualTo("resigned");
    assertThat(over.result().winner()).isEqualTo(2);
    t.aliceRoom().request(GameServer.REMATCH, null);
    t.bobRoom().request(GameServer.REMATCH, null);
    GameState second = aliceSees.awaitMatching(s -> s.game() == 2 && s.status().equals("playing"));
    assertThat(second.turn()).isEqualTo(2);
    assertThat(second.moveNumber()).isZero();
    assertRefused(() -> t.aliceRoom().request(GameServer.MOVE, new Move(0)), "NOT_YOUR_TURN");
  }
}
