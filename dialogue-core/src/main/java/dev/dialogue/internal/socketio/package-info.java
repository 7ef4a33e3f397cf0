/**
 * The Socket.IO transport: netty-socketio's server and its Netty pipeline, the gate that admits
 * connections and parses their packets, and the sessions and frames that write to them. The only
 * package of the library that imports Netty or netty-socketio. Not API; it may change in any
 * release.
 */
package dev.dialogue.internal.socketio;
