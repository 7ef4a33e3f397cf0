package dev.dialogue.examples.game;

import dev.dialogue.AttributeKey;
import dev.dialogue.AuthResult;
import dev.dialogue.ClientConnection;
import dev.dialogue.CommandContext;
import dev.dialogue.CommandDefinition;
import dev.dialogue.CommandException;
import dev.dialogue.Decision;
import dev.dialogue.Dialogue;
import dev.dialogue.DialogueListener;
import dev.dialogue.EventDefinition;
import dev.dialogue.Handshake;
import dev.dialogue.HttpHandler;
import dev.dialogue.Room;
import dev.dialogue.RoomConfig;
import dev.dialogue.RoomVisibility;
import dev.dialogue.TriggerInterceptor;
import dev.dialogue.examples.CommandLine;
import dev.dialogue.examples.game.GameApi.AddBot;
import dev.dialogue.examples.game.GameApi.CreateMatch;
import dev.dialogue.examples.game.GameApi.GameState;
import dev.dialogue.examples.game.GameApi.JoinMatch;
import dev.dialogue.examples.game.GameApi.Joined;
import dev.dialogue.examples.game.GameApi.Lobby;
import dev.dialogue.examples.game.GameApi.MatchSummary;
import dev.dialogue.examples.game.GameApi.Move;
import dev.dialogue.examples.game.GameApi.Moved;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Four in a Row for two players, with a lobby, quick match, private matches joined by code,
 * spectators, a turn clock and reconnection: {@code bin/dialogue-example game [--port N] [--host H]
 * [--turn-seconds S] [--grace-seconds S]} prints the URL, then {@code READY <port>}. See
 * docs/examples/game.md.
 */
public final class GameServer implements AutoCloseable {
  static final String LOBBY = "lobby";
  static final String WEB_ROOT = "/dev/dialogue/examples/game/web/";

  /** Players and spectators together; the app caps spectators below it. */
  static final int MAX_MEMBERS = 32;

  static final int MAX_SPECTATORS = 24;

  /** The lobby's list is sent at most this often (every change is in the next one). */
  static final Duration LOBBY_EVERY = Duration.ofMillis(250);

  static final EventDefinition<Lobby> MATCHES =
      EventDefinition.builder("matches", Lobby.class).history(1).build();

  static final CommandDefinition<Void, Lobby> LOBBY_LIST =
      CommandDefinition.of("lobby", Void.class, Lobby.class);
  static final CommandDefinition<Void, Joined> QUICK =
      CommandDefinition.of("match.quick", Void.class, Joined.class);
  static final CommandDefinition<CreateMatch, Joined> CREATE =
      CommandDefinition.of("match.create", CreateMatch.class, Joined.class);
  static final CommandDefinition<JoinMatch, Joined> JOIN =
      CommandDefinition.of("match.join", JoinMatch.class, Joined.class);
  static final CommandDefinition<AddBot, Joined> BOT =
      CommandDefinition.of("match.bot", AddBot.class, Joined.class);

  // Commands of a match room.
  static final CommandDefinition<Move, Moved> MOVE =
      CommandDefinition.of("move", Move.class, Moved.class);
  static final CommandDefinition<Void, GameState> STATE =
      CommandDefinition.of("state", Void.class, GameState.class);
  static final CommandDefinition<Void, Void> RESIGN =
      CommandDefinition.of("resign", Void.class, Void.class);
  static final CommandDefinition<Void, Void> REMATCH =
      CommandDefinition.of("rematch", Void.class, Void.class);

  private static final AttributeKey<Match> MATCH = AttributeKey.of("match", Match.class);
  private static final String CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  private static final SecureRandom RANDOM = new SecureRandom();

  private final GameOptions options;
  private final Clock clock;
  private final Map<String, Match> matches = new ConcurrentHashMap<>(); // by room id
  private final Map<String, Match> byCode = new ConcurrentHashMap<>();
  private final List<GameBot> bots = new CopyOnWriteArrayList<>();
  private final Object matchmaking = new Object();
  private final Object lobbyLock = new Object();
  private long lobbyVersion; // guarded by lobbyLock
  private long lobbySentAt = Long.MIN_VALUE / 2; // guarded by lobbyLock, on the server's clock
  private boolean lobbyScheduled; // guarded by lobbyLock
  private volatile Dialogue dialogue;

  private GameServer(GameOptions options, Clock clock) {
    this.options = options;
    this.clock = clock;
  }

  /** Starts serving and returns once it does. */
  public static GameServer start(GameOptions options) {
    return start(options, Clock.systemUTC());
  }

