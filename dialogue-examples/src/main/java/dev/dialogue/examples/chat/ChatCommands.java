package dev.dialogue.examples.chat;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.dialogue.ClientConnection;
import dev.dialogue.CommandContext;
import dev.dialogue.CommandDefinition;
import dev.dialogue.CommandException;
import dev.dialogue.CommandHandler;
import dev.dialogue.Dialogue;
import dev.dialogue.Room;
import dev.dialogue.examples.chat.Directory.Channel;
import dev.dialogue.examples.chat.search.ChatSearch;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The chat's commands (docs/examples/chat.md, "Commands"): each a {@link CommandDefinition} with a
 * validated request record, answered with a JSON object or refused with a {@link CommandException}
 * whose code the UI shows.
 */
final class ChatCommands {
  private ChatCommands() {}

  record ChannelsCreate(
      @NotBlank @Size(max = 41) String name,
      @Size(max = 250) String topic,
      @JsonProperty("private") Boolean isPrivate) {}

  record ChannelRef(@NotBlank @Size(max = 64) String channelId) {}

  record Invite(
      @NotBlank @Size(max = 64) String channelId, @NotBlank @Size(max = 64) String userId) {}

  record Topic(
      @NotBlank @Size(max = 64) String channelId, @NotNull @Size(max = 250) String topic) {}

  record DmOpen(@NotNull @Size(min = 1, max = 7) List<@NotBlank @Size(max = 64) String> userIds) {}

  record PageRequest(
      @NotBlank @Size(max = 64) String roomId,
      @Min(0) Long before,
      @Min(1) @Max(100) Integer limit) {}

  record ThreadRequest(
      @NotBlank @Size(max = 64) String roomId, @NotBlank @Size(max = 64) String threadId) {}

  record Edit(
      @NotBlank @Size(max = 64) String roomId,
      @NotBlank @Size(max = 64) String messageId,
      @NotBlank @Size(max = ChatEvents.MAX_TEXT) String text) {}

  record MessageRef(
      @NotBlank @Size(max = 64) String roomId, @NotBlank @Size(max = 64) String messageId) {}

  record ReactionToggle(
      @NotBlank @Size(max = 64) String roomId,
      @NotBlank @Size(max = 64) String messageId,
      @NotBlank @Size(max = 32) String emoji) {}

  record RoomRef(@NotBlank @Size(max = 64) String roomId) {}

  record ReadMark(
      @NotBlank @Size(max = 64) String roomId,
      @NotNull @Min(0) Long offset,
      @Size(max = 64) String threadId) {}

  record Search(@NotBlank @Size(max = 200) String query, @Min(1) @Max(50) Integer limit) {}

  record Mute(
      @NotBlank @Size(max = 64) String userId, @NotNull @Min(1) @Max(43200) Integer minutes) {}

  record UserRef(@NotBlank @Size(max = 64) String userId) {}

  record SlowMode(
      @NotBlank @Size(max = 64) String channelId, @NotNull @Min(0) @Max(3600) Integer seconds) {}

