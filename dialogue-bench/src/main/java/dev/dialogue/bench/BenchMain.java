package dev.dialogue.bench;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Runs the benchmark scenarios against Dialogue and its peers and writes the report.
 *
 * <pre>
 * BenchMain [--plan quick|full] [--out FILE.md] [--work DIR]
 *           [--targets dialogue,relay,node] [--scenarios fanout,rooms,idle,churn,durable,recovery,chat,game]
 *           [--profile] [--node-source DIR] [--classpath CP] [--note TEXT] [--command TEXT]
 *           [--subscribers N,M] [--rates R1,R2] [--think-ms MS] [--lobby-watchers N]
 * </pre>
 *
 * The Java servers run from {@code --classpath} (default: this JVM's class path); the Node peer is
 * installed with {@code npm ci} under {@code --work}. {@code --rates} holds those offered
 * deliveries per second in fan-out and many rooms, one step each, instead of looking for the
 * maximum (no 80% run): for comparing latency at a given load. {@code chat} (the chat example under
 * 1,000 simulated users, {@link ChatScenario}), {@code game} (500 matches of the game example
 * played by bots, {@link GameScenario}; {@code --think-ms} sets the bots' think time, {@code
 * --lobby-watchers} how many connections watch the lobby) and the scale-out scenarios on Redis
 * ({@link ScaleOut}: redis-fanout, redis-idle, redis-storm) run only when named. Without {@code
 * node}/{@code npm}, the Node peer is left out and the report says so.
 */
public final class BenchMain {
  private BenchMain() {}

  public static void main(String[] args) throws Exception {
    run(Options.parse(args), System.out);
    System.exit(0);
  }

