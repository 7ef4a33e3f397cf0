package dev.dialogue.examples.dashboard;

import dev.dialogue.examples.BrowserPage;
import java.nio.file.Path;
import java.util.Map;

/**
 * The dashboard's page in a headless Debian Chromium of its own (own profile), read through its
 * {@code data-testid}s. Waits poll the page with a timeout; a timeout saves a screenshot.
 */
final class DashboardPage extends BrowserPage {
  static final Path SCREENSHOTS = Path.of("target", "dashboard-screenshots");

  DashboardPage(String name, int width, int height) {
    super(name, width, height, "dashboard-screenshots");
  }

  @Override
  public void open(String url) {
    driver.get(url);
    await("the page to connect and join", d -> "true".equals(body().getAttribute("data-ready")));
  }

  /** The tick the page shows, or -1 before the first. */
  long seq() {
    String seq = body().getAttribute("data-seq");
    return seq == null || seq.isEmpty() ? -1 : Long.parseLong(seq);
  }

  /**
   * The numbers the page shows, read in one script (so from one update): the tick and the values of
   * the given test ids, as displayed.
   */
  @SuppressWarnings("unchecked")
  Map<String, String> read(String... testIds) {
    return (Map<String, String>)
        driver.executeScript(
            "const out = { seq: document.body.dataset.seq || '' };"
                + "for (const id of arguments) {"
                + "  const el = document.querySelector(`[data-testid=\"${id}\"]`);"
                + "  out[id] = el ? el.textContent : null;"
                + "}"
                + "return out;",
            (Object[]) testIds);
  }

  /** How many points the events chart draws (its polyline's points). */
  long chartPoints(String testId) {
    Object n =
        driver.executeScript(
            "const l = document.querySelector(`[data-testid=\"${arguments[0]}\"] polyline`);"
                + "return l ? l.getAttribute('points').trim().split(' ').length : 0;",
            testId);
    return ((Number) n).longValue();
  }
}
