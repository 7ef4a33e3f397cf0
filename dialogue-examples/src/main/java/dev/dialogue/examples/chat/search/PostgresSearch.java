package dev.dialogue.examples.chat.search;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import javax.sql.DataSource;

/**
 * The PostgreSQL index: a {@code tsvector} of the folded text (configuration {@code simple}: no
 * stemming, so names and code words match as written) under a GIN index, queried with every word
 * and a prefix match on the last; best rank first, then newest.
 */
final class PostgresSearch extends JdbcSearch {
  PostgresSearch(DataSource dataSource) {
    super(dataSource);
    update(
        "create table if not exists chat_search (message_id varchar(64) primary key,"
            + " room_id varchar(64) not null, thread_id varchar(64), user_id varchar(40) not null,"
            + " body varchar(4000) not null, pos bigint not null, created_at bigint not null,"
            + " doc tsvector not null)");
    update("create index if not exists chat_search_doc on chat_search using gin (doc)");
    update("create index if not exists chat_search_room on chat_search (room_id, created_at)");
  }

  @Override
  public void index(SearchDoc doc) {
    update(
        "insert into chat_search (message_id, room_id, thread_id, user_id, body, pos, created_at,"
            + " doc) values (?, ?, ?, ?, ?, ?, ?, to_tsvector('simple', ?))"
            + " on conflict (message_id) do update set body = excluded.body, doc = excluded.doc",
        doc.messageId(),
        doc.roomId(),
        doc.threadId(),
        doc.userId(),
        doc.text(),
        doc.offset(),
        doc.createdAt(),
        String.join(" ", SearchText.words(doc.text())));
  }

  @Override
  public void remove(String messageId) {
    update("delete from chat_search where message_id = ?", messageId);
  }

  @Override
  List<SearchHit> find(List<String> rooms, List<String> words, int limit) {
    // The words are letters and digits only (SearchText), so they cannot carry tsquery operators.
    String tsquery =
        words.stream().map(w -> "'" + w + "'").collect(Collectors.joining(" & ")) + ":*";
    List<Object> args = new ArrayList<>();
    args.add(tsquery);
    args.addAll(rooms);
    args.add(limit);
    String sql =
        "select message_id, room_id, thread_id, user_id, body, pos, created_at"
            + " from chat_search s, to_tsquery('simple', ?) q where s.room_id in ("
            + "?, ".repeat(rooms.size() - 1)
            + "?) and s.doc @@ q order by ts_rank(s.doc, q) desc, s.created_at desc, s.pos desc"
            + " limit ?";
    return hits(sql, words, args);
  }
}
