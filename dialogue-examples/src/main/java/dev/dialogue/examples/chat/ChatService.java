package dev.dialogue.examples.chat;

import dev.dialogue.ClientConnection;
import dev.dialogue.CommandException;
import dev.dialogue.Decision;
import dev.dialogue.Dialogue;
import dev.dialogue.DialogueListener;
import dev.dialogue.EventDefinition;
import dev.dialogue.EventMessage;
import dev.dialogue.HistoryStore;
import dev.dialogue.JoinPolicy;
import dev.dialogue.Room;
import dev.dialogue.RoomConfig;
import dev.dialogue.TriggerContext;
import dev.dialogue.TriggerInterceptor;
import dev.dialogue.examples.chat.ChatEvents.Message;
import dev.dialogue.examples.chat.Directory.Channel;
import dev.dialogue.examples.chat.Directory.Workspace;
import dev.dialogue.examples.chat.files.FileStore;
import dev.dialogue.examples.chat.search.ChatSearch;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The chat's rules on top of the library: rooms for the workspace, channels and DMs kept in step
 * with the app's tables; who may join, see and send; messages stored as they are delivered;
 * membership changes seating and unseating the user's connections. The commands ({@link
 * ChatCommands}) and the HTTP routes ({@link ChatHttp}) call it.
 */