  /** Registers every command on the builder. */
  static void register(Dialogue.Builder builder, ChatService chat) {
    add(builder, "me", Void.class, (ctx, req) -> chat.me(user(ctx)));
    add(builder, "channels.browse", Void.class, (ctx, req) -> browse(chat, user(ctx)));
    add(
        builder,
        "channels.create",
        ChannelsCreate.class,
        (ctx, req) ->
            chat.channelJson(
                chat.createChannel(
                    user(ctx), req.name(), req.topic(), Boolean.TRUE.equals(req.isPrivate()))));
    add(
        builder,
        "channels.join",
        ChannelRef.class,
        (ctx, req) -> {
          Channel channel = chat.channelById(user(ctx), req.channelId());
          chat.addToChannel(channel, user(ctx));
          return chat.channelJson(channel);
        });
    add(
        builder,
        "channels.leave",
        ChannelRef.class,
        (ctx, req) -> {
          Channel channel = chat.channelById(user(ctx), req.channelId());
          if (!chat.removeFromChannel(channel, user(ctx))) {
            throw new CommandException("NOT_A_MEMBER", "You are not a member of this channel");
          }
          return Map.of("roomId", channel.roomId());
        });
    add(builder, "channels.invite", Invite.class, (ctx, req) -> invite(chat, user(ctx), req));
    add(builder, "channels.topic", Topic.class, (ctx, req) -> topic(chat, user(ctx), req));
    add(builder, "channels.slowMode", SlowMode.class, (ctx, req) -> slowMode(chat, user(ctx), req));
    add(
        builder,
        "dm.open",
        DmOpen.class,
        (ctx, req) -> chat.channelJson(chat.openDm(user(ctx), req.userIds())));
    add(
        builder,
        "messages.page",
        PageRequest.class,
        (ctx, req) -> {
          Channel channel = chat.memberChannel(user(ctx), req.roomId());
          chat.settle(channel); // a message a client saw a moment ago is in the page
          Messages.Page page =
              chat.messages.page(
                  channel.roomId(),
                  req.before() == null ? Long.MAX_VALUE : req.before(),
                  req.limit() == null ? 50 : req.limit());
          return Map.of("messages", page.messages(), "more", page.more());
        });
    add(
        builder,
        "thread.page",
        ThreadRequest.class,
        (ctx, req) -> {
          Channel channel = chat.memberChannel(user(ctx), req.roomId());
          chat.settle(channel);
          Messages.Stored root = message(chat, channel, req.threadId());
          return Map.of(
              "root", chat.messages.toJson(root), "messages", chat.messages.thread(root.id()));
        });
    add(builder, "message.edit", Edit.class, (ctx, req) -> edit(chat, user(ctx), req));
    add(builder, "message.delete", MessageRef.class, (ctx, req) -> delete(chat, user(ctx), req));
    add(
        builder,
        "reaction.toggle",
        ReactionToggle.class,
        (ctx, req) -> {
          Channel channel = chat.memberChannel(user(ctx), req.roomId());
          Messages.Stored message = message(chat, channel, req.messageId());
          String emoji = req.emoji().strip();
          if (emoji.isEmpty() || emoji.codePoints().anyMatch(Character::isWhitespace)) {
            throw new CommandException("BAD_EMOJI", "An emoji is one symbol without spaces");
          }
          List<String> users = chat.messages.toggleReaction(message.id(), emoji, user(ctx));
          chat.room(channel)
              .trigger(
                  ChatEvents.REACTION.name(),
                  new ChatEvents.Reaction(message.id(), emoji, users),
                  user(ctx));
          return Map.of("messageId", message.id(), "emoji", emoji, "users", users);
        });
    add(
        builder,
        "pin.toggle",
        MessageRef.class,
        (ctx, req) -> {
          Channel channel = chat.memberChannel(user(ctx), req.roomId());
          Messages.Stored message = message(chat, channel, req.messageId());
          boolean pinned = chat.messages.togglePin(message, user(ctx));
          chat.room(channel)
              .trigger(
                  ChatEvents.PINNED.name(),
                  new ChatEvents.Pinned(message.id(), pinned, user(ctx)),
                  user(ctx));
          return Map.of("messageId", message.id(), "pinned", pinned);
        });
    add(
        builder,
        "pins.list",
        RoomRef.class,
        (ctx, req) -> {
          Channel channel = chat.memberChannel(user(ctx), req.roomId());
          chat.settle(channel);
          return Map.of("messages", chat.messages.pins(channel.roomId()));
        });
    add(
        builder,
        "read.mark",
        ReadMark.class,
        (ctx, req) -> {
          Channel channel = chat.memberChannel(user(ctx), req.roomId());
          long offset = Math.min(req.offset(), chat.room(channel).offset());
          if (chat.reads.mark(user(ctx), channel.roomId(), req.threadId(), offset)) {
            chat.reads.changed(channel.roomId(), List.of(user(ctx)));
          }
          return chat.reads.unread(user(ctx), channel.roomId());
        });
    add(builder, "search", Search.class, (ctx, req) -> search(chat, user(ctx), req));
    add(
        builder,
        "mod.mute",
        Mute.class,
        (ctx, req) -> {
          moderate(chat, user(ctx), req.userId());
          long until = chat.clock.millis() + req.minutes() * 60_000L;
          chat.accounts.setMutedUntil(req.userId(), until);
          return Map.of("userId", req.userId(), "until", until);
        });
    add(
        builder,
        "mod.unmute",
        UserRef.class,
        (ctx, req) -> {
          moderate(chat, user(ctx), req.userId());
          chat.accounts.setMutedUntil(req.userId(), 0);
          return Map.of("userId", req.userId(), "until", 0);
        });
    add(
        builder,
        "mod.ban",
        UserRef.class,
        (ctx, req) -> {
          moderate(chat, user(ctx), req.userId());
          chat.accounts.setBanned(req.userId(), true);
          for (ClientConnection client : chat.dialogue().clients(req.userId())) {
            client.disconnect();
          }
          return Map.of("userId", req.userId(), "banned", true);
        });
  }

