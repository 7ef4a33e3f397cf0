package dev.dialogue.examples.chat;

import dev.dialogue.EventDefinition;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import java.util.List;
import java.util.Map;

/** The chat's events and their payloads (docs/examples/chat.md, "Events"). */
final class ChatEvents {
  private ChatEvents() {}

  /** Longest message text. */
  static final int MAX_TEXT = 4000;

  /**
   * A message as a client sends it ({@code text}, {@code threadId}, {@code fileIds}) and as the
   * server completes it ({@code files}, {@code mentions}, {@code mentionsChannel}: whatever a
   * client puts there is replaced).
   */
  record Message(
      @NotBlank @Size(max = MAX_TEXT) String text,
      @Size(max = 64) String threadId,
      @Size(max = 10) List<@NotBlank @Size(max = 64) String> fileIds,
      List<Map<String, Object>> files,
      List<String> mentions,
      Boolean mentionsChannel) {}

  /** A typing notice; {@code threadId} when typing in a thread. */
  record Typing(@Size(max = 64) String threadId) {}

  record Edited(String messageId, String text, long editedAt) {}

  record Deleted(String messageId, String by) {}

  record Reaction(String messageId, String emoji, List<String> users) {}

  record Pinned(String messageId, boolean pinned, String by) {}

  record ThreadUpdated(String threadId, int replyCount, long lastReplyAt, String lastReplyBy) {}

  record ChannelUpdated(String channelId, String name, String topic, int slowModeSeconds) {}

  record Member(String userId, boolean joined) {}

  static final EventDefinition<Message> MESSAGE =
      EventDefinition.builder("message", Message.class).history(200).build();
  static final EventDefinition<Typing> TYPING = EventDefinition.of("typing", Typing.class);
  static final EventDefinition<Edited> EDITED =
      EventDefinition.builder("edited", Edited.class).history(100).build();
  static final EventDefinition<Deleted> DELETED =
      EventDefinition.builder("deleted", Deleted.class).history(100).build();
  static final EventDefinition<Reaction> REACTION =
      EventDefinition.builder("reaction", Reaction.class).history(100).build();
  static final EventDefinition<Pinned> PINNED =
      EventDefinition.builder("pinned", Pinned.class).history(50).build();
  static final EventDefinition<ThreadUpdated> THREAD_UPDATED =
      EventDefinition.builder("threadUpdated", ThreadUpdated.class).history(100).build();
  static final EventDefinition<ChannelUpdated> CHANNEL_UPDATED =
      EventDefinition.builder("channelUpdated", ChannelUpdated.class).history(20).build();
  static final EventDefinition<Member> MEMBER =
      EventDefinition.builder("member", Member.class).history(50).build();

  /** The workspace room's events. */
  record ChannelCreated(Map<String, Object> channel) {}

  record MemberJoined(Map<String, Object> user) {}

  static final EventDefinition<ChannelCreated> CHANNEL_CREATED =
      EventDefinition.builder("channelCreated", ChannelCreated.class).history(20).build();
  static final EventDefinition<MemberJoined> MEMBER_JOINED =
      EventDefinition.builder("memberJoined", MemberJoined.class).history(20).build();
}
