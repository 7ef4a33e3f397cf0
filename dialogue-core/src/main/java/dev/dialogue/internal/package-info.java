/**
 * The engine behind {@link dev.dialogue.Dialogue}: rooms and connections ({@link
 * dev.dialogue.internal.Hub}), membership and the join algorithm, the publish path ({@link
 * dev.dialogue.internal.Publisher}), history and idempotency, the client's requests and their
 * answers. Not API: public only so that the transport package and the public package can reach it;
 * it may change in any release.
 *
 * <p>Nothing here imports Netty or netty-socketio: the engine writes to a connection through {@link
 * dev.dialogue.internal.Session}, in its own terms, and the transport ({@link
 * dev.dialogue.internal.socketio}) implements it. See {@code docs/architecture.md}.
 */
package dev.dialogue.internal;