final class ChatService implements DialogueListener, JoinPolicy {
  private static final Logger LOG = LoggerFactory.getLogger(ChatService.class);
  private static final Pattern MENTION = Pattern.compile("(?<![\\w@])@([a-z0-9_.-]{2,32})");
  private static final Set<String> CHANNEL_MENTIONS = Set.of("channel", "here", "everyone");
  static final Pattern CHANNEL_NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,39}");
  static final int MAX_GROUP = 8;
  static final List<String> DEFAULT_CHANNELS = List.of("general", "random");
  private static final int CATCH_UP_BATCH = 500;

  final ChatDb db;
  final Accounts accounts;
  final Directory directory;
  final Messages messages;
  final ReadState reads;
  final ChatSearch search;
  final FileStore files;
  final Moderation moderation;
  final Clock clock;
  private volatile Workspace workspace;
  private volatile Dialogue dialogue;
  private volatile HistoryStore history;

  ChatService(
      ChatDb db,
      Accounts accounts,
      Directory directory,
      Messages messages,
      ReadState reads,
      ChatSearch search,
      FileStore files,
      Clock clock) {
    this.db = db;
    this.accounts = accounts;
    this.directory = directory;
    this.messages = messages;
    this.reads = reads;
    this.search = search;
    this.files = files;
    this.moderation = new Moderation(clock);
    this.clock = clock;
  }

  /** Connects the service to the started server and the history it recovers from. */
  void attach(Dialogue dialogue, HistoryStore history) {
    this.dialogue = dialogue;
    this.history = history;
  }

  Dialogue dialogue() {
    return dialogue;
  }

  Workspace workspace() {
    return workspace;
  }

  void useWorkspace(Workspace workspace) {
    this.workspace = workspace;
  }

  // ---- rooms ---------------------------------------------------------------------------------

  /**
   * Creates the Dialogue rooms of the workspace and of every channel and DM, then stores the
   * messages the history holds but the app's table does not (a crash between the two).
   */
  void openRooms() {
    openWorkspaceRoom();
    for (Channel channel : directory.allChannels()) {
      openRoom(channel);
      catchUp(channel.roomId());
    }
  }

  void openWorkspaceRoom() {
    dialogue.createRoom(
        RoomConfig.builder(workspace.roomId(), workspace.name())
            .events(
                ChatEvents.MEMBER_JOINED, ChatEvents.CHANNEL_CREATED, ChatEvents.CHANNEL_UPDATED)
            .defaultSubscriptions(EventDefinition.ANY)
            .presence(true)
            .intercept(ChatEvents.MEMBER_JOINED, TriggerInterceptor.serverOnly())
            .intercept(ChatEvents.CHANNEL_CREATED, TriggerInterceptor.serverOnly())
            .intercept(ChatEvents.CHANNEL_UPDATED, TriggerInterceptor.serverOnly())
            .build());
  }

  Room openRoom(Channel channel) {
    RoomConfig.Builder config =
        RoomConfig.builder(channel.roomId(), channel.isDm() ? "dm" : channel.name())
            .events(
                ChatEvents.MESSAGE,
                ChatEvents.TYPING,
                ChatEvents.EDITED,
                ChatEvents.DELETED,
                ChatEvents.REACTION,
                ChatEvents.PINNED,
                ChatEvents.THREAD_UPDATED,
                ChatEvents.CHANNEL_UPDATED,
                ChatEvents.MEMBER)
            .defaultSubscriptions(EventDefinition.ANY)
            .intercept(ChatEvents.MESSAGE, this::beforeMessage)
            .intercept(ChatEvents.TYPING, this::beforeTyping);
    for (EventDefinition<?> serverEvent :
        List.of(
            ChatEvents.EDITED,
            ChatEvents.DELETED,
            ChatEvents.REACTION,
            ChatEvents.PINNED,
            ChatEvents.THREAD_UPDATED,
            ChatEvents.CHANNEL_UPDATED,
            ChatEvents.MEMBER)) {
      addServerOnly(config, serverEvent);
    }
    if (channel.isDm() || channel.isPrivate()) {
      String channelId = channel.id();
      config.visibleTo(
          (client, room) ->
              directory
                  .channel(channelId)
                  .map(c -> directory.isMember(c, client.userId()))
                  .orElse(false));
    }
    return dialogue.createRoom(config.build());
  }

  private static <T> void addServerOnly(RoomConfig.Builder config, EventDefinition<T> event) {
    config.intercept(event, TriggerInterceptor.serverOnly());
  }

  private void catchUp(String roomId) {
    long after = messages.lastPos(roomId);
    while (true) {
      List<EventMessage> batch = history.eventsAfter(roomId, after, CATCH_UP_BATCH);
      for (EventMessage event : batch) {
        if (ChatEvents.MESSAGE.name().equals(event.event())) {
          storeMessage(roomId, event, false);
        }
        after = Math.max(after, event.offset() == null ? after : event.offset());
      }
      if (batch.size() < CATCH_UP_BATCH) {
        return;
      }
    }
  }

  /**
   * A message of the channel as the app's table holds it. A message that was just delivered is
   * stored a moment later, by {@code onTriggered} on the room's serial executor: on a miss this
   * waits for what the room has queued ({@link Room#execute}) and looks again, so a reply or a
   * reaction sent right after the message finds it.
   */
  Optional<Messages.Stored> stored(Channel channel, String messageId) {
    Optional<Messages.Stored> found = inChannel(channel, messageId);
    if (found.isPresent()) {
      return found;
    }
    settle(channel);
    return inChannel(channel, messageId);
  }

  private Optional<Messages.Stored> inChannel(Channel channel, String messageId) {
    return messages.find(messageId).filter(m -> m.roomId().equals(channel.roomId()));
  }

  /** Waits until the room's queued listeners ran: everything delivered so far is stored. */
  void settle(Channel channel) {
    try {
      room(channel).execute(() -> {}).get(10, java.util.concurrent.TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      LOG.warn("Room {} did not settle: {}", channel.roomId(), e.toString());
    }
  }

  Room room(Channel channel) {
    return dialogue
        .room(channel.roomId())
        .orElseThrow(() -> new IllegalStateException("no room for " + channel.roomId()));
  }

  // ---- the library's hooks -------------------------------------------------------------------

  @Override
  public Decision beforeJoin(ClientConnection client, Room room) {
    String roomId = room.id();
    if (workspace != null && roomId.equals(workspace.roomId())) {
      return directory.role(workspace, client.userId()).isPresent()
          ? Decision.allow()
          : Decision.deny("Not a member of this workspace");
    }
    Optional<Channel> channel = directory.byRoom(roomId);
    if (channel.isEmpty()) {
      return Decision.deny("Not a chat room");
    }
    return directory.isMember(channel.get(), client.userId())
        ? Decision.allow()
        : Decision.deny("Join the channel first (channels.join)");
  }

  @Override
  public void onConnected(ClientConnection client) {
    String userId = client.userId();
    if (workspace == null || directory.role(workspace, userId).isEmpty()) {
      client.disconnect();
      return;
    }
    client.join(workspace.roomId());
    for (Channel channel : directory.channelsOf(userId)) {
      client.join(channel.roomId());
    }
  }

  @Override
  public void onTriggered(Room room, EventMessage message) {
    if (ChatEvents.MESSAGE.name().equals(message.event()) && message.offset() != null) {
      storeMessage(room.id(), message, true);
    }
  }

  /** Checks and completes a message before delivery; see docs/examples/chat.md, "Refusals". */
  Message beforeMessage(TriggerContext context, Message message) {
    if (context.sender() == null) {
      return message; // server code (the seed) sends complete messages
    }
    String userId = context.sender().userId();
    Channel channel =
        directory
            .byRoom(context.room().id())
            .orElseThrow(() -> new CommandException("NOT_FOUND", "No such channel"));
    if (!directory.isMember(channel, userId)) {
      throw new CommandException("NOT_A_MEMBER", "You are not a member of this channel");
    }
    Accounts.User user =
        accounts
            .find(userId)
            .orElseThrow(() -> new CommandException("NOT_A_MEMBER", "Unknown user"));
    if (message.threadId() != null
        && stored(channel, message.threadId())
            .filter(m -> m.threadId() == null && !m.deleted())
            .isEmpty()) {
      throw new CommandException("NOT_FOUND", "No such thread in this channel");
    }
    List<Map<String, Object>> attached = new ArrayList<>();
    for (String fileId : message.fileIds() == null ? List.<String>of() : message.fileIds()) {
      FileStore.StoredFile file =
          files
              .find(fileId)
              .filter(f -> f.roomId().equals(channel.roomId()) && f.userId().equals(userId))
              .orElseThrow(
                  () ->
                      new CommandException(
                          "FILE_NOT_FOUND",
                          "File '" + fileId + "' was not uploaded by you to this channel",
                          Map.of("fileId", fileId)));
      attached.add(file.toJson());
    }
    moderation.admit(user, channel, directory.isModerator(workspace, userId));
    return complete(channel, userId, message, attached);
  }

  /** The message as delivered: its files described, its mentions resolved to user ids. */
  Message complete(
      Channel channel, String userId, Message message, List<Map<String, Object>> attached) {
    List<String> mentions = new ArrayList<>();
    boolean mentionsChannel = false;
    Matcher m = MENTION.matcher(message.text());
    Set<String> seen = new LinkedHashSet<>();
    while (m.find()) {
      String name = m.group(1).toLowerCase(Locale.ROOT);
      if (CHANNEL_MENTIONS.contains(name)) {
        mentionsChannel = true;
      } else if (seen.add(name)) {
        accounts
            .findByUsername(name)
            .filter(u -> !u.id().equals(userId))
            .filter(u -> directory.isMember(channel, u.id()))
            .ifPresent(u -> mentions.add(u.id()));
      }
    }
    return new Message(
        message.text(), message.threadId(), message.fileIds(), attached, mentions, mentionsChannel);
  }

  /** Stores a message server code triggered (the seed) without waiting for the listener. */
  void stored(String roomId, EventMessage event) {
    storeMessage(roomId, event, true);
  }

  ChatEvents.Typing beforeTyping(TriggerContext context, ChatEvents.Typing typing) {
    if (context.sender() != null) {
      Optional<Channel> channel = directory.byRoom(context.room().id());
      if (channel.isEmpty() || !directory.isMember(channel.get(), context.sender().userId())) {
        throw new CommandException("NOT_A_MEMBER", "You are not a member of this channel");
      }
    }
    return typing;
  }

  /** Stores a delivered message once, indexes it, counts it in its thread, pushes unread. */
  private void storeMessage(String roomId, EventMessage event, boolean live) {
    Message data;
    try {
      data = event.data(Message.class);
    } catch (RuntimeException e) {
      LOG.warn("message {} in {} is unreadable, not stored: {}", event.id(), roomId, e.toString());
      return;
    }
    Messages.Stored stored =
        new Messages.Stored(
            event.id(),
            roomId,
            event.offset(),
            event.from(),
            data.text(),
            data.threadId(),
            data.files() == null ? List.of() : data.files(),
            data.mentions() == null ? List.of() : data.mentions(),
            Boolean.TRUE.equals(data.mentionsChannel()),
            event.timestamp(),
            null,
            false,
            false,
            null,
            0,
            null,
            null);
    if (!messages.store(stored)) {
      return;
    }
    search.index(
        new ChatSearch.SearchDoc(
            stored.id(),
            roomId,
            stored.threadId(),
            stored.userId(),
            stored.text(),
            stored.pos(),
            stored.createdAt()));
    if (stored.threadId() != null) {
      messages
          .countReply(stored)
          .ifPresent(
              root -> {
                if (live) {
                  dialogue.trigger(
                      roomId,
                      ChatEvents.THREAD_UPDATED.name(),
                      new ChatEvents.ThreadUpdated(
                          root.id(),
                          root.replyCount(),
                          root.lastReplyAt() == null ? 0 : root.lastReplyAt(),
                          root.lastReplyBy()));
                }
              });
    }
    if (live) {
      directory.byRoom(roomId).ifPresent(c -> reads.changed(roomId, directory.memberIds(c)));
    }
  }

  // ---- membership ----------------------------------------------------------------------------

  /**
   * The channel of {@code roomId} if the user may use it: a private channel or DM of which the user
   * is not a member is answered as missing (its existence is not disclosed).
   */
  Channel memberChannel(String userId, String roomId) {
    Channel channel =
        directory
            .byRoom(roomId)
            .orElseThrow(() -> new CommandException("NOT_FOUND", "No such channel"));
    if (!directory.isMember(channel, userId)) {
      if (channel.isDm() || channel.isPrivate()) {
        throw new CommandException("NOT_FOUND", "No such channel");
      }
      throw new CommandException("NOT_A_MEMBER", "You are not a member of this channel");
    }
    return channel;
  }

  Channel channelById(String userId, String channelId) {
    return memberChannelOrPublic(userId, directory.channel(channelId));
  }

  private Channel memberChannelOrPublic(String userId, Optional<Channel> found) {
    Channel channel =
        found
            .filter(c -> !c.isDm())
            .filter(c -> !c.isPrivate() || directory.isMember(c, userId))
            .orElseThrow(() -> new CommandException("NOT_FOUND", "No such channel"));
    return channel;
  }

  Channel createChannel(String userId, String rawName, String topic, boolean isPrivate) {
    String name = rawName == null ? "" : rawName.trim().toLowerCase(Locale.ROOT).replace(' ', '-');
    if (name.startsWith("#")) {
      name = name.substring(1);
    }
    if (!CHANNEL_NAME.matcher(name).matches()) {
      throw new CommandException(
          "BAD_NAME",
          "A channel name is 1 to 40 of a-z, 0-9, '-' and '_', starting with a letter or digit");
    }
    synchronized (this) {
      if (directory.channelByName(workspace, name).isPresent()) {
        throw new CommandException("NAME_TAKEN", "#" + name + " exists already");
      }
      Channel channel =
          directory.createChannel(
              workspace, "channel", name, topic == null ? "" : topic.trim(), isPrivate, userId);
      openRoom(channel);
      addToChannel(channel, userId);
      if (!isPrivate) {
        dialogue.trigger(
            workspace.roomId(),
            ChatEvents.CHANNEL_CREATED.name(),
            new ChatEvents.ChannelCreated(channelJson(channel)));
      }
      return channel;
    }
  }

  /**
   * Makes {@code userId} a member: the row, a read cursor at the room's current offset (what came
   * before is not "unread"), the user's connections seated in the room, a {@code member} event.
   */
  boolean addToChannel(Channel channel, String userId) {
    if (!directory.addChannelMember(channel, userId)) {
      return false;
    }
    Room room = room(channel);
    reads.mark(userId, channel.roomId(), null, room.offset());
    for (ClientConnection client : dialogue.clients(userId)) {
      client.join(channel.roomId());
    }
    room.trigger(ChatEvents.MEMBER.name(), new ChatEvents.Member(userId, true));
    return true;
  }

  boolean removeFromChannel(Channel channel, String userId) {
    if (!directory.removeChannelMember(channel, userId)) {
      return false;
    }
    room(channel).trigger(ChatEvents.MEMBER.name(), new ChatEvents.Member(userId, false));
    for (ClientConnection client : dialogue.clients(userId)) {
      client.leave(channel.roomId());
      client.send("channelRemoved", Map.of("roomId", channel.roomId()));
    }
    return true;
  }

  /** A new account: a member of the workspace, in its default channels, announced to all. */
  void welcome(Accounts.User user) {
    directory.addMember(workspace, user.id(), Directory.MEMBER);
    for (String name : DEFAULT_CHANNELS) {
      directory.channelByName(workspace, name).ifPresent(c -> addToChannel(c, user.id()));
    }
    Map<String, Object> json = new LinkedHashMap<>(user.toJson());
    json.put("role", Directory.MEMBER);
    dialogue.trigger(
        workspace.roomId(), ChatEvents.MEMBER_JOINED.name(), new ChatEvents.MemberJoined(json));
  }

  /** Tells each of the user's connections about a channel or DM it was added to. */
  void announceAdded(Channel channel, String userId) {
    Map<String, Object> json = channelJson(channel);
    for (ClientConnection client : dialogue.clients(userId)) {
      client.send("channelAdded", json);
    }
  }

  Channel openDm(String userId, List<String> others) {
    Set<String> members = new LinkedHashSet<>();
    members.add(userId);
    if (others != null) {
      members.addAll(others);
    }
    if (members.size() < 2 || members.size() > MAX_GROUP) {
      throw new CommandException(
          "BAD_MEMBERS", "A direct message has 2 to " + MAX_GROUP + " people, you included");
    }
    for (String member : members) {
      if (directory.role(workspace, member).isEmpty()) {
        throw new CommandException("NOT_FOUND", "No such user: " + member);
      }
    }
    synchronized (this) {
      Optional<Channel> existing = directory.dmWith(workspace, members);
      if (existing.isPresent()) {
        return existing.get();
      }
      Channel dm =
          directory.createChannel(workspace, "dm", Directory.dmKey(members), "", true, userId);
      openRoom(dm);
      for (String member : members) {
        addToChannel(dm, member);
      }
      for (String member : members) {
        if (!member.equals(userId)) {
          announceAdded(dm, member);
        }
      }
      return dm;
    }
  }

  // ---- views ---------------------------------------------------------------------------------

  Map<String, Map<String, Object>> usersById() {
    Map<String, Map<String, Object>> byId = new LinkedHashMap<>();
    for (Map<String, Object> user : directory.members(workspace)) {
      byId.put((String) user.get("id"), user);
    }
    return byId;
  }

  Map<String, Object> channelJson(Channel channel) {
    Map<String, Object> json = directory.toJson(channel, usersById());
    return json;
  }

  /** The {@code me} answer. */
  Map<String, Object> me(String userId) {
    Accounts.User user =
        accounts.find(userId).orElseThrow(() -> new CommandException("NOT_FOUND", "No such user"));
    Map<String, Map<String, Object>> users = usersById();
    List<Map<String, Object>> channels = new ArrayList<>();
    List<Map<String, Object>> dms = new ArrayList<>();
    Map<String, Object> unread = new LinkedHashMap<>();
    for (Channel channel : directory.channelsOf(userId)) {
      (channel.isDm() ? dms : channels).add(directory.toJson(channel, users));
      unread.put(channel.roomId(), reads.unread(userId, channel.roomId()));
    }
    Map<String, Object> me = new LinkedHashMap<>();
    me.put("user", user.toJson());
    me.put(
        "workspace",
        Map.of("id", workspace.id(), "name", workspace.name(), "roomId", workspace.roomId()));
    me.put("role", directory.role(workspace, userId).orElse(Directory.MEMBER));
    me.put("channels", channels);
    me.put("dms", dms);
    me.put("users", new ArrayList<>(users.values()));
    me.put("unread", unread);
    return me;
  }
}
