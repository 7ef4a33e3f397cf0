/**
 * Test support shared by this repository's own tests, like OkHttp's testing-support: the pieces a
 * test of the server, the Java client, the browser client or an example needs, each written once.
 *
 * <ul>
 *   <li>Clients that speak the wire protocol by hand: {@link dev.dialogue.testing.RawClient}
 *       (Socket.IO v4 through socket.io-client-java, recording every event), {@link
 *       dev.dialogue.testing.RawWebSocket} (Engine.IO frames over a plain WebSocket) and {@link
 *       dev.dialogue.testing.RawPolling} (an Engine.IO long-polling session).
 *   <li>Other clients, in their own runtimes: {@link dev.dialogue.testing.NodeClients} (the
 *       official Node.js {@code socket.io-client}) and {@link dev.dialogue.testing.Browser}
 *       (headless Chromium loading {@code dialogue.js}).
 *   <li>Waiting without sleeping: {@link dev.dialogue.testing.CallbackRecorder} (what a callback
 *       delivered, read with a timeout) and {@link dev.dialogue.testing.Await} (state with no
 *       signal).
 *   <li>Faults and time: {@link dev.dialogue.testing.FaultProxy} (a TCP proxy a test cuts, holds or
 *       refuses), {@link dev.dialogue.testing.MutableClock}.
 *   <li>A real database: {@link dev.dialogue.testing.TestPostgres}.
 * </ul>
 *
 * <pre>{@code
 * try (Dialogue server = builder.host("127.0.0.1").port(0).build().start();
 *     RawClient alice = RawClient.connectAs(server.port(), "alice");
 *     RawClient bob = RawClient.connectAs(server.port(), "bob")) {
 *   alice.join("chat");
 *   bob.join("chat");
 *   alice.trigger("chat", "message", Map.of("text", "hi"));
 *   assertThat(bob.take("dialogue:event").data().path("data").path("text").asText())
 *       .isEqualTo("hi");
 * }
 * }</pre>
 *
 * <p>The module never depends on {@code dialogue-core} (core's tests use it); {@code
 * dialogue-test}, the test kit for applications, builds on it. Selenium is an optional dependency:
 * a module whose tests start a {@link dev.dialogue.testing.Browser} declares {@code selenium-java}
 * itself.
 */
package dev.dialogue.testing;