  /** Options of one run. */
  record Options(
      Plan plan,
      Path out,
      Path work,
      Set<Target> targets,
      Set<String> scenarios,
      boolean profile,
      Path nodeSource,
      String classpath,
      List<String> notes,
      String command,
      List<Integer> subscribers,
      List<Double> rates,
      Double thinkMillis,
      Integer lobbyWatchers) {
    /** The fan-out sizes: {@code --subscribers}, else the plan's. */
    List<Integer> fanoutSizes() {
      return subscribers.isEmpty() ? plan.fanoutSubscribers() : subscribers;
    }

    static Options parse(String[] args) {
      Plan plan = Plan.QUICK;
      Path out = null;
      Path work = Path.of("dialogue-bench/target/bench");
      Set<Target> targets = new LinkedHashSet<>(List.of(Target.values()));
      Set<String> scenarios =
          new LinkedHashSet<>(List.of("fanout", "rooms", "idle", "churn", "durable", "recovery"));
      boolean profile = false;
      Path nodeSource = null;
      String classpath = System.getProperty("java.class.path");
      List<String> notes = new ArrayList<>();
      String command = "BenchMain " + String.join(" ", args);
      List<Integer> subscribers = new ArrayList<>();
      List<Double> rates = new ArrayList<>();
      Double thinkMillis = null;
      Integer lobbyWatchers = null;
      for (int i = 0; i < args.length; i++) {
        String a = args[i];
        if (a.equals("--profile")) {
          profile = true;
          continue;
        }
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException(a + " needs a value");
        }
        String v = args[++i];
        switch (a) {
          case "--plan" ->
              plan =
                  switch (v) {
                    case "quick" -> Plan.QUICK;
                    case "full" -> Plan.FULL;
                    default ->
                        throw new IllegalArgumentException("--plan is quick or full, was " + v);
                  };
          case "--out" -> out = Path.of(v);
          case "--work" -> work = Path.of(v);
          case "--targets" -> {
            targets.clear();
            for (String t : v.split(",")) {
              targets.add(Target.of(t.trim()));
            }
          }
          case "--scenarios" -> {
            scenarios.clear();
            for (String s : v.split(",")) {
              if (!List.of(
                          "fanout", "rooms", "idle", "churn", "durable", "recovery", "chat", "game")
                      .contains(s.trim())
                  && !ScaleOut.SCENARIOS.contains(s.trim())) {
                throw new IllegalArgumentException("unknown scenario " + s);
              }
              scenarios.add(s.trim());
            }
          }
          case "--node-source" -> nodeSource = Path.of(v);
          case "--classpath" -> classpath = v;
          case "--note" -> notes.add(v);
          case "--command" -> command = v;
          case "--subscribers" -> {
            for (String n : v.split(",")) {
              subscribers.add(Integer.parseInt(n.trim()));
            }
          }
          case "--rates" -> {
            for (String r : v.split(",")) {
              rates.add(Double.parseDouble(r.trim()));
            }
          }
          case "--think-ms" -> thinkMillis = Double.parseDouble(v);
          case "--lobby-watchers" -> lobbyWatchers = Integer.parseInt(v);
          default -> throw new IllegalArgumentException("unknown option " + a);
        }
      }
      if (out == null) {
        out = work.resolve("performance.md");
      }
      return new Options(
          plan,
          out,
          work,
          targets,
          scenarios,
          profile,
          nodeSource,
          classpath,
          notes,
          command,
          subscribers,
          rates,
          thinkMillis,
          lobbyWatchers);
    }
  }

  /** Runs every scenario of {@code o}, writes the report and returns what it measured. */
  static Report run(Options o, PrintStream log) throws Exception {
    long began = System.nanoTime();
    Files.createDirectories(o.work());
    Report report = new Report();
    report.notes.addAll(o.notes());
    Set<Target> targets = new LinkedHashSet<>(o.targets());
    Path nodeDir = null;
    if (targets.contains(Target.NODE)) {
      try {
        Path source = o.nodeSource() != null ? o.nodeSource() : findNodeSource();
        nodeDir = Launcher.installNode(source, o.work());
      } catch (Exception e) {
        targets.remove(Target.NODE);
        report.notes.add(
            "The Node.js peer was left out: " + e.getMessage().lines().findFirst().orElse(""));
        log.println("bench: no Node peer: " + e.getMessage());
      }
    }
    String profileFlags = "";
    Launcher launcher = new Launcher(o.work(), o.classpath(), nodeDir);
    Path jfrDir = o.work().resolve("jfr");
    if (o.profile()) {
      Files.createDirectories(jfrDir);
      profileFlags =
          "; one extra Dialogue fan-out run at 80% per size, not in the tables, adds `-XX:StartFlightRecording=settings=profile,...` for the profile section";
    }
    Environment env = Environment.capture(Launcher.nodeVersion(), profileFlags);
    Scenarios scenarios =
        new Scenarios(
            o.plan(),
            launcher,
            log,
            subscribers ->
                o.profile()
                    ? List.of(
                        "-XX:StartFlightRecording=settings=profile,dumponexit=true,filename="
                            + jfrDir
                                .resolve("dialogue-fanout-" + subscribers + ".jfr")
                                .toAbsolutePath())
                    : List.of(),
            o.rates());
    if (o.scenarios().contains("fanout")) {
      for (int n : o.fanoutSizes()) {
        log.println("bench: fan-out, " + n + " subscribers");
        List<Results.Ramp> list = new ArrayList<>();
        for (Target t : targets) {
          list.add(scenarios.fanout(t, n));
        }
        report.fanout.put(n, list);
        if (o.profile() && targets.contains(Target.DIALOGUE)) {
          Path jfr = jfrDir.resolve("dialogue-fanout-" + n + ".jfr");
          if (Files.isRegularFile(jfr)) {
            report.profiles.put(
                "Fan-out, " + n + " subscribers: a separate run at 80% of the maximum, recorder on",
                Profile.read(jfr));
          }
        }
      }
    }
    if (o.scenarios().contains("rooms")) {
      log.println("bench: many rooms");
      for (Target t : targets) {
        report.rooms.add(scenarios.manyRooms(t));
      }
    }
    if (o.scenarios().contains("idle")) {
      IdleScenario idle = new IdleScenario(o.plan(), launcher, log);
      long openFiles = Environment.openFiles();
      List<Integer> sizes = Plan.idleSizesWithin(o.plan().idleConnections(), openFiles);
      for (int n : o.plan().idleConnections()) {
        if (!sizes.contains(n)) {
          log.println("bench: idle, " + n + " connections: skipped, open-files limit " + openFiles);
          continue;
        }
        log.println("bench: idle, " + n + " connections");
        List<Results.Idle> list = new ArrayList<>();
        for (Target t : targets) {
          list.add(idle.run(t, n));
        }
        report.idle.put(n, list);
      }
    }
    if (o.scenarios().contains("churn")) {
      log.println("bench: churn");
      ChurnScenario churn = new ChurnScenario(o.plan(), launcher, log);
      for (Target t : targets) {
        report.churn.add(churn.run(t));
      }
    }
    if (o.scenarios().contains("durable") && targets.contains(Target.DIALOGUE)) {
      log.println("bench: durable publish");
      DurableScenario durable = new DurableScenario(o.plan(), launcher, o.work(), log);
      for (DurableScenario.Store store : DurableScenario.Store.values()) {
        report.durable.add(durable.run(store));
      }
    }
    if (o.scenarios().contains("recovery")) {
      recovery(o.plan(), targets, launcher, report, log);
    }
    if (o.scenarios().contains("chat")) {
      // Not in the default set: the chat example alone (no peer has it), about two minutes.
      Plan.Chat chat = o.plan().chat();
      log.println(
          "bench: chat app, " + chat.users() + " users in " + chat.channels() + " channels");
      report.chat.add(new ChatScenario(chat, launcher, o.work(), log).run());
    }
    if (o.scenarios().contains("game")) {
      // Not in the default set either: the game example alone, about a minute and a half.
      Plan.Game game = o.plan().game();
      if (o.thinkMillis() != null) {
        game = game.withThinkMillis(o.thinkMillis());
      }
      if (o.lobbyWatchers() != null) {
        game = game.withLobbyWatchers(o.lobbyWatchers());
      }
      log.println("bench: game, " + game.matches() + " matches of bots");
      report.game.add(new GameScenario(game, launcher, log).run());
    }
    // Scale-out on Redis (issue 19): only when named, like chat.
    try (ScaleOut scale = new ScaleOut(o.plan(), launcher, log)) {
      report.scaleOut = scale.run(o.scenarios());
    }
    double minutes = (System.nanoTime() - began) / 60e9;
    Path out = o.out();
    Files.createDirectories(out.toAbsolutePath().getParent());
    Path charts = out.toAbsolutePath().getParent().resolve("performance");
    report.write(out, charts, env, o.plan(), o.command(), minutes);
    log.println("bench: wrote " + out + " in " + String.format("%.1f", minutes) + " min");
    return report;
  }

  /** Scenario 5 against every target that has a recovery; the others are named in the report. */
  private static void recovery(
      Plan plan, Set<Target> targets, Launcher launcher, Report report, PrintStream log)
      throws Exception {
    log.println("bench: recovery storm, " + plan.storm().clients() + " clients");
    RecoveryStorm storm = new RecoveryStorm(plan.storm(), launcher, log);
    report.stormPlan = plan.storm();
    for (Target t : targets) {
      if (RecoveryStorm.applies(t)) {
        report.storm.add(storm.run(t));
      } else {
        report.stormNotApplicable.add(t);
      }
    }
  }

  private static Path findNodeSource() {
    for (String candidate : new String[] {"src/main/node", "dialogue-bench/src/main/node"}) {
      Path dir = Path.of(candidate).toAbsolutePath();
      if (Files.isRegularFile(dir.resolve("package-lock.json"))) {
        return dir;
      }
    }
    throw new IllegalStateException(
        "dialogue-bench/src/main/node not found from " + Path.of("").toAbsolutePath());
  }
}