  /** Starts serving on the given clock (tests pass a {@code TestClock}). */
  public static GameServer start(GameOptions options, Clock clock) {
    GameServer game = new GameServer(options, clock);
    game.dialogue = game.builder().build().start();
    return game;
  }

  private Dialogue.Builder builder() {
    TriggerInterceptor<Lobby> lobbyServerOnly = serverOnly();
    return Dialogue.builder()
        .host(options.host())
        .port(options.port())
        .clock(clock)
        .disconnectGrace(options.grace())
        .authenticator(GameServer::authenticate)
        .roomCreationPolicy((client, requested) -> Decision.deny("Matches are made by the server"))
        .room(
            RoomConfig.builder(LOBBY, "Lobby")
                .events(MATCHES)
                .defaultSubscriptions(EventDefinition.ANY)
                .intercept(MATCHES, lobbyServerOnly)
                .build())
        .command(LOBBY_LIST, (context, none) -> lobby())
        .command(QUICK, (context, none) -> quickMatch(context.sender()))
        .command(
            CREATE,
            (context, request) ->
                create(context.sender(), Boolean.TRUE.equals(request.privateMatch())))
        .command(JOIN, (context, request) -> join(context.sender(), request))
        .command(BOT, (context, request) -> addBot(context.sender(), request.matchId()))
        .listener(new Listener())
        .http("/", HttpHandler.resources(WEB_ROOT));
  }

  // ---- identity ----

  /**
   * Sign-in is a nickname plus a random session secret the page keeps (sessionStorage) and sends as
   * {@code auth: {name, session}}: the user id is derived from the secret, so a reload keeps the
   * seat and nobody can take another's seat by typing the same nickname.
   */
  static AuthResult authenticate(Handshake handshake) {
    String name = Optional.ofNullable(handshake.authString("name")).orElse("").strip();
    String session = Optional.ofNullable(handshake.authString("session")).orElse("");
    if (name.isEmpty() || name.length() > 20) {
      return AuthResult.reject("Pick a nickname of 1 to 20 characters");
    }
    if (session.length() < 16 || session.length() > 128) {
      return AuthResult.reject("The session secret must be 16 to 128 characters");
    }
    String userId = "u-" + digest(session).substring(0, 16);
    boolean bot = "1".equals(handshake.authString("bot"));
    return AuthResult.accept(userId, Map.of("name", name, "bot", bot));
  }

  static String nameOf(ClientConnection c) {
    Object name = c.claims().get("name");
    return name == null ? c.userId() : name.toString();
  }

  static boolean isBot(ClientConnection c) {
    return Boolean.TRUE.equals(c.claims().get("bot"));
  }

