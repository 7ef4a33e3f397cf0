package dev.dialogue.examples.chat;

import dev.dialogue.Dialogue;
import dev.dialogue.examples.CommandLine;
import dev.dialogue.examples.chat.files.FileStore;
import dev.dialogue.examples.chat.search.ChatSearch;
import dev.dialogue.jdbc.JdbcHistoryStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The team chat server: Dialogue with durable history in H2 (or PostgreSQL), the chat's commands,
 * HTTP routes and web UI. {@code bin/dialogue-example chat [--port N] [--host H] [--data DIR] [--db
 * JDBC-URL]} prints the URL and the seeded sign-ins, then {@code READY <port>} once it serves. See
 * docs/examples/chat.md.
 */
public final class ChatServer implements AutoCloseable {
  private final ChatDb db;
  private final JdbcHistoryStore history;
  private final Dialogue dialogue;
  private final ScheduledExecutorService scheduler;
  private final ChatOptions options;

  private ChatServer(
      ChatDb db,
      JdbcHistoryStore history,
      Dialogue dialogue,
      ScheduledExecutorService scheduler,
      ChatOptions options) {
    this.db = db;
    this.history = history;
    this.dialogue = dialogue;
    this.scheduler = scheduler;
    this.options = options;
  }

  /** Opens the database (seeding it on first start), starts serving and returns once it does. */
  public static ChatServer start(ChatOptions options) {
    Clock clock = Clock.systemUTC();
    try {
      Files.createDirectories(options.dataDir());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + options.dataDir(), e);
    }
    ChatDb db = ChatDb.open(options.databaseUrl());
    JdbcHistoryStore history = null;
    ScheduledExecutorService scheduler = null;
    try {
      history = JdbcHistoryStore.builder(db.dataSource()).build();
      scheduler =
          Executors.newSingleThreadScheduledExecutor(
              r -> {
                Thread t = new Thread(r, "chat-scheduler");
                t.setDaemon(true);
                return t;
              });
      Accounts accounts = new Accounts(db, Accounts.loadSecret(options.dataDir()), clock);
      Directory directory = new Directory(db, clock);
      Messages messages = new Messages(db, clock);
      AtomicReference<Dialogue> server = new AtomicReference<>();
      ReadState reads =
          new ReadState(
              db,
              messages,
              scheduler,
              userId -> server.get() == null ? List.of() : server.get().clients(userId));
      ChatService chat =
          new ChatService(
              db,
              accounts,
              directory,
              messages,
              reads,
              ChatSearch.forDataSource(db.dataSource()),
              FileStore.open(options.dataDir().resolve("files"), db.dataSource()),
              clock);
      Dialogue.Builder builder =
          Dialogue.builder()
              .host(options.host())
              .port(options.port())
              .historyStore(history)
              .authenticator(accounts.authenticator())
              .joinPolicy(chat)
              .roomCreationPolicy(
                  (client, requested) -> dev.dialogue.Decision.deny("Rooms are made by the chat"))
              .listener(chat)
              .disconnectGrace(Duration.ofSeconds(10));
      ChatCommands.register(builder, chat);
      new ChatHttp(chat).register(builder);
      Dialogue dialogue = builder.build().start();
      server.set(dialogue);
      chat.attach(dialogue, history);
      try {
        directory
            .firstWorkspace()
            .ifPresentOrElse(
                workspace -> {
                  chat.useWorkspace(workspace);
                  chat.openRooms();
                },
                () -> Seed.run(chat));
      } catch (RuntimeException e) {
        dialogue.close();
        throw e;
      }
      return new ChatServer(db, history, dialogue, scheduler, options);
    } catch (IOException | RuntimeException e) {
      if (scheduler != null) {
        scheduler.shutdownNow();
      }
      if (history != null) {
        history.close();
      }
      db.close();
      if (e instanceof IOException io) {
        throw new UncheckedIOException(io);
      }
      throw (RuntimeException) e;
    }
  }

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

  /** The embedded Dialogue server (tests reach rooms and connections through it). */
  public Dialogue dialogue() {
    return dialogue;
  }

  /** Stops serving, flushes the history and closes the database. */
  @Override
  public void close() {
    dialogue.close();
    scheduler.shutdown();
    try {
      scheduler.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    history.close();
    db.close();
  }

  public static void main(String[] args) {
    ChatOptions options = CommandLine.parseOrExit(args, ChatOptions::parse, ChatOptions.USAGE);
    if (options.help()) {
      System.out.println(ChatOptions.USAGE);
      return;
    }
    ChatServer server = start(options);
    CommandLine.serving(
        server,
        "chat",
        server.port(),
        "Dialogue chat is running: open " + server.url(),
        "Sign in as alice (owner), bob (moderator), carol or dave; the password is '"
            + Seed.PASSWORD
            + "'. Data in "
            + options.dataDir().toAbsolutePath()
            + (options.jdbcUrl() == null
                ? ""
                : ", database " + options.jdbcUrl().replaceAll("\\?.*", "")));
  }
}
