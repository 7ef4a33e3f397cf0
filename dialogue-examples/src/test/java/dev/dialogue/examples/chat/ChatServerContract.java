package dev.dialogue.examples.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dialogue.client.DialogueClientException;
import dev.dialogue.client.EventMessage;
import dev.dialogue.test.DialogueServerExtension;
import dev.dialogue.test.PresenceChange;
import dev.dialogue.test.Recorder;
import dev.dialogue.test.TestClient;
import dev.dialogue.test.TestRoom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The chat server's rules over real sockets (issue 15, "Tests"): one server per class, seeded as on
 * a first start; the H2 and PostgreSQL subclasses run the same tests. Tests that change a user's
 * standing (mute, ban, rate limits) use users they sign up themselves.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
abstract class ChatServerContract {
  private static final AtomicInteger SEQ = new AtomicInteger();

  /** The subclass's server. */
  abstract DialogueServerExtension server();

  ChatHttpClient http() {
    return new ChatHttpClient(server().port());
  }

  /** A signed-in user: its token, id and connected client. */
  record User(String token, String id, TestClient client) {}

  User signIn(String username) {
    String token = http().signIn(username, "password");
    TestClient client = server().client(Map.of("token", token));
    return new User(token, client.userId(), client);
  }

  User signUp(String prefix) {
    String username = prefix + "-" + SEQ.incrementAndGet() + "-" + System.nanoTime() % 100_000;
    ChatHttpClient.Answer answer =
        http()
            .post(
                "/api/signup",
                Map.of("username", username, "displayName", prefix, "password", "s3cret-pass"));
    assertThat(answer.status()).as("%s", answer.json()).isEqualTo(201);
    String token = answer.json().get("token").asText();
    TestClient client = server().client(Map.of("token", token));
    return new User(token, answer.json().path("user").path("id").asText(), client);
  }

  static JsonNode me(User user) {
    return user.client().request("me", null, JsonNode.class);
  }

  static String roomOf(User user, String channelName) {
    for (JsonNode channel : me(user).path("channels")) {
      if (channel.path("name").asText().equals(channelName)) {
        return channel.path("roomId").asText();
      }
    }
    throw new AssertionError(user.id() + " is not in #" + channelName);
  }

  static JsonNode request(User user, String command, Object payload) {
    return user.client().request(command, payload, JsonNode.class);
  }

  static DialogueClientException refusal(Runnable call) {
    return catchThrowableOfType(call::run, DialogueClientException.class);
  }

  static Map<String, Object> text(String text) {
    return Map.of("text", text);
  }

  /** A new public channel created by {@code owner}, with {@code others} joined. */
  String newChannel(User owner, String prefix, User... others) {
    String name = prefix + "-" + SEQ.incrementAndGet();
    JsonNode channel =
        request(owner, "channels.create", Map.of("name", name, "topic", "", "private", false));
    for (User other : others) {
      request(other, "channels.join", Map.of("channelId", channel.path("id").asText()));
    }
    return channel.path("roomId").asText();
  }

  // ---- identity