  private static <Req> void add(
      Dialogue.Builder builder, String name, Class<Req> type, CommandHandler<Req, Object> handler) {
    builder.command(CommandDefinition.of(name, type, Object.class), handler);
  }

  private static String user(CommandContext ctx) {
    return ctx.sender().userId();
  }

  private static Messages.Stored message(ChatService chat, Channel channel, String messageId) {
    return chat.stored(channel, messageId)
        .filter(m -> !m.deleted())
        .orElseThrow(() -> new CommandException("NOT_FOUND", "No such message in this channel"));
  }

  private static Object browse(ChatService chat, String userId) {
    Map<String, Map<String, Object>> users = chat.usersById();
    List<Map<String, Object>> out = new ArrayList<>();
    for (Channel channel : chat.directory.browsable(chat.workspace(), userId)) {
      Map<String, Object> json = chat.directory.toJson(channel, users);
      json.put("member", chat.directory.isMember(channel, userId));
      out.add(json);
    }
    return Map.of("channels", out);
  }

  private static Object invite(ChatService chat, String userId, Invite req) {
    Channel channel = chat.channelById(userId, req.channelId());
    if (!chat.directory.isMember(channel, userId)) {
      throw new CommandException("NOT_A_MEMBER", "Only members invite to a channel");
    }
    if (chat.directory.role(chat.workspace(), req.userId()).isEmpty()) {
      throw new CommandException("NOT_FOUND", "No such user: " + req.userId());
    }
    if (chat.addToChannel(channel, req.userId())) {
      chat.announceAdded(channel, req.userId());
    }
    return chat.channelJson(channel);
  }

  private static Object topic(ChatService chat, String userId, Topic req) {
    Channel channel = chat.channelById(userId, req.channelId());
    if (!chat.directory.isMember(channel, userId)) {
      throw new CommandException("NOT_A_MEMBER", "You are not a member of this channel");
    }
    chat.directory.setTopic(channel, req.topic().strip());
    return channelUpdated(chat, chat.directory.channel(channel.id()).orElseThrow());
  }

  private static Object slowMode(ChatService chat, String userId, SlowMode req) {
    if (!chat.directory.isModerator(chat.workspace(), userId)) {
      throw new CommandException("FORBIDDEN", "Only moderators set slow mode");
    }
    Channel channel = chat.channelById(userId, req.channelId());
    chat.directory.setSlowMode(channel, req.seconds());
    return channelUpdated(chat, chat.directory.channel(channel.id()).orElseThrow());
  }

  private static Object channelUpdated(ChatService chat, Channel channel) {
    ChatEvents.ChannelUpdated update =
        new ChatEvents.ChannelUpdated(
            channel.id(), channel.name(), channel.topic(), channel.slowModeSeconds());
    chat.room(channel).trigger(ChatEvents.CHANNEL_UPDATED.name(), update);
    if (!channel.isPrivate()) {
      chat.dialogue().trigger(chat.workspace().roomId(), ChatEvents.CHANNEL_UPDATED.name(), update);
    }
    return chat.channelJson(channel);
  }

