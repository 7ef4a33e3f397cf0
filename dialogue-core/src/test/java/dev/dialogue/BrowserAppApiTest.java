package dev.dialogue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dialogue.testing.Browser;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The application API as the browser client meets it (issue 14): private rooms are invisible to
 * whoever may not see them, strict binding names the field, a room's typed interceptor refuses with
 * the application's code and data, and room metadata comes with the room. Real Chromium.
 */
@Timeout(90)
class BrowserAppApiTest {
  record Move(int row, int col) {}

  private static final EventDefinition<Move> MOVE = EventDefinition.of("move", Move.class);

  private static Browser browser;
  private Dialogue server;

  @BeforeAll
  static void startBrowser() {
    browser = new Browser();
  }

  @AfterAll
  static void stopBrowser() {
    if (browser != null) {
      browser.close();
    }
  }

  @AfterEach
  void stop() {
    browser.eval("window.client && window.client.close()");
    if (server != null) {
      server.close();
    }
  }

  private void start() {
    server =
        Dialogue.builder()
            .host("127.0.0.1")
            .port(0)
            .room(
                RoomConfig.builder("board", "Board")
                    .events(MOVE)
                    .metadata(Map.of("size", 3))
                    .intercept(
                        MOVE,
                        (context, move) -> {
                          if (move.row() > 2 || move.col() > 2) {
                            throw new CommandException(
                                "OFF_BOARD", "The board is 3 by 3", Map.of("max", 2));
                          }
                          return move;
                        })
                    .build(),
                RoomConfig.builder("vault", "Vault")
                    .anyEvent()
                    .visibleTo((connection, room) -> "admin".equals(connection.meta().get("role")))
                    .build())
            .build()
            .start();
    browser.open(server.port());
  }

  private Map<String, Object> as(String user, String role, String body) {
    return browser.runMap(
        "if (window.client) window.client.close(); const c = window.client ="
            + " Dialogue.connect('http://127.0.0.1:"
            + server.port()
            + "', {auth: {userId: '"
            + user
            + "', role: '"
            + role
            + "'}}); await c.connect();"
            + body);
  }

  @Test
  void aPrivateRoom_isAbsentFromTheListAndAnsweredAsMissing_forWhoeverMayNotSeeIt() {
    start();
    Map<String, Object> guest =
        as(
            "guest",
            "user",
            """
            const ids = (await c.listRooms()).map((r) => r.id);
            const fail = async (p) => { try { await p; return 'ok'; } catch (e) { return e.code + ': ' + e.message; } };
            return {ids, vault: await fail(c.join('vault')), nowhere: await fail(c.join('nowhere'))};
            """);
    assertThat(guest.get("ids")).asList().containsExactly("board");
    assertThat(guest.get("vault")).isEqualTo("ROOM_NOT_FOUND: Room 'vault' does not exist");
    assertThat(guest.get("nowhere")).isEqualTo("ROOM_NOT_FOUND: Room 'nowhere' does not exist");

    Map<String, Object> admin =
        as(
            "root",
            "admin",
            """
            const ids = (await c.listRooms()).map((r) => r.id);
            const vault = await c.join('vault');
            return {ids, joined: vault.id};
            """);
    assertThat(admin.get("ids")).asList().containsExactly("board", "vault");
    assertThat(admin.get("joined")).isEqualTo("vault");
  }

  @Test
  void strictBinding_theInterceptorsRefusal_andTheMetadata_reachThePage() {
    start();
    Map<String, Object> seen =
        as(
            "alice",
            "user",
            """
            const board = await c.join('board');
            const info = (await c.listRooms()).find((r) => r.id === 'board');
            const fail = async (data) => {
              try { await board.trigger('move', data).result; return 'ok'; }
              catch (e) { return {code: e.code, message: e.message, data: e.data || null, fate: e.fate}; }
            };
            return {
              metadata: info.metadata,
              missing: await fail({row: 1}),
              mismatch: await fail({row: 'x', col: 1}),
              offBoard: await fail({row: 5, col: 0}),
              fine: await fail({row: 1, col: 2}),
            };
            """);
    assertThat(seen.get("metadata")).isEqualTo(Map.of("size", 3L));
    Map<?, ?> missing = (Map<?, ?>) seen.get("missing");
    assertThat(missing.get("code")).isEqualTo("VALIDATION_FAILED");
    assertThat(missing.get("message")).isEqualTo("Event 'move' validation failed: col: Required");
    assertThat(missing.get("fate")).isEqualTo("refused");
    assertThat(((Map<?, ?>) seen.get("mismatch")).get("message"))
        .isEqualTo("Event 'move' validation failed: row: Expected number, received string");
    assertThat(seen.get("offBoard"))
        .isEqualTo(
            Map.of(
                "code",
                "OFF_BOARD",
                "message",
                "The board is 3 by 3",
                "data",
                Map.of("max", 2L),
                "fate",
                "refused"));
    assertThat(seen.get("fine")).isEqualTo("ok");
  }
}
