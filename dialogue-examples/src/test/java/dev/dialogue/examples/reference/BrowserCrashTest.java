package dev.dialogue.examples.reference;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dialogue.examples.reference.CrashTrial.Seen;
import dev.dialogue.testing.Browser;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The crash trial of {@link ClientCrashTest} with the browser client ({@code dialogue.js} in
 * Chromium) doing all the work: two publishers and one subscriber in a page, against the reference
 * server with a durable store, SIGKILLed and restarted on the same port and database three times
 * mid-stream. The clients reconnect, re-join from their offsets and resend what was not confirmed,
 * with the same {@code clientMessageId}s, by themselves. Every trigger ends confirmed, the store
 * holds each exactly once, and the subscriber saw every stored event once, in order, each at the
 * offset the store gives it.
 */
@Timeout(180)
class BrowserCrashTest {
  private static final int PER_PUBLISHER = 200;
  private static final int KILLS = 3;
  private static final int WINDOW = 32;

  @TempDir Path dir;
  private CrashTrial trial;
  private Browser browser;

  @AfterEach
  void end() {
    if (browser != null) {
      browser.close();
    }
    trial.close();
  }

  @Test
  void publishersAndSubscriberInTheBrowser_loseAndRepeatNothing_acrossThreeKills()
      throws Exception {
    trial = new CrashTrial(dir);
    int port = trial.start();
    browser = new Browser();
    browser.open(port);
    browser.run(
        """
        const mk = (userId) => Dialogue.connect(server, {auth: {userId}, requestTimeout: 5000,
            reconnect: {initial: 50, max: 500, jitter: 0.2}});
        window.carol = mk('carol');
        await carol.connect();
        window.sub = await carol.join('chat');
        window.seen = [];
        sub.on('message', (d, e) => seen.push([e.offset, d.text]));
        window.confirmed = 0;
        window.failures = [];
        const results = [];
        // Back-pressure while the server is down: at most WINDOW unconfirmed per publisher.
        const publish = async (user) => {
          const client = mk(user);
          await client.connect();
          const room = await client.join('chat');
          let inFlight = 0;
          for (let i = 0; i < %d; i++) {
            while (inFlight >= %d) await new Promise((r) => setTimeout(r, 5));
            inFlight++;
            results.push(room.trigger('message', {text: user + '-' + i}).result.then(
                () => confirmed++,
                (e) => failures.push(user + '-' + i + ': ' + e.code + '/' + e.fate))
              .finally(() => inFlight--));
          }
        };
        window.finished = Promise.all([publish('alice'), publish('bob')]).then(() => Promise.all(results));
        """
            .formatted(PER_PUBLISHER, WINDOW));

    int total = 2 * PER_PUBLISHER;
    for (int kill = 1; kill <= KILLS; kill++) {
      // Another quarter of the triggers confirmed, then SIGKILL with the next ones in flight.
      browser.await("confirmed >= " + total * kill / (KILLS + 1));
      trial.kill();
      trial.start();
    }
    assertThat(browser.run("await finished; return failures;"))
        .as("triggers not confirmed")
        .isEqualTo(List.of());
    assertThat(browser.eval("confirmed")).isEqualTo((long) total);

    browser.await("seen.length >= " + total);
    @SuppressWarnings("unchecked")
    List<List<Object>> raw = (List<List<Object>>) browser.eval("seen");
    List<Seen> seen = raw.stream().map(e -> new Seen((Long) e.get(0), (String) e.get(1))).toList();
    CrashTrial.compare(seen, trial.stored((String) browser.eval("sub.epoch")), total);
  }
}