  @Test
  void signUpAndSignIn_refuseBadInputWithClearErrors() {
    ChatHttpClient http = http();
    ChatHttpClient.Answer bad =
        http.post(
            "/api/signup",
            Map.of("username", "No Spaces!", "displayName", "X", "password", "long-enough"));
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.json().path("error").asText()).isEqualTo("BAD_USERNAME");
    ChatHttpClient.Answer shortPassword =
        http.post(
            "/api/signup", Map.of("username", "shorty", "displayName", "S", "password", "short"));
    assertThat(shortPassword.status()).isEqualTo(400);
    assertThat(shortPassword.json().path("message").asText()).contains("8");
    ChatHttpClient.Answer taken =
        http.post(
            "/api/signup",
            Map.of("username", "alice", "displayName", "Other", "password", "long-enough"));
    assertThat(taken.status()).isEqualTo(409);
    ChatHttpClient.Answer wrong =
        http.post("/api/signin", Map.of("username", "alice", "password", "not-it"));
    assertThat(wrong.status()).isEqualTo(401);
    ChatHttpClient.Answer notJson = http.post("/api/signin", Map.of("nothing", 1));
    assertThat(notJson.status()).isEqualTo(400);
    ChatHttpClient.Answer ok =
        http.post("/api/signin", Map.of("username", "alice", "password", "password"));
    assertThat(ok.status()).isEqualTo(200);
    assertThat(ok.header("Set-Cookie")).contains("HttpOnly").contains("SameSite=Strict");
    assertThat(http.get("/api/nothing-here", null).status()).isEqualTo(404);
  }

  @Test
  void aSocketWithoutAValidToken_isRefused() {
    assertThatThrownBy(() -> server().client(Map.of("token", "not-a-jwt")))
        .isInstanceOf(Throwable.class);
  }

  @Test
  void me_describesTheSeededWorkspace() {
    User alice = signIn("alice");
    JsonNode me = me(alice);
    assertThat(me.path("role").asText()).isEqualTo("owner");
    assertThat(me.path("workspace").path("name").asText()).isEqualTo("Acme Inc.");
    List<String> names = new ArrayList<>();
    me.path("channels").forEach(c -> names.add(c.path("name").asText()));
    assertThat(names).contains("general", "random", "leads");
    assertThat(me.path("dms").size()).isGreaterThanOrEqualTo(2);
    assertThat(me.path("users").size()).isGreaterThanOrEqualTo(4);
    String general = roomOf(alice, "general");
    JsonNode page = request(alice, "messages.page", Map.of("roomId", general, "limit", 100));
    assertThat(page.path("messages").size()).isGreaterThan(3);
    boolean hasReactions = false;
    boolean hasThread = false;
    boolean hasFile = false;
    for (JsonNode m : page.path("messages")) {
      hasReactions |= m.path("reactions").size() > 0;
      hasThread |= m.path("replyCount").asInt() > 0;
      hasFile |= m.path("files").size() > 0;
    }
    assertThat(hasReactions).isTrue();
    assertThat(hasThread).isTrue();
    assertThat(hasFile).isTrue();
  }

  // ---- messages

  @Test
  void aMessage_reachesTheOtherMembers_withItsMentions_andIsPaged() {
    User alice = signIn("alice");
    User bob = signIn("bob");
    String general = roomOf(alice, "general");
    Recorder<EventMessage> bobSees = bob.client().join(general).recordMessages("message");
    String text = "Standup moved to 10:30, @bob and @channel " + SEQ.incrementAndGet();
    alice.client().join(general).send("message", text(text));
    EventMessage got = bobSees.awaitMatching(m -> text.equals(field(m, "text")));
    JsonNode data = ChatHttpClient.JSON.valueToTree(got.data());
    assertThat(data.path("mentions").toString()).contains(bob.id());
    assertThat(data.path("mentionsChannel").asBoolean()).isTrue();
    assertThat(got.from()).isEqualTo(alice.id());
    JsonNode page = request(bob, "messages.page", Map.of("roomId", general, "limit", 5));
    assertThat(page.path("messages").get(0).path("text").asText()).isEqualTo(text);
    assertThat(page.path("messages").get(0).path("id").asText()).isEqualTo(got.id());
  }

  @Test
  void aClientCannotForgeServerEvents_orMentions() {
    User carol = signIn("carol");
    TestRoom general = carol.client().join(roomOf(carol, "general"));
    DialogueClientException forged =
        refusal(() -> general.send("edited", Map.of("messageId", "x", "text", "y", "editedAt", 1)));
    assertThat(forged.code()).isEqualTo("SERVER_ONLY");
    DialogueClientException blank = refusal(() -> general.send("message", text("   ")));
    assertThat(blank.code()).isEqualTo("VALIDATION_FAILED");
  }

  @Test
  void typing_reachesTheOthers() {
    User alice = signIn("alice");
    User dave = signIn("dave");
    String random = roomOf(alice, "random");
    Recorder<EventMessage> daveSees = dave.client().join(random).recordMessages("typing");
    alice.client().join(random).send("typing", Map.of());
    assertThat(daveSees.next().from()).isEqualTo(alice.id());
  }

  @Test
  void threads_countRepliesAndKeepThemOutOfTheChannelPage() {
    User alice = signIn("alice");
    User bob = signIn("bob");
    String room = newChannel(alice, "threads", bob);
    TestRoom aliceRoom = alice.client().join(room);
    Recorder<EventMessage> updates = bob.client().join(room).recordMessages("threadUpdated");
    String root = aliceRoom.send("message", text("Release plan?")).id();
    bob.client().join(room).send("message", Map.of("text", "Friday", "threadId", root));
    EventMessage update = updates.next();
    JsonNode data = ChatHttpClient.JSON.valueToTree(update.data());
    assertThat(data.path("threadId").asText()).isEqualTo(root);
    assertThat(data.path("replyCount").asInt()).isEqualTo(1);
    assertThat(data.path("lastReplyBy").asText()).isEqualTo(bob.id());
    JsonNode page = request(alice, "messages.page", Map.of("roomId", room));
    assertThat(page.path("messages").size()).isEqualTo(1);
    assertThat(page.path("messages").get(0).path("replyCount").asInt()).isEqualTo(1);
    JsonNode thread = request(alice, "thread.page", Map.of("roomId", room, "threadId", root));
    assertThat(thread.path("messages").get(0).path("text").asText()).isEqualTo("Friday");
    DialogueClientException noThread =
        refusal(() -> aliceRoom.send("message", Map.of("text", "x", "threadId", "nope")));
    assertThat(noThread.code()).isEqualTo("NOT_FOUND");
  }

  @Test
  void editDeleteReactPin_areBroadcast_andOnlyTheAuthorEdits() {
    User alice = signIn("alice");
    User carol = signIn("carol");
    String room = newChannel(alice, "edits", carol);
    TestRoom aliceRoom = alice.client().join(room);
    Recorder<EventMessage> carolSees = carol.client().join(room).recordAll();
    String id = aliceRoom.send("message", text("typo hre")).id();

    JsonNode edited =
        request(
            alice, "message.edit", Map.of("roomId", room, "messageId", id, "text", "typo here"));
    assertThat(edited.path("text").asText()).isEqualTo("typo here");
    assertThat(field(carolSees.awaitMatching(m -> m.event().equals("edited")), "text"))
        .isEqualTo("typo here");
    DialogueClientException notHers =
        refusal(
            () ->
                request(
                    carol, "message.edit", Map.of("roomId", room, "messageId", id, "text", "x")));
    assertThat(notHers.code()).isEqualTo("FORBIDDEN");

    request(carol, "reaction.toggle", Map.of("roomId", room, "messageId", id, "emoji", "🎉"));
    EventMessage reaction = carolSees.awaitMatching(m -> m.event().equals("reaction"));
    assertThat(ChatHttpClient.JSON.valueToTree(reaction.data()).path("users").toString())
        .contains(carol.id());
    JsonNode off =
        request(carol, "reaction.toggle", Map.of("roomId", room, "messageId", id, "emoji", "🎉"));
    assertThat(off.path("users").size()).isZero();

    request(carol, "pin.toggle", Map.of("roomId", room, "messageId", id));
    carolSees.awaitMatching(m -> m.event().equals("pinned"));
    JsonNode pins = request(alice, "pins.list", Map.of("roomId", room));
    assertThat(pins.path("messages").get(0).path("id").asText()).isEqualTo(id);

    DialogueClientException carolDeletes =
        refusal(() -> request(carol, "message.delete", Map.of("roomId", room, "messageId", id)));
    assertThat(carolDeletes.code()).isEqualTo("FORBIDDEN");
    request(alice, "message.delete", Map.of("roomId", room, "messageId", id));
    carolSees.awaitMatching(m -> m.event().equals("deleted"));
    assertThat(request(carol, "messages.page", Map.of("roomId", room)).path("messages").size())
        .isZero();
  }

  @Test
  void aModerator_deletesAnyonesMessage() {
    User bob = signIn("bob");
    User member = signUp("author");
    String room = roomOf(member, "random");
    String id = member.client().join(room).send("message", text("spam spam")).id();
    JsonNode deleted = request(bob, "message.delete", Map.of("roomId", room, "messageId", id));
    assertThat(deleted.path("deleted").asBoolean()).isTrue();
  }

  // ---- private channels and DMs

  @Test
  void aPrivateChannel_isInvisibleToNonMembersEverywhere() {
    User alice = signIn("alice");
    User carol = signIn("carol");
    String leads = roomOf(alice, "leads");
    String secret = "budget-" + SEQ.incrementAndGet() + "xyzzy";
    alice.client().join(leads).send("message", text("The " + secret + " is approved"));

    List<String> carolChannels = new ArrayList<>();
    me(carol).path("channels").forEach(c -> carolChannels.add(c.path("roomId").asText()));
    assertThat(carolChannels).doesNotContain(leads);
    JsonNode browse = request(carol, "channels.browse", null);
    assertThat(browse.toString()).doesNotContain(leads).doesNotContain("\"leads\"");
    assertThat(refusal(() -> carol.client().join(leads)).code()).isEqualTo("ROOM_NOT_FOUND");
    assertThat(refusal(() -> request(carol, "messages.page", Map.of("roomId", leads))).code())
        .isEqualTo("NOT_FOUND");
    assertThat(refusal(() -> request(carol, "pins.list", Map.of("roomId", leads))).code())
        .isEqualTo("NOT_FOUND");
    assertThat(request(carol, "search", Map.of("query", secret)).path("results").size()).isZero();
    assertThat(request(alice, "search", Map.of("query", secret)).path("results").size())
        .isEqualTo(1);

    ChatHttpClient http = http();
    ChatHttpClient.Answer upload =
        http.upload(
            alice.token(), "roomId=" + leads + "&name=plan.txt", "text/plain", bytes("plan"));
    assertThat(upload.status()).isEqualTo(201);
    String fileId = upload.json().path("id").asText();
    assertThat(http.get("/api/files/" + fileId, alice.token()).status()).isEqualTo(200);
    assertThat(http.get("/api/files/" + fileId, carol.token()).status()).isEqualTo(404);
    assertThat(http.get("/api/files/" + fileId, null).status()).isEqualTo(401);
    assertThat(
            http.upload(carol.token(), "roomId=" + leads + "&name=x.txt", "text/plain", bytes("x"))
                .status())
        .isEqualTo(404);
  }

  @Test
  void anInvite_addsTheChannelToTheInviteesConnections_andLeavingRemovesIt() {
    User alice = signIn("alice");
    User dave = signIn("dave");
    Recorder<JsonNode> added = dave.client().record("channelAdded", JsonNode.class);
    Recorder<JsonNode> removed = dave.client().record("channelRemoved", JsonNode.class);
    JsonNode channel =
        request(
            alice,
            "channels.create",
            Map.of("name", "secret-" + SEQ.incrementAndGet(), "private", true));
    String room = channel.path("roomId").asText();
    assertThat(refusal(() -> dave.client().join(room)).code()).isEqualTo("ROOM_NOT_FOUND");
    request(
        alice,
        "channels.invite",
        Map.of("channelId", channel.path("id").asText(), "userId", dave.id()));
    assertThat(added.next().path("roomId").asText()).isEqualTo(room);
    Recorder<EventMessage> daveSees = dave.client().join(room).recordMessages("message");
    alice.client().join(room).send("message", text("welcome dave"));
    assertThat(field(daveSees.next(), "text")).isEqualTo("welcome dave");
    request(dave, "channels.leave", Map.of("channelId", channel.path("id").asText()));
    assertThat(removed.next().path("roomId").asText()).isEqualTo(room);
    assertThat(refusal(() -> request(dave, "messages.page", Map.of("roomId", room))).code())
        .isEqualTo("NOT_FOUND");
  }

  @Test
  void publicChannels_areBrowsedAndJoined_andNamesAreUnique() {
    User alice = signIn("alice");
    User member = signUp("joiner");
    Recorder<JsonNode> created = member.client().record("channelCreated", JsonNode.class);
    String name = "ideas-" + SEQ.incrementAndGet();
    JsonNode channel = request(alice, "channels.create", Map.of("name", name, "private", false));
    JsonNode browse = request(member, "channels.browse", null);
    assertThat(browse.toString()).contains(name);
    assertThat(
            refusal(
                    () ->
                        request(
                            member,
                            "messages.page",
                            Map.of("roomId", channel.path("roomId").asText())))
                .code())
        .isEqualTo("NOT_A_MEMBER");
    request(member, "channels.join", Map.of("channelId", channel.path("id").asText()));
    assertThat(
            request(member, "messages.page", Map.of("roomId", channel.path("roomId").asText()))
                .path("messages")
                .size())
        .isZero();
    assertThat(refusal(() -> request(alice, "channels.create", Map.of("name", name))).code())
        .isEqualTo("NAME_TAKEN");
    created.close();
  }

  @Test
  void aDirectMessage_reachesOnlyItsMembers() {
    User carol = signIn("carol");
    User dave = signIn("dave");
    User outsider = signUp("outsider");
    Recorder<JsonNode> added = dave.client().record("channelAdded", JsonNode.class);
    JsonNode dm = request(carol, "dm.open", Map.of("userIds", List.of(dave.id())));
    String room = dm.path("roomId").asText();
    assertThat(dm.path("kind").asText()).isEqualTo("dm");
    JsonNode again = request(carol, "dm.open", Map.of("userIds", List.of(dave.id())));
    assertThat(again.path("roomId").asText()).isEqualTo(room);
    Recorder<EventMessage> daveSees = dave.client().join(room).recordMessages("message");
    carol.client().join(room).send("message", text("lunch?"));
    assertThat(field(daveSees.next(), "text")).isEqualTo("lunch?");
    assertThat(refusal(() -> outsider.client().join(room)).code()).isEqualTo("ROOM_NOT_FOUND");
    added.close();
  }

  // ---- files

  @Test
  void files_areCheckedStoredAndServedToMembers() {
    User alice = signIn("alice");
    User carol = signIn("carol");
    String general = roomOf(alice, "general");
    ChatHttpClient http = http();
    byte[] png = TestImages.png(800, 400);
    ChatHttpClient.Answer upload =
        http.upload(alice.token(), "roomId=" + general + "&name=..%2Fchart.png", "image/png", png);
    assertThat(upload.status()).as("%s", upload.json()).isEqualTo(201);
    JsonNode file = upload.json();
    assertThat(file.path("name").asText()).isEqualTo("chart.png");
    assertThat(file.path("width").asInt()).isEqualTo(800);
    String id = file.path("id").asText();

    Recorder<EventMessage> carolSees = carol.client().join(general).recordMessages("message");
    alice
        .client()
        .join(general)
        .send("message", Map.of("text", "📎 chart.png", "fileIds", List.of(id)));
    EventMessage got = carolSees.awaitMatching(m -> "📎 chart.png".equals(field(m, "text")));
    JsonNode files = ChatHttpClient.JSON.valueToTree(got.data()).path("files");
    assertThat(files.get(0).path("id").asText()).isEqualTo(id);
    assertThat(files.get(0).path("type").asText()).isEqualTo("image/png");

    ChatHttpClient.Answer full = http.get("/api/files/" + id, carol.token());
    assertThat(full.status()).isEqualTo(200);
    assertThat(full.bytes()).isEqualTo(png);
    assertThat(full.header("X-Content-Type-Options")).isEqualTo("nosniff");
    // revalidated on every view: a member who left or was banned is not served from a cache
    assertThat(full.header("Cache-Control")).isEqualTo("private, no-cache");
    ChatHttpClient.Answer preview = http.get("/api/files/" + id + "/preview", carol.token());
    assertThat(preview.status()).isEqualTo(200);
    assertThat(TestImages.size(preview.bytes())).isEqualTo(List.of(360, 180));
    String cookie = "chat_token=" + carol.token();
    assertThat(http.getWithCookie("/api/files/" + id, cookie).status()).isEqualTo(200);

    ChatHttpClient.Answer html =
        http.upload(
            alice.token(), "roomId=" + general + "&name=x.png", "image/png", bytes("<html>"));
    assertThat(html.status()).isEqualTo(415);
    assertThat(html.json().path("error").asText()).isEqualTo("UNSUPPORTED_TYPE");
    ChatHttpClient.Answer exe =
        http.upload(
            alice.token(),
            "roomId=" + general + "&name=x.exe",
            "application/x-msdownload",
            bytes("MZ"));
    assertThat(exe.status()).isEqualTo(415);
    ChatHttpClient.Answer empty =
        http.upload(alice.token(), "roomId=" + general + "&name=e.txt", "text/plain", new byte[0]);
    assertThat(empty.status()).isEqualTo(400);
    ChatHttpClient.Answer tooBig =
        http.upload(
            alice.token(),
            "roomId=" + general + "&name=big.txt",
            "text/plain",
            new byte[(int) dev.dialogue.examples.chat.files.FileStore.MAX_BYTES + 1]);
    assertThat(tooBig.status()).isEqualTo(413);
    DialogueClientException unknownFile =
        refusal(
            () ->
                alice
                    .client()
                    .join(general)
                    .send(
                        "message",
                        Map.of(
                            "text", "x", "fileIds", List.of("0123456789abcdef0123456789abcdef"))));
    assertThat(unknownFile.code()).isEqualTo("FILE_NOT_FOUND");
  }

  @Test
  void voiceNotes_haveADurationWithinTheLimit() {
    User alice = signIn("alice");
    String general = roomOf(alice, "general");
    ChatHttpClient http = http();
    byte[] webm = TestImages.webmHeader(4096);
    ChatHttpClient.Answer ok =
        http.upload(
            alice.token(),
            "roomId=" + general + "&name=voice.webm&durationMs=7000",
            "audio/webm",
            webm);
    assertThat(ok.status()).as("%s", ok.json()).isEqualTo(201);
    assertThat(ok.json().path("durationMs").asLong()).isEqualTo(7000);
    ChatHttpClient.Answer tooLong =
        http.upload(
            alice.token(),
            "roomId=" + general + "&name=voice.webm&durationMs=180000",
            "audio/webm",
            webm);
    assertThat(tooLong.status()).isEqualTo(400);
    assertThat(tooLong.json().path("error").asText()).isEqualTo("BAD_DURATION");
    ChatHttpClient.Answer tooBig =
        http.upload(
            alice.token(),
            "roomId=" + general + "&name=voice.webm&durationMs=7000",
            "audio/webm",
            TestImages.webmHeader(3 * 1024 * 1024));
    assertThat(tooBig.status()).isEqualTo(413);
  }

  // ---- read state

  @Test
  void unreadAndMentions_areComputedOnTheServer_andPushedToEveryConnection() {
    User alice = signIn("alice");
    User reader = signUp("reader");
    TestClient secondTab = server().client(Map.of("token", reader.token()));
    String room = roomOf(reader, "random");
    JsonNode before = me(reader).path("unread").path(room);
    request(reader, "read.mark", Map.of("roomId", room, "offset", Long.MAX_VALUE / 2));
    assertThat(me(reader).path("unread").path(room).path("unread").asInt()).isZero();
    Recorder<JsonNode> pushes = secondTab.record("unread", JsonNode.class);
    alice.client().join(room).send("message", text("hello"));
    alice.client().join(room).send("message", text("hey @" + usernameOf(reader)));
    JsonNode push =
        pushes.awaitMatching(
            p -> p.path("roomId").asText().equals(room) && p.path("unread").asInt() == 2);
    assertThat(push.path("mentions").asInt()).isEqualTo(1);
    assertThat(before.isMissingNode()).isFalse();
    long offset = reader.client().join(room).clientRoom().lastOffset();
    request(reader, "read.mark", Map.of("roomId", room, "offset", offset));
    pushes.awaitMatching(
        p -> p.path("roomId").asText().equals(room) && p.path("unread").asInt() == 0);
    assertThat(me(reader).path("unread").path(room).path("mentions").asInt()).isZero();
  }

  @Test
  void aMentionInAThread_countsUntilTheThreadIsRead_notTheChannel() {
    User alice = signIn("alice");
    User reader = signUp("threadreader");
    String room = newChannel(alice, "mentions", reader);
    TestRoom aliceRoom = alice.client().join(room);
    String root = aliceRoom.send("message", text("Question for later")).id();
    long channelOffset = aliceRoom.clientRoom().lastOffset();
    request(reader, "read.mark", Map.of("roomId", room, "offset", channelOffset));
    aliceRoom.send(
        "message",
        Map.of("text", "@" + usernameOf(reader) + " what do you think?", "threadId", root));
    JsonNode unread = me(reader).path("unread").path(room);
    assertThat(unread.path("mentions").asInt()).isEqualTo(1);
    assertThat(unread.path("unread").asInt()).isZero(); // replies are not channel messages
    assertThat(unread.path("threads").path(root).asInt()).isEqualTo(1);
    long replyOffset = aliceRoom.clientRoom().lastOffset();
    JsonNode afterChannelRead =
        request(reader, "read.mark", Map.of("roomId", room, "offset", replyOffset));
    assertThat(afterChannelRead.path("mentions").asInt()).isEqualTo(1);
    JsonNode afterThreadRead =
        request(
            reader, "read.mark", Map.of("roomId", room, "offset", replyOffset, "threadId", root));
    assertThat(afterThreadRead.path("mentions").asInt()).isZero();
    assertThat(afterThreadRead.path("threads").path(root).isMissingNode()).isTrue();
  }

  String usernameOf(User user) {
    return me(user).path("user").path("username").asText();
  }

  // ---- moderation

  @Test
  void aMutedUser_isRefusedWithTheAppsError_untilUnmuted() {
    User bob = signIn("bob");
    User muted = signUp("muted");
    TestRoom random = muted.client().join(roomOf(muted, "random"));
    request(bob, "mod.mute", Map.of("userId", muted.id(), "minutes", 10));
    DialogueClientException refused = refusal(() -> random.send("message", text("hello?")));
    assertThat(refused.code()).isEqualTo("MUTED");
    assertThat(ChatHttpClient.JSON.valueToTree(refused.data()).path("until").asLong())
        .isGreaterThan(System.currentTimeMillis() + 9 * 60_000);
    request(bob, "mod.unmute", Map.of("userId", muted.id()));
    assertThat(random.send("message", text("back")).id()).isNotBlank();
    User member = signUp("nobody");
    assertThat(
            refusal(() -> request(member, "mod.mute", Map.of("userId", bob.id(), "minutes", 1)))
                .code())
        .isEqualTo("FORBIDDEN");
  }

  @Test
  void aBannedUser_isDisconnected_cannotReconnect_andCannotSignIn() {
    User alice = signIn("alice");
    User banned = signUp("banned");
    String username = usernameOf(banned);
    request(alice, "mod.ban", Map.of("userId", banned.id()));
    banned.client().awaitDisconnected();
    assertThatThrownBy(() -> server().client(Map.of("token", banned.token())))
        .isInstanceOf(Throwable.class);
    ChatHttpClient.Answer signIn =
        http().post("/api/signin", Map.of("username", username, "password", "s3cret-pass"));
    assertThat(signIn.status()).isEqualTo(403);
  }

  @Test
  void slowMode_spacesAUsersMessages() {
    User alice = signIn("alice");
    User member = signUp("slow");
    String room = newChannel(alice, "slow", member);
    String channelId = channelId(member, room);
    request(alice, "channels.slowMode", Map.of("channelId", channelId, "seconds", 60));
    TestRoom slow = member.client().join(room);
    slow.send("message", text("first"));
    DialogueClientException refused = refusal(() -> slow.send("message", text("second")));
    assertThat(refused.code()).isEqualTo("SLOW_MODE");
    assertThat(ChatHttpClient.JSON.valueToTree(refused.data()).path("retryAfterMs").asLong())
        .isBetween(1L, 60_000L);
    assertThat(
            refusal(
                    () ->
                        request(
                            member,
                            "channels.slowMode",
                            Map.of("channelId", channelId, "seconds", 0)))
                .code())
        .isEqualTo("FORBIDDEN");
  }

  @Test
  void theMessageRateLimit_refusesAFlood() {
    User flooder = signUp("flood");
    TestRoom random = flooder.client().join(roomOf(flooder, "random"));
    DialogueClientException refused = null;
    for (int i = 0; i < 25 && refused == null; i++) {
      int n = i;
      refused = refusal(() -> random.send("message", text("flood " + n)));
    }
    assertThat(refused).isNotNull();
    assertThat(refused.code()).isEqualTo("TOO_FAST");
  }

  String channelId(User user, String roomId) {
    for (JsonNode channel : me(user).path("channels")) {
      if (channel.path("roomId").asText().equals(roomId)) {
        return channel.path("id").asText();
      }
    }
    throw new AssertionError(roomId);
  }

  // ---- presence

  @Test
  void presence_countsAUserOnce_however_manyTabs() {
    User watcher = signUp("watcher");
    String workspace = me(watcher).path("workspace").path("roomId").asText();
    Recorder<PresenceChange> changes = watcher.client().join(workspace).recordPresence();
    User tabs = signUp("tabs");
    changes.awaitMatching(c -> c.joined().contains(tabs.id()));
    TestClient secondTab = server().client(Map.of("token", tabs.token()));
    secondTab.join(workspace);
    User sentinel = signUp("sentinel");
    changes.awaitMatching(c -> c.joined().contains(sentinel.id()));
    assertThat(changes.all().stream().filter(c -> c.joined().contains(tabs.id())).count())
        .isEqualTo(1);
    secondTab.close();
    User sentinel2 = signUp("sentinel");
    changes.awaitMatching(c -> c.joined().contains(sentinel2.id()));
    assertThat(changes.all().stream().anyMatch(c -> c.left().contains(tabs.id()))).isFalse();
  }

  static String field(EventMessage message, String name) {
    return message.data().path(name).asText(null);
  }

  static byte[] bytes(String s) {
    return s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }
}