  private static Object edit(ChatService chat, String userId, Edit req) {
    Channel channel = chat.memberChannel(userId, req.roomId());
    Messages.Stored message = message(chat, channel, req.messageId());
    if (!message.userId().equals(userId)) {
      throw new CommandException("FORBIDDEN", "You can edit your own messages only");
    }
    chat.messages.edit(message.id(), req.text());
    Messages.Stored edited = chat.messages.find(message.id()).orElseThrow();
    chat.search.index(
        new ChatSearch.SearchDoc(
            edited.id(),
            edited.roomId(),
            edited.threadId(),
            edited.userId(),
            edited.text(),
            edited.pos(),
            edited.createdAt()));
    chat.room(channel)
        .trigger(
            ChatEvents.EDITED.name(),
            new ChatEvents.Edited(edited.id(), edited.text(), edited.editedAt()),
            userId);
    return chat.messages.toJson(edited);
  }

  private static Object delete(ChatService chat, String userId, MessageRef req) {
    Channel channel = chat.memberChannel(userId, req.roomId());
    Messages.Stored message = message(chat, channel, req.messageId());
    if (!message.userId().equals(userId) && !chat.directory.isModerator(chat.workspace(), userId)) {
      throw new CommandException("FORBIDDEN", "You can delete your own messages only");
    }
    chat.messages.delete(message.id());
    chat.search.remove(message.id());
    Room room = chat.room(channel);
    room.trigger(ChatEvents.DELETED.name(), new ChatEvents.Deleted(message.id(), userId), userId);
    if (message.threadId() != null) {
      chat.messages
          .countReply(message)
          .ifPresent(
              root ->
                  room.trigger(
                      ChatEvents.THREAD_UPDATED.name(),
                      new ChatEvents.ThreadUpdated(
                          root.id(),
                          root.replyCount(),
                          root.lastReplyAt() == null ? 0 : root.lastReplyAt(),
                          root.lastReplyBy())));
    }
    chat.reads.changed(channel.roomId(), chat.directory.memberIds(channel));
    return Map.of("messageId", message.id(), "deleted", true);
  }

  private static Object search(ChatService chat, String userId, Search req) {
    List<String> rooms = new ArrayList<>();
    for (Channel channel : chat.directory.channelsOf(userId)) {
      rooms.add(channel.roomId());
    }
    List<Map<String, Object>> results = new ArrayList<>();
    for (ChatSearch.SearchHit hit :
        chat.search.search(rooms, req.query(), req.limit() == null ? 20 : req.limit())) {
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("id", hit.messageId());
      json.put("roomId", hit.roomId());
      if (hit.threadId() != null) {
        json.put("threadId", hit.threadId());
      }
      json.put("userId", hit.userId());
      json.put("text", hit.text());
      json.put("snippet", hit.snippet());
      json.put("offset", hit.offset());
      json.put("createdAt", hit.createdAt());
      results.add(json);
    }
    return Map.of("results", results);
  }

  /** The actor must be a moderator or the owner, and outrank the target. */
  private static void moderate(ChatService chat, String actor, String target) {
    String actorRole = chat.directory.role(chat.workspace(), actor).orElse(Directory.MEMBER);
    String targetRole =
        chat.directory
            .role(chat.workspace(), target)
            .orElseThrow(() -> new CommandException("NOT_FOUND", "No such user: " + target));
    if (rank(actorRole) < 1 || rank(actorRole) <= rank(targetRole)) {
      throw new CommandException("FORBIDDEN", "You cannot moderate this user");
    }
  }

  private static int rank(String role) {
    return switch (role) {
      case Directory.OWNER -> 2;
      case Directory.MODERATOR -> 1;
      default -> 0;
    };
  }
}
