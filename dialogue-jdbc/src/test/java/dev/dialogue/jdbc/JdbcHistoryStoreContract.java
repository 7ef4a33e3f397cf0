package dev.dialogue.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dialogue.DialogueException;
import dev.dialogue.EventMessage;
import dev.dialogue.HistoryStore;
import dev.dialogue.internal.Json;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.stream.IntStream;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What every database behind {@link JdbcHistoryStore} must do. Subclasses give each test an empty
 * database, reachable both by URL and as an unpooled {@link DataSource}.
 */
abstract class JdbcHistoryStoreContract {
  private final List<JdbcHistoryStore> stores = new ArrayList<>();

  /** The URL of this test's empty database. */
  abstract String jdbcUrl();

  /** The same database as an unpooled DataSource. */
  abstract DataSource dataSource();

  @AfterEach
  void closeStores() {
    stores.forEach(JdbcHistoryStore::close);
  }

  JdbcHistoryStore open() {
    return open(b -> b);
  }

  JdbcHistoryStore open(UnaryOperator<JdbcHistoryStore.Builder> settings) {
    JdbcHistoryStore store = settings.apply(JdbcHistoryStore.builder(jdbcUrl())).build();
    stores.add(store);
    return store;
  }

  JdbcHistoryStore openGated(
      GatedDataSource gated, UnaryOperator<JdbcHistoryStore.Builder> settings) {
    JdbcHistoryStore store = settings.apply(JdbcHistoryStore.builder(gated)).build();
    stores.add(store);
    return store;
  }

  static EventMessage event(String roomId, long offset, String name) {
    ObjectNode data = Json.object().put("n", (int) offset); // JSON reads small numbers back as ints
    return new EventMessage(
        name,
        roomId,
        data,
        "alice",
        1_000 + offset,
        null,
        "m-" + roomId + "-" + offset,
        offset,
        null);
  }

  static EventMessage event(String roomId, long offset) {
    return event(roomId, offset, "message");
  }

  static void appendAll(HistoryStore store, String epoch, List<EventMessage> events)
      throws Exception {
    List<CompletableFuture<Void>> futures = new ArrayList<>();
    for (EventMessage e : events) {
      futures.add(store.append(epoch, e));
    }
    CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
  }

  static List<EventMessage> range(String roomId, int from, int to) {
    return IntStream.rangeClosed(from, to).mapToObj(i -> event(roomId, i)).toList();
  }

  static List<Long> offsets(List<EventMessage> events) {
    return events.stream().map(EventMessage::offset).toList();
  }

