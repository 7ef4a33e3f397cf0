package dev.dialogue.bench;

import static dev.dialogue.bench.Report.f;

import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/** The report's section on the chat scenario. */
final class ChatReport {
  private ChatReport() {}

  static void section(List<Results.Chat> results, Consumer<String> line) {
    if (results.isEmpty()) {
      return;
    }
    Plan.Chat p = results.get(0).plan();
    line.accept(
        f(
            "## 7. Chat app: %,d users in %,d channels (the flagship example)",
            p.users(), p.channels()));
    line.accept("");
    line.accept(
        f(
            "The chat example (`dev.dialogue.examples.chat.ChatServer`, H2 file database, the"
                + " default store, durable history through `JdbcHistoryStore`) in a server process"
                + " of its own with the Java servers' flags. Setup, not measured: %,d users sign up"
                + " over HTTP (bcrypt, cost 10), alice makes %d public channels, each user connects"
                + " with its token (the generator's own Socket.IO framing, as above) and joins %d"
                + " of them with `channels.join`, so that each has about %,d members; every sign-up"
                + " is also in the seeded #general and #random, where nobody writes. Then each user"
                + " sends a `typing` notice and, up to 3 s later, a `message` (with an ack and a"
                + " `clientMessageId`) to one of its channels, on average every %.0f s, and marks a"
                + " channel read (`read.mark`) every %.0f s on average: %.0f s of warm-up, then"
                + " %.0f s measured. Each message's text carries the time it was due; each member"
                + " connection's `message` event is timed against it (the sender's own copy"
                + " included, as a client uses it to confirm). Deliveries owed = acknowledged"
                + " messages x their channel's member connections, checked after the traffic stopped.",
            p.users(),
            p.channels(),
            p.channelsPerUser(),
            results.get(0).membersPerChannel(),
            p.messageIntervalSeconds(),
            p.readIntervalSeconds(),
            p.warmSeconds(),
            p.seconds()));
    line.accept("");
    line.accept(
        "| run | users joined | sign-up s | setup s | messages/s sent | acked | deliveries/s |"
            + " p50 ms | p99 ms | p99.9 ms | ack p99 ms | typing/s delivered | unread pushes/s |"
            + " read.mark p99 ms | server CPU | generator CPU |");
    line.accept("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    int run = 0;
    for (Results.Chat r : results) {
      ChatStats.Snapshot w = r.window();
      line.accept(
          "| "
              + (++run)
              + " | "
              + f("%,d", r.connected())
              + " | "
              + f("%.1f", r.signupSeconds())
              + " | "
              + f("%.1f", r.setupSeconds())
              + " | "
              + f("%.1f", r.perSecond(w.messagesSent()))
              + " | "
              + f("%,d of %,d", w.messagesAcked(), w.messagesSent())
              + " | "
              + f("%,.0f", r.perSecond(w.deliveries()))
              + " | "
              + f("%.2f", Results.millis(r.delivery(), 50))
              + " | "
              + f("%.2f", Results.millis(r.delivery(), 99))
              + " | "
              + f("%.2f", Results.millis(r.delivery(), 99.9))
              + " | "
              + f("%.2f", Results.millis(r.ack(), 99))
              + " | "
              + f("%,.0f", r.perSecond(w.typingDelivered()))
              + " | "
              + f("%,.0f", r.perSecond(w.unreadPushes()))
              + " | "
              + f("%.2f", Results.millis(r.readMark(), 99))
              + " | "
              + f("%.2f", r.serverCores())
              + " | "
              + f("%.2f", r.generatorCores())
              + " |");
    }
    line.accept("");
    run = 0;
    for (Results.Chat r : results) {
      run++;
      line.accept(
          f(
              "- Run %d: deliveries owed over the whole run %,d, received %,d; errors and"
                  + " refusals by code: %s; disconnects %d; send lag p99 %.2f ms; server RSS %,.0f MB,"
                  + " heap after GC %,.0f MB; every 5 s of the window: %s.%s",
              run,
              r.totalExpected(),
              r.totalDelivered(),
              codes(r.codes()),
              r.window().disconnects(),
              Results.millis(r.sendLag(), 99),
              r.serverRssBytes() / 1e6,
              r.serverHeapAfterGc() / 1e6,
              String.join("; ", r.timeline()),
              r.note().isEmpty() ? "" : " " + r.note()));
    }
    line.accept("");
  }

  static String codes(Map<String, Long> codes) {
    if (codes.isEmpty()) {
      return "none";
    }
    StringBuilder s = new StringBuilder();
    codes.forEach((k, v) -> s.append(s.length() == 0 ? "" : ", ").append(k).append(' ').append(v));
    return s.toString();
  }
}
