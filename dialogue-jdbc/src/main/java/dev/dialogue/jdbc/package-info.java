/**
 * Durable history in a relational database through JDBC: {@link
 * dev.dialogue.jdbc.JdbcHistoryStore}, a {@link dev.dialogue.HistoryStore} tested on H2 and
 * PostgreSQL. The JDBC driver is the application's dependency.
 *
 * <pre>{@code
 * Dialogue dialogue = Dialogue.builder()
 *     .room(chat)
 *     .historyStore(JdbcHistoryStore.builder("jdbc:h2:file:./data/chat").build())
 *     .build()
 *     .start();
 * }</pre>
 */
package dev.dialogue.jdbc;
