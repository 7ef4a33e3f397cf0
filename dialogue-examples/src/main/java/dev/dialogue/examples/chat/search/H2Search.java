package dev.dialogue.examples.chat.search;

import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * The H2 index: the message and its words in two plain tables ({@code chat_search}, {@code
 * chat_search_word}), every query word matched exactly except the last, matched as a prefix (so
 * "deplo" finds "deploy" while typing); newest first.
 */
final class H2Search extends JdbcSearch {
  H2Search(DataSource dataSource) {
    super(dataSource);
    update(
        "create table if not exists chat_search (message_id varchar(64) primary key,"
            + " room_id varchar(64) not null, thread_id varchar(64), user_id varchar(40) not null,"
            + " body varchar(4000) not null, pos bigint not null, created_at bigint not null)");
    update("create index if not exists chat_search_room on chat_search (room_id, created_at)");
    update(
        "create table if not exists chat_search_word (word varchar(64) not null,"
            + " message_id varchar(64) not null, primary key (word, message_id))");
    update("create index if not exists chat_search_word_message on chat_search_word (message_id)");
  }

  @Override
  public void index(SearchDoc doc) {
    transaction(
        tx -> {
          tx.update("delete from chat_search_word where message_id = ?", doc.messageId());
          tx.update("delete from chat_search where message_id = ?", doc.messageId());
          tx.update(
              "insert into chat_search (message_id, room_id, thread_id, user_id, body, pos,"
                  + " created_at) values (?, ?, ?, ?, ?, ?, ?)",
              doc.messageId(),
              doc.roomId(),
              doc.threadId(),
              doc.userId(),
              doc.text(),
              doc.offset(),
              doc.createdAt());
          for (String word : SearchText.words(doc.text())) {
            tx.update(
                "insert into chat_search_word (word, message_id) values (?, ?)",
                word,
                doc.messageId());
          }
        });
  }

  @Override
  public void remove(String messageId) {
    transaction(
        tx -> {
          tx.update("delete from chat_search_word where message_id = ?", messageId);
          tx.update("delete from chat_search where message_id = ?", messageId);
        });
  }

  @Override
  List<SearchHit> find(List<String> rooms, List<String> words, int limit) {
    StringBuilder sql =
        new StringBuilder(
            "select message_id, room_id, thread_id, user_id, body, pos, created_at"
                + " from chat_search s where s.room_id in (");
    List<Object> args = new ArrayList<>(rooms);
    sql.append("?, ".repeat(rooms.size() - 1)).append("?)");
    for (int i = 0; i < words.size(); i++) {
      boolean last = i == words.size() - 1;
      sql.append(
          " and exists (select 1 from chat_search_word w where w.message_id = s.message_id and w.word ");
      if (last) {
        sql.append("like ? escape '!')");
        args.add(escapeLike(words.get(i)) + "%");
      } else {
        sql.append("= ?)");
        args.add(words.get(i));
      }
    }
    sql.append(" order by s.created_at desc, s.pos desc limit ?");
    args.add(limit);
    return hits(sql.toString(), words, args);
  }

  private static String escapeLike(String word) {
    return word.replace("!", "!!").replace("%", "!%").replace("_", "!_");
  }
}