  void execute(String sql) throws SQLException {
    try (Connection c = dataSource().getConnection();
        Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  @Test
  void build_onExistingSchema_keepsTablesAndData() throws Exception {
    JdbcHistoryStore first = open();
    appendAll(first, "e1", range("r", 1, 2));
    JdbcHistoryStore second = open(); // creates the schema again while the first is still open

    assertThat(offsets(second.eventsAfter("r", 0, 10))).containsExactly(1L, 2L);
    appendAll(second, "e1", range("r", 3, 3));
    assertThat(offsets(first.eventsAfter("r", 0, 10))).containsExactly(1L, 2L, 3L);
  }

  /** The layout of versions before the room-numbered keys, as they created it. */
  void createVersion1Tables() throws SQLException {
    String envelope;
    try (Connection c = dataSource().getConnection()) {
      envelope = HistorySchema.isH2(c.getMetaData().getDatabaseProductName()) ? "VARCHAR" : "TEXT";
    }
    execute(
        "CREATE TABLE dialogue_rooms (room_id VARCHAR(512) NOT NULL PRIMARY KEY,"
            + " epoch VARCHAR(512) NOT NULL)");
    execute(
        "CREATE TABLE dialogue_events (room_id VARCHAR(512) NOT NULL,"
            + " event_offset BIGINT NOT NULL, event_name VARCHAR(512) NOT NULL,"
            + " sender VARCHAR(512) NOT NULL, client_message_id VARCHAR(512),"
            + " message_id VARCHAR(512), created_at BIGINT NOT NULL, envelope "
            + envelope
            + " NOT NULL, PRIMARY KEY (room_id, event_offset))");
    execute(
        "CREATE INDEX dialogue_events_by_name ON dialogue_events"
            + " (room_id, event_name, event_offset)");
    execute(
        "CREATE INDEX dialogue_events_by_client_id ON dialogue_events"
            + " (room_id, sender, client_message_id)");
  }

  void insertVersion1(String epoch, List<EventMessage> events) throws SQLException {
    try (Connection c = dataSource().getConnection();
        PreparedStatement room =
            c.prepareStatement("INSERT INTO dialogue_rooms (room_id, epoch) VALUES (?, ?)");
        PreparedStatement insert =
            c.prepareStatement(
                "INSERT INTO dialogue_events (room_id, event_offset, event_name, sender,"
                    + " client_message_id, message_id, created_at, envelope)"
                    + " VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
      room.setString(1, events.get(0).roomId());
      room.setString(2, epoch);
      room.executeUpdate();
      for (EventMessage e : events) {
        insert.setString(1, e.roomId());
        insert.setLong(2, e.offset());
        insert.setString(3, e.event());
        insert.setString(4, e.from());
        insert.setString(5, e.clientMessageId());
        insert.setString(6, e.id());
        insert.setLong(7, e.timestamp());
        insert.setString(8, Json.write(e));
        insert.executeUpdate();
      }
    }
  }

  boolean hasTable(String table) {
    try {
      execute("SELECT 1 FROM " + table + " WHERE 1 = 0");
      return true;
    } catch (SQLException e) {
      return false;
    }
  }

  @Test
  void build_onAVersion1Database_movesItsEventsAndTheStoreWorksOn() throws Exception {
    createVersion1Tables();
    EventMessage sent = withClientId(event("r", 3), "bob", "c-1");
    insertVersion1(
        "epoch-r", List.of(event("r", 1), event("r", 2, "typing"), sent, event("r", 4, "typing")));
    insertVersion1("epoch-s", range("s", 1, 2));

    JdbcHistoryStore store = open();

    assertThat(store.eventsAfter("r", 1, 10))
        .containsExactly(event("r", 2, "typing"), sent, event("r", 4, "typing"));
    assertThat(offsets(store.history("r", "typing", 0, 10))).containsExactly(4L, 2L);
    assertThat(store.findByClientMessageId("r", "bob", "c-1")).contains(sent);
    assertThat(store.position("r")).contains(new HistoryStore.Position("epoch-r", 4));
    assertThat(store.position("s")).contains(new HistoryStore.Position("epoch-s", 2));
    appendAll(store, "epoch-r", range("r", 5, 5));
    assertThat(offsets(store.eventsAfter("r", 3, 10))).containsExactly(4L, 5L);
    assertThat(hasTable("dialogue_events")).isFalse();
    assertThat(hasTable("dialogue_rooms")).isFalse();
  }

  @Test
  void build_withVersion1TablesBesideStoredRooms_addsTheirRoomsAndDropsThem() throws Exception {
    JdbcHistoryStore first = open();
    appendAll(first, "epoch-r", range("r", 1, 2));
    first.close();
    createVersion1Tables(); // left empty by a move interrupted before the drop, or with new rooms
    insertVersion1("epoch-s", range("s", 1, 3));

    JdbcHistoryStore store = open();

    assertThat(offsets(store.eventsAfter("r", 0, 10))).containsExactly(1L, 2L);
    assertThat(offsets(store.eventsAfter("s", 0, 10))).containsExactly(1L, 2L, 3L);
    assertThat(store.position("s")).contains(new HistoryStore.Position("epoch-s", 3));
    assertThat(hasTable("dialogue_events")).isFalse();
  }

  @Test
  void build_whenARoomIsInBothLayouts_failsAndKeepsBoth() throws Exception {
    JdbcHistoryStore first = open();
    appendAll(first, "epoch-r", range("r", 1, 2));
    first.close();
    createVersion1Tables(); // an earlier version ran on this database after this one
    insertVersion1("epoch-old", range("r", 1, 3));

    assertThatThrownBy(this::open)
        .isInstanceOf(DialogueException.class)
        .hasMessageContaining("could not create its schema")
        .hasStackTraceContaining("Room 'r' is stored both in dialogue_rooms");

    assertThat(hasTable("dialogue_events")).isTrue();
    try (Connection c = dataSource().getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM dialogue_events")) {
      rs.next();
      assertThat(rs.getLong(1)).isEqualTo(3L);
    }
    execute("DROP TABLE dialogue_events");
    execute("DROP TABLE dialogue_rooms");
    assertThat(offsets(open().eventsAfter("r", 0, 10))).containsExactly(1L, 2L);
  }

  @Test
  void rooms_atTheEndsOfTheirKeyRanges_stayApart() throws Exception {
    JdbcHistoryStore store = open();
    appendAll(store, "e1", List.of(event("a", HistorySchema.MAX_OFFSET)));
    appendAll(store, "e1", List.of(event("b", 1)));

    assertThat(offsets(store.eventsAfter("a", 0, 10))).containsExactly(HistorySchema.MAX_OFFSET);
    assertThat(offsets(store.eventsAfter("b", 0, 10))).containsExactly(1L);
    assertThat(store.position("a"))
        .contains(new HistoryStore.Position("e1", HistorySchema.MAX_OFFSET));
    assertThat(offsets(store.history("b", "message", 0, 10))).containsExactly(1L);
  }

  @Test
  void newRoom_whenTheHighestRoomNumberIsTaken_getsTheLowestFreeOne() throws Exception {
    JdbcHistoryStore store = open();
    appendAll(store, "e1", range("first", 1, 1)); // room number 1
    execute(
        "INSERT INTO dialogue_rooms_v2 (room_no, room_id, epoch) VALUES ("
            + HistorySchema.MAX_ROOM_NUMBER
            + ", 'last', 'e1')");
    appendAll(store, "e1", List.of(event("last", 7)));

    appendAll(store, "e1", range("r", 1, 2));

    assertThat(offsets(store.eventsAfter("r", 0, 10))).containsExactly(1L, 2L);
    assertThat(offsets(store.eventsAfter("last", 0, 10))).containsExactly(7L);
    assertThat(offsets(store.eventsAfter("first", 0, 10))).containsExactly(1L);
    try (Connection c = dataSource().getConnection();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery("SELECT room_no FROM dialogue_rooms_v2 WHERE room_id = 'r'")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getLong(1)).isEqualTo(2L);
    }
  }

  @Test
  void eventsAfter_returnsLaterEventsOfTheRoomOldestFirst_uptoLimit() throws Exception {
    JdbcHistoryStore store = open();
    appendAll(store, "e1", range("r", 1, 5));
    appendAll(store, "e2", range("other", 1, 3));

    assertThat(offsets(store.eventsAfter("r", 2, 10))).containsExactly(3L, 4L, 5L);
    assertThat(offsets(store.eventsAfter("r", 0, 2))).containsExactly(1L, 2L);
    assertThat(store.eventsAfter("r", 5, 10)).isEmpty();
    assertThat(store.eventsAfter("r", 0, 0)).isEmpty();
    assertThat(store.eventsAfter("missing", 0, 10)).isEmpty();
    assertThat(store.eventsAfter("r", 3, 1)).extracting(EventMessage::roomId).containsExactly("r");
  }

  @Test
  void append_keepsTheWholeEnvelope() throws Exception {
    JdbcHistoryStore store = open();
    ObjectNode data = Json.object().put("text", "héllo \"quoted\" ✓");
    data.putArray("tags").add(1).add("two");
    ObjectNode meta = Json.object().put("source", "test");
    EventMessage full =
        new EventMessage("message", "r", data, "bob", 1_234_567L, meta, "id-1", 1L, "client-1");

    appendAll(store, "e1", List.of(full));

    assertThat(store.eventsAfter("r", 0, 1)).containsExactly(full);
  }

  /**
   * The stored form is the envelope as the core writes it (and as the store wrote it while it was
   * part of the core): databases written by earlier versions stay readable, and read back the same.
   */
  @Test
  void append_storesTheEnvelopeExactlyAsTheCoreWritesIt() throws Exception {
    JdbcHistoryStore store = open();
    ObjectNode data = Json.object().put("text", "héllo \"quoted\" ✓");
    data.putArray("tags").add(1).add("two");
    ObjectNode meta = Json.object().put("source", "test");
    EventMessage full =
        new EventMessage("message", "r", data, "bob", 1_234_567L, meta, "id-1", 1L, "client-1");
    EventMessage sparse = event("r", 2); // no meta, no client message id

    appendAll(store, "e1", List.of(full, sparse));

    List<String> stored = new ArrayList<>();
    try (Connection c = dataSource().getConnection();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery("SELECT envelope FROM dialogue_events_v2 ORDER BY event_key")) {
      while (rs.next()) {
        stored.add(rs.getString(1));
      }
    }
    assertThat(stored)
        .containsExactly(
            "{\"event\":\"message\",\"roomId\":\"r\",\"data\":{\"text\":\"héllo \\\"quoted\\\" ✓\","
                + "\"tags\":[1,\"two\"]},\"from\":\"bob\",\"timestamp\":1234567,"
                + "\"meta\":{\"source\":\"test\"},\"id\":\"id-1\",\"offset\":1,"
                + "\"clientMessageId\":\"client-1\"}",
            "{\"event\":\"message\",\"roomId\":\"r\",\"data\":{\"n\":2},\"from\":\"alice\","
                + "\"timestamp\":1002,\"id\":\"m-r-2\",\"offset\":2}")
        .containsExactly(Json.write(full), Json.write(sparse));
    assertThat(store.eventsAfter("r", 0, 10)).containsExactly(full, sparse);
  }

  @Test
  void history_countsNewestFirstWithinOneEventName() throws Exception {
    JdbcHistoryStore store = open();
    List<EventMessage> events = new ArrayList<>();
    for (int offset = 1; offset <= 10; offset++) {
      events.add(event("r", offset, offset % 2 == 1 ? "message" : "typing"));
    }
    appendAll(store, "e1", events); // messages at offsets 1, 3, 5, 7, 9

    assertThat(offsets(store.history("r", "message", 0, 2))).containsExactly(9L, 7L);
    assertThat(offsets(store.history("r", "message", 1, 3))).containsExactly(7L, 5L);
    assertThat(offsets(store.history("r", "message", 3, 100))).containsExactly(3L, 1L);
    assertThat(offsets(store.history("r", "typing", 0, 1))).containsExactly(10L);
    assertThat(store.history("r", "message", 5, 8)).isEmpty();
    assertThat(store.history("r", "message", 2, 2)).isEmpty();
    assertThat(store.history("r", "unknown", 0, 10)).isEmpty();
    assertThatThrownBy(() -> store.history("r", "message", 3, 2))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("3, 2");
  }

  @Test
  void position_survivesCloseAndReopen_withTheSameEpochAndLastOffset() throws Exception {
    JdbcHistoryStore first = open();
    appendAll(first, "epoch-1", range("r", 1, 3));
    first.close();

    JdbcHistoryStore second = open();
    assertThat(second.position("r")).contains(new HistoryStore.Position("epoch-1", 3));
    assertThat(second.position("missing")).isEmpty();
    appendAll(second, "epoch-1", range("r", 4, 4));
    assertThat(second.position("r")).contains(new HistoryStore.Position("epoch-1", 4));
  }

  @Test
  void append_underAnotherEpoch_failsWhileTheRoomIsStored() throws Exception {
    JdbcHistoryStore store = open();
    appendAll(store, "epoch-1", range("r", 1, 1));

    CompletableFuture<Void> other = store.append("epoch-2", event("r", 2));

    assertThatThrownBy(() -> other.get(30, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOf(DialogueException.class)
        .hasMessageContaining("stored with epoch 'epoch-1', not 'epoch-2'");
    assertThat(store.position("r")).contains(new HistoryStore.Position("epoch-1", 1));
  }

  @Test
  void findByClientMessageId_returnsTheFirstStoredEventOfThatSender() throws Exception {
    JdbcHistoryStore store = open();
    EventMessage first = withClientId(event("r", 1), "alice", "c-1");
    EventMessage repeat = withClientId(event("r", 2), "alice", "c-1");
    EventMessage bobs = withClientId(event("r", 3), "bob", "c-1");
    appendAll(store, "e1", List.of(first, repeat, bobs, event("r", 4)));

    assertThat(store.findByClientMessageId("r", "alice", "c-1")).contains(first);
    assertThat(store.findByClientMessageId("r", "bob", "c-1")).contains(bobs);
    assertThat(store.findByClientMessageId("r", "alice", "c-2")).isEmpty();
    assertThat(store.findByClientMessageId("elsewhere", "alice", "c-1")).isEmpty();
  }

  private static EventMessage withClientId(EventMessage e, String from, String clientMessageId) {
    return new EventMessage(
        e.event(),
        e.roomId(),
        e.data(),
        from,
        e.timestamp(),
        e.meta(),
        e.id(),
        e.offset(),
        clientMessageId);
  }

  @Test
  void deleteRoom_removesItsEventsAndEpoch_soANewEpochCanStart() throws Exception {
    JdbcHistoryStore store = open();
    appendAll(store, "epoch-1", range("r", 1, 3));
    appendAll(store, "epoch-s", range("s", 1, 2));

    store.deleteRoom("r").get(30, TimeUnit.SECONDS);

    assertThat(store.eventsAfter("r", 0, 10)).isEmpty();
    assertThat(store.position("r")).isEmpty();
    assertThat(offsets(store.eventsAfter("s", 0, 10))).containsExactly(1L, 2L);
    appendAll(store, "epoch-2", range("r", 1, 1));
    assertThat(store.position("r")).contains(new HistoryStore.Position("epoch-2", 1));
  }

  @Test
  void concurrentAppends_shareTransactions_andLoseNothing() throws Exception {
    GatedDataSource gated = new GatedDataSource(dataSource());
    JdbcHistoryStore store = openGated(gated, b -> b.maxBatchSize(1_000));
    gated.shut(); // the writer's first connection waits, so the appends queue up behind it
    int threads = 8;
    int perThread = 250;
    List<List<CompletableFuture<Void>>> futures = new ArrayList<>();
    List<Thread> producers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      String roomId = "room-" + t;
      List<CompletableFuture<Void>> mine = new ArrayList<>();
      futures.add(mine);
      producers.add(
          new Thread(
              () ->
                  range(roomId, 1, perThread)
                      .forEach(e -> mine.add(store.append("e-" + roomId, e)))));
    }
    producers.forEach(Thread::start);
    for (Thread producer : producers) {
      producer.join();
    }
    gated.open();
    CompletableFuture.allOf(
            futures.stream().flatMap(List::stream).toArray(CompletableFuture[]::new))
        .get(30, TimeUnit.SECONDS);

    List<Long> expected = IntStream.rangeClosed(1, perThread).mapToObj(i -> (long) i).toList();
    for (int t = 0; t < threads; t++) {
      assertThat(offsets(store.eventsAfter("room-" + t, 0, 1_000)))
          .containsExactlyElementsOf(expected);
    }
    // 2,000 events: what the writer took before it blocked, then the rest in batches of 1,000.
    assertThat(store.commits()).isBetween(2L, 3L);
  }

  @Test
  void append_whenTheTableIsGone_failsTheFutures_andReadsThrow() throws Exception {
    JdbcHistoryStore store = open();
    appendAll(store, "e1", range("r", 1, 1));
    execute("DROP TABLE dialogue_events_v2");

    List<CompletableFuture<Void>> futures =
        List.of(store.append("e1", event("r", 2)), store.append("e1", event("r", 3)));

    for (CompletableFuture<Void> future : futures) {
      assertThatThrownBy(() -> future.get(30, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .cause()
          .isInstanceOf(DialogueException.class)
          .hasMessageContaining("room 'r'")
          .hasCauseInstanceOf(SQLException.class);
    }
    assertThatThrownBy(() -> store.eventsAfter("r", 0, 10))
        .isInstanceOf(DialogueException.class)
        .hasCauseInstanceOf(SQLException.class);
  }

  @Test
  void append_duplicateOffsetInABatch_failsOnlyThatEvent() throws Exception {
    GatedDataSource gated = new GatedDataSource(dataSource());
    JdbcHistoryStore store = openGated(gated, b -> b);
    gated.shut(); // the events after the first one the writer takes form one batch
    List<CompletableFuture<Void>> futures = new ArrayList<>();
    for (EventMessage e :
        List.of(event("r", 1), event("r", 2), event("r", 2, "duplicate"), event("r", 3))) {
      futures.add(store.append("e1", e));
    }
    gated.open();

    assertThat(futures.get(0)).succeedsWithin(30, TimeUnit.SECONDS);
    assertThat(futures.get(1)).succeedsWithin(30, TimeUnit.SECONDS);
    assertThat(futures.get(2)).failsWithin(30, TimeUnit.SECONDS);
    assertThat(futures.get(3)).succeedsWithin(30, TimeUnit.SECONDS);
    assertThat(store.eventsAfter("r", 0, 10))
        .extracting(EventMessage::offset, EventMessage::event)
        .containsExactly(tuple(1L, "message"), tuple(2L, "message"), tuple(3L, "message"));
  }

  @Test
  void append_whenTheQueueIsFull_failsAtOnce_andTheRestIsStored() throws Exception {
    GatedDataSource gated = new GatedDataSource(dataSource());
    JdbcHistoryStore store = openGated(gated, b -> b.queueCapacity(4).maxBatchSize(1));
    gated.shut();
    // The writer holds at most one event (batch size 1) and the queue four: the sixth cannot fit.
    List<CompletableFuture<Void>> futures = new ArrayList<>();
    for (EventMessage e : range("r", 1, 6)) {
      futures.add(store.append("e1", e));
    }
    List<CompletableFuture<Void>> rejected =
        futures.stream().filter(CompletableFuture::isCompletedExceptionally).toList();

    assertThat(rejected).isNotEmpty();
    assertThatThrownBy(() -> rejected.get(0).join())
        .cause()
        .isInstanceOf(DialogueException.class)
        .hasMessageContaining("queue is full");
    gated.open();
    futures.stream()
        .filter(f -> !rejected.contains(f))
        .forEach(f -> assertThat(f).succeedsWithin(30, TimeUnit.SECONDS));
    assertThat(store.eventsAfter("r", 0, 10)).hasSize(6 - rejected.size());
  }

  @Test
  void close_writesEverythingQueuedBeforeReturning() throws Exception {
    GatedDataSource gated = new GatedDataSource(dataSource());
    JdbcHistoryStore store = openGated(gated, b -> b);
    gated.shut();
    List<CompletableFuture<Void>> futures = new ArrayList<>();
    for (EventMessage e : range("r", 1, 100)) {
      futures.add(store.append("e1", e));
    }

    CompletableFuture<Void> closing = CompletableFuture.runAsync(store::close);
    gated.open();
    closing.get(30, TimeUnit.SECONDS);

    assertThat(futures).allSatisfy(f -> assertThat(f).isCompleted().isNotCompletedExceptionally());
    assertThat(open().eventsAfter("r", 0, 1_000)).hasSize(100);
  }

  @Test
  void append_afterClose_fails_andCloseIsIdempotent() {
    JdbcHistoryStore store = open();
    store.close();

    CompletableFuture<Void> late = store.append("e1", event("r", 1));

    assertThat(late).isCompletedExceptionally();
    assertThatThrownBy(late::join).cause().hasMessage("History store is closed");
    assertThat(store.deleteRoom("r")).isCompletedExceptionally();
    store.close();
  }

  @Test
  void append_withoutOffset_orWithOversizedKey_throwsAtOnce() {
    JdbcHistoryStore store = open();
    EventMessage noOffset =
        new EventMessage("message", "r", Json.object(), "alice", 1, null, "id", null, null);
    EventMessage longClientId = withClientId(event("r", 1), "alice", "x".repeat(513));

    assertThatThrownBy(() -> store.append("e1", noOffset))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("offset");
    assertThatThrownBy(() -> store.append("e1", event("r", HistorySchema.MAX_OFFSET + 1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("offset from 1 to 1099511627775 but had 1099511627776");
    assertThatThrownBy(() -> store.append("e1", longClientId))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("clientMessageId is longer than 512 characters: 513");
    assertThat(store.commits()).isZero();
  }
}