  private static String digest(String s) {
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(hash);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  // ---- matchmaking ----

  private Joined quickMatch(ClientConnection c) {
    Match match;
    synchronized (matchmaking) {
      match = activeMatchOf(c.userId());
      if (match == null) {
        for (Match m : matches.values()) {
          if (!m.privateMatch && m.open() && m.seatOf(c.userId()) == 0) {
            match = m;
            break;
          }
        }
      }
      if (match == null) {
        match = newMatch(false);
      }
      int seat = match.seat(c);
      if (seat == 0) {
        throw new CommandException("MATCH_FULL", "No seat is free; try again");
      }
    }
    return enter(c, match, false);
  }

  private Joined create(ClientConnection c, boolean privateMatch) {
    Match match;
    synchronized (matchmaking) {
      if (activeMatchOf(c.userId()) != null) {
        throw new CommandException(
            "ALREADY_PLAYING",
            "Finish or leave your current match first",
            Map.of("matchId", activeMatchOf(c.userId()).id));
      }
      match = newMatch(privateMatch);
      match.seat(c);
    }
    return enter(c, match, false);
  }

  private Joined join(ClientConnection c, JoinMatch request) {
    Match match = byCode.get(request.code().toUpperCase());
    if (match == null || match.closed()) {
      throw new CommandException(
          "NO_SUCH_MATCH", "No match has the code " + request.code().toUpperCase());
    }
    boolean watch = Boolean.TRUE.equals(request.watch());
    synchronized (matchmaking) {
      if (!watch && match.seatOf(c.userId()) == 0) {
        Match active = activeMatchOf(c.userId());
        if (active == null && match.seat(c) == 0) {
          watch = true; // both seats are taken: watch instead
        } else if (active != null && active != match) {
          watch = true;
        }
      }
    }
    if (watch && match.seatOf(c.userId()) == 0 && spectators(match) >= MAX_SPECTATORS) {
      throw new CommandException(
          "SPECTATORS_FULL", "This match has as many spectators as it takes");
    }
    return enter(c, match, match.seatOf(c.userId()) == 0);
  }

  private Joined addBot(ClientConnection c, String matchId) {
    Match match = matches.get(matchId);
    if (match == null || match.seatOf(c.userId()) == 0) {
      throw new CommandException("NOT_A_PLAYER", "Only a player of the match can invite a bot");
    }
    if (!match.open()) {
      throw new CommandException("MATCH_FULL", "The match has its two players");
    }
    GameBot bot =
        GameBot.builder("http://127.0.0.1:" + port())
            .name(botName())
            .thinkTime(Duration.ofMillis(700))
            .rematch(true)
            .leaveWhenAlone(true)
            .connect();
    bots.add(bot);
    bot.onClosed(() -> bots.remove(bot));
    bot.join(match.code);
    return new Joined(match.id, match.code, match.seatOf(c.userId()), false);
  }

  private static String botName() {
    String[] names = {"Robo Rita", "Bolt", "Cogsworth", "Dot Matrix", "Servo", "Widget"};
    return names[RANDOM.nextInt(names.length)] + " (bot)";
  }

  /** Puts the connection in the match's room (server code seats anyone: the room is private). */
  private Joined enter(ClientConnection c, Match match, boolean spectator) {
    if (!c.rooms().contains(match.id)) {
      c.join(match.id);
    }
    return new Joined(match.id, match.code, match.seatOf(c.userId()), spectator);
  }

  private Match activeMatchOf(String userId) {
    for (Match m : matches.values()) {
      if (m.activeFor(userId)) {
        return m;
      }
    }
    return null;
  }

  private Match newMatch(boolean privateMatch) {
    String code;
    do {
      code = randomCode();
    } while (byCode.containsKey(code));
    String id = "match-" + randomId();
    TriggerInterceptor<GameState> stateServerOnly = serverOnly();
    TriggerInterceptor<GameApi.Notice> noticeServerOnly = serverOnly();
    RoomConfig config =
        RoomConfig.builder(id, "Four in a Row " + code)
            .events(Match.STATE, Match.NOTICE)
            .defaultSubscriptions(EventDefinition.ANY)
            .maxSize(MAX_MEMBERS)
            .visibility(RoomVisibility.PRIVATE)
            .disposeWhenEmpty(Duration.ofSeconds(10))
            .intercept(Match.STATE, stateServerOnly)
            .intercept(Match.NOTICE, noticeServerOnly)
            .command(MOVE, (context, move) -> match(context).move(userId(context), move.column()))
            .command(STATE, (context, none) -> match(context).state())
            .command(
                RESIGN,
                (context, none) -> {
                  match(context).resign(userId(context));
                  return null;
                })
            .command(
                REMATCH,
                (context, none) -> {
                  match(context).rematch(userId(context));
                  return null;
                })
            .build();
    Room room = dialogue.createRoom(config);
    Match match =
        new Match(
            id,
            code,
            privateMatch,
            room,
            clock,
            options.turn(),
            options.grace(),
            this::publishLobby);
    room.attributes().set(MATCH, match);
    matches.put(id, match);
    byCode.put(code, match);
    return match;
  }

  private static Match match(CommandContext context) {
    Match match = context.room().attributes().get(MATCH);
    if (match == null) {
      throw new CommandException("NO_SUCH_MATCH", "This match is over");
    }
    return match;
  }

  private static String userId(CommandContext context) {
    return context.sender().userId();
  }

  private static int spectators(Match match) {
    int n = 0;
    for (ClientConnection c : match.room().participants()) {
      if (match.seatOf(c.userId()) == 0) {
        n++;
      }
    }
    return n;
  }

  private static <T> TriggerInterceptor<T> serverOnly() {
    return (context, data) -> {
      if (context.sender() != null) {
        throw new CommandException(
            "SERVER_ONLY", "Only the server sends '" + context.event() + "'");
      }
      return data;
    };
  }

  private static String randomCode() {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < 5; i++) {
      s.append(CODE_ALPHABET.charAt(RANDOM.nextInt(CODE_ALPHABET.length())));
    }
    return s.toString();
  }

