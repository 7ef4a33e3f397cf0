package dev.dialogue.examples.chat;

import dev.dialogue.EventMessage;
import dev.dialogue.Room;
import dev.dialogue.examples.chat.ChatEvents.Message;
import dev.dialogue.examples.chat.Directory.Channel;
import dev.dialogue.examples.chat.Directory.Workspace;
import dev.dialogue.examples.chat.files.FileStore;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * The first start's workspace: Acme Inc. with alice (owner), bob (moderator), carol and dave, and a
 * conversation that shows every feature: channels, a private channel, a thread, reactions,
 * mentions, a pinned message, an image, a DM and a group DM.
 */
final class Seed {
  static final String PASSWORD = "password";
  static final List<String[]> USERS =
      List.of(
          new String[] {"alice", "Alice Martin", Directory.OWNER},
          new String[] {"bob", "Bob Nguyen", Directory.MODERATOR},
          new String[] {"carol", "Carol Silva", Directory.MEMBER},
          new String[] {"dave", "Dave Okafor", Directory.MEMBER});

  private Seed() {}

  static Workspace run(ChatService chat) {
    Workspace workspace = chat.directory.createWorkspace("acme", "Acme Inc.");
    chat.useWorkspace(workspace);
    chat.openWorkspaceRoom();
    String[] ids = new String[USERS.size()];
    for (int i = 0; i < USERS.size(); i++) {
      String[] u = USERS.get(i);
      try {
        ids[i] = chat.accounts.signUp(u[0], u[1], PASSWORD).id();
      } catch (ApiError e) {
        throw new IllegalStateException("seed user " + u[0] + ": " + e.getMessage(), e);
      }
      chat.directory.addMember(workspace, ids[i], u[2]);
    }
    String alice = ids[0];
    String bob = ids[1];
    String carol = ids[2];
    String dave = ids[3];

    Channel general =
        chat.createChannel(alice, "general", "Company-wide announcements and chatter", false);
    Channel random = chat.createChannel(bob, "random", "Links, lunch and everything else", false);
    Channel leads = chat.createChannel(alice, "leads", "Team leads only", true);
    for (String id : List.of(bob, carol, dave)) {
      chat.addToChannel(general, id);
    }
    for (String id : List.of(alice, carol, dave)) {
      chat.addToChannel(random, id);
    }
    chat.addToChannel(leads, bob);

    EventMessage welcome =
        say(
            chat,
            general,
            alice,
            "Welcome to Acme's chat, everyone! Please read the pinned notes.",
            null);
    EventMessage launch =
        say(
            chat,
            general,
            bob,
            "Launch checklist for Friday: @carol can you take the release notes?",
            null);
    say(chat, general, carol, "On it. Draft by Thursday noon.", launch.id());
    say(chat, general, dave, "I'll review them when they're up.", launch.id());
    say(chat, general, alice, "Thanks both! @channel standup moves to 9:30 tomorrow.", null);
    react(chat, general, welcome, "👋", bob, carol, dave);
    react(chat, general, launch, "👍", alice, carol);
    react(chat, general, launch, "🚀", dave);
    pin(chat, general, welcome, alice);

    EventMessage chart = sayWithImage(chat, random, carol, "This week's signups, looking good:");
    react(chat, random, chart, "🎉", alice, bob);
    say(chat, random, dave, "Anyone up for lunch at the new ramen place?", null);

    say(chat, leads, alice, "Budget review on Monday. Bring your Q3 numbers.", null);
    say(chat, leads, bob, "Will do.", null);

    Channel dm = chat.openDm(alice, List.of(bob));
    say(chat, dm, bob, "Do you have ten minutes after lunch?", null);
    say(chat, dm, alice, "Sure, ping me at 2.", null);
    Channel group = chat.openDm(carol, List.of(alice, dave));
    say(chat, group, carol, "Surprise cake for Bob's birthday on Wednesday? 🎂", null);

    // Everyone has read what they wrote up to here, except dave, who has news waiting in #general.
    for (Channel channel : List.of(general, random, leads, dm, group)) {
      long offset = chat.room(channel).offset();
      for (String id : chat.directory.memberIds(channel)) {
        if (!(id.equals(dave) && channel.equals(general))) {
          chat.reads.mark(id, channel.roomId(), null, offset);
        }
      }
    }
    return workspace;
  }

  private static EventMessage say(
      ChatService chat, Channel channel, String userId, String text, String threadId) {
    Message draft = new Message(text, threadId, null, null, null, null);
    Message complete = chat.complete(channel, userId, draft, List.of());
    Room room = chat.room(channel);
    EventMessage event = room.trigger(ChatEvents.MESSAGE.name(), complete, userId);
    chat.stored(channel.roomId(), event);
    return event;
  }

  private static EventMessage sayWithImage(
      ChatService chat, Channel channel, String userId, String text) {
    try {
      FileStore.StoredFile file =
          chat.files.save(channel.roomId(), userId, "signups.png", "image/png", chartPng(), null);
      Message draft = new Message(text, null, List.of(file.id()), null, null, null);
      Message complete = chat.complete(channel, userId, draft, List.of(file.toJson()));
      EventMessage event = chat.room(channel).trigger(ChatEvents.MESSAGE.name(), complete, userId);
      chat.stored(channel.roomId(), event);
      return event;
    } catch (FileStore.FileRejected e) {
      throw new IllegalStateException("seed image refused: " + e.getMessage(), e);
    }
  }

  private static void react(
      ChatService chat, Channel channel, EventMessage message, String emoji, String... userIds) {
    List<String> users = List.of();
    for (String id : userIds) {
      users = chat.messages.toggleReaction(message.id(), emoji, id);
    }
    chat.room(channel)
        .trigger(
            ChatEvents.REACTION.name(),
            new ChatEvents.Reaction(message.id(), emoji, users),
            userIds[userIds.length - 1]);
  }

  private static void pin(ChatService chat, Channel channel, EventMessage message, String by) {
    Messages.Stored stored = chat.messages.find(message.id()).orElseThrow();
    boolean pinned = chat.messages.togglePin(stored, by);
    chat.room(channel)
        .trigger(ChatEvents.PINNED.name(), new ChatEvents.Pinned(message.id(), pinned, by), by);
  }

  /** A small bar chart, drawn here so the seed has a real image with a preview. */
  static byte[] chartPng() {
    int w = 640;
    int h = 360;
    BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, w, h);
    // Shapes only: text would need fonts, which a headless server may not have.
    g.setColor(new Color(0xeef2ff));
    g.fillRoundRect(24, 20, w - 48, 40, 10, 10);
    int[] values = {42, 55, 48, 71, 88, 93, 120};
    int barW = 56;
    int base = h - 50;
    for (int i = 0; i < values.length; i++) {
      int x = 40 + i * 84;
      int bh = values[i] * 2;
      g.setColor(new Color(0x6366f1));
      g.fillRoundRect(x, base - bh, barW, bh, 8, 8);
      g.setColor(new Color(0xa5b4fc));
      g.fillOval(x + barW / 2 - 5, base + 12, 10, 10);
    }
    g.setColor(new Color(0xd1d5db));
    g.setStroke(new BasicStroke(2));
    g.drawLine(30, base, w - 30, base);
    g.dispose();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      ImageIO.write(image, "png", out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  static Map<String, String> signIns() {
    return Map.of("alice", PASSWORD, "bob", PASSWORD, "carol", PASSWORD, "dave", PASSWORD);
  }
}