  private static String randomId() {
    byte[] bytes = new byte[12];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  // ---- the lobby ----

  private Lobby lobby() {
    synchronized (lobbyLock) {
      return lobbyNow();
    }
  }

  private Lobby lobbyNow() {
    List<MatchSummary> list = new ArrayList<>();
    for (Match m : matches.values()) {
      MatchSummary s = m.summary();
      if (!m.privateMatch && !m.closed() && !s.status().equals("closed")) {
        list.add(s);
      }
    }
    list.sort(
        (a, b) -> {
          int c = Boolean.compare(!a.status().equals("waiting"), !b.status().equals("waiting"));
          return c != 0 ? c : a.code().compareTo(b.code());
        });
    return new Lobby(list, lobbyVersion);
  }

  /**
   * A public match's line changed: the lobby gets the list at once if it got none in the last
   * {@link #LOBBY_EVERY}, else once when that is over, with every change made meanwhile. With
   * hundreds of public matches, games start and end many times a second, and each list is tens of
   * kilobytes for every lobby watcher.
   */
  private void publishLobby() {
    Dialogue d = dialogue;
    if (d == null) {
      return;
    }
    synchronized (lobbyLock) {
      if (lobbyScheduled) {
        return; // the scheduled list will carry this change too
      }
      long wait = lobbySentAt + LOBBY_EVERY.toMillis() - clock.millis();
      if (wait <= 0) {
        sendLobby(d);
        return;
      }
      Optional<Room> lobby = d.room(LOBBY);
      if (lobby.isPresent()) {
        lobbyScheduled = true;
        lobby.get().schedule(Duration.ofMillis(wait), this::sendScheduledLobby);
      }
    }
  }

  /** On the lobby room's executor, {@link #LOBBY_EVERY} after the last list. */
  private void sendScheduledLobby() {
    synchronized (lobbyLock) {
      lobbyScheduled = false;
      sendLobby(dialogue);
    }
  }

  private void sendLobby(Dialogue d) {
    lobbyVersion++;
    lobbySentAt = clock.millis();
    d.trigger(LOBBY, MATCHES, lobbyNow());
  }

  // ---- connections ----

  private final class Listener implements DialogueListener {
    @Override
    public void onConnected(ClientConnection client) {
      // A reloaded page (a new connection of the same user) is put back into its match.
      Match active = activeMatchOf(client.userId());
      if (active != null) {
        client.join(active.id);
      }
    }

    @Override
    public void onJoined(ClientConnection client, Room room) {
      Match match = room.attributes().get(MATCH);
      if (match != null) {
        match.joined(client);
      }
    }

    @Override
    public void onLeft(ClientConnection client, Room room) {
      Match match = room.attributes().get(MATCH);
      if (match != null) {
        match.left(client);
      }
    }

    @Override
    public void onDropped(ClientConnection client, String reason) {
      forEachMatch(client, m -> m.dropped(client));
    }

    @Override
    public void onResumed(ClientConnection client) {
      forEachMatch(client, m -> m.resumed(client));
    }

    @Override
    public void onGone(ClientConnection client) {
      forEachMatch(client, m -> m.gone(client));
    }

    @Override
    public void onRoomDeleted(Room room) {
      Match match = matches.remove(room.id());
      if (match != null) {
        byCode.remove(match.code, match);
        match.close();
        publishLobby();
      }
    }

    private void forEachMatch(ClientConnection client, java.util.function.Consumer<Match> action) {
      for (String roomId : client.rooms()) {
        Match match = matches.get(roomId);
        if (match != null) {
          action.accept(match);
        }
      }
    }
  }

  // ---- the process ----

  /** The port it listens on. */
  public int port() {
    return dialogue.port();
  }

  /** The address to open in a browser. */
  public String url() {
    String host = options.host();
    if (host.equals("0.0.0.0") || host.equals("::")) {
      host = "localhost";
    }
    return "http://" + host + ":" + port() + "/";
  }

  /** The embedded Dialogue server. */
  public Dialogue dialogue() {
    return dialogue;
  }

  /** The match in a room, for tests. */
  Optional<Match> matchOf(String roomId) {
    return Optional.ofNullable(matches.get(roomId));
  }

  @Override
  public void close() {
    for (GameBot bot : bots) {
      bot.close();
    }
    dialogue.close();
  }

  public static void main(String[] args) {
    GameOptions options = CommandLine.parseOrExit(args, GameOptions::parse, GameOptions.USAGE);
    if (options.help()) {
      System.out.println(GameOptions.USAGE);
      return;
    }
    GameServer server = start(options);
    CommandLine.serving(
        server, "game", server.port(), "Dialogue Four in a Row is running: open " + server.url());
  }
}
