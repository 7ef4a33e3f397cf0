// Drives the official Node.js socket.io-client for NodeInteropTest.
//
// Commands arrive on stdin, one JSON object per line:
//   {"cmd":"connect","client":"a","url":"http://127.0.0.1:PORT","auth":{...},"transports":["websocket"]}
//   {"cmd":"emit","client":"a","event":"dialogue:join","args":[{...}],"seq":7}   (seq present: with an ack;
//     "timeoutMs" sets the client's ack timeout, 10 s by default)
//   {"cmd":"transport","client":"a"}
//   {"cmd":"close","client":"a"}
// Everything observed goes to stdout, one JSON object per line, with a "type":
//   ready, open (the engine's first transport), connect, connect_error, disconnect, upgrade, event,
//   ack, transport, fatal.
// When stdin closes, every socket is closed and the process exits.

import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { io } from "socket.io-client";

const ACK_TIMEOUT_MS = 10_000;
const sockets = new Map();

function out(message) {
  process.stdout.write(JSON.stringify(message) + "\n");
}

function connect({ client, url, auth, transports }) {
  const options = { forceNew: true, reconnection: false, timeout: ACK_TIMEOUT_MS };
  if (auth !== undefined && auth !== null) {
    options.auth = auth;
  }
  if (transports) {
    options.transports = transports;
  }
  const socket = io(url, options);
  sockets.set(client, socket);
  socket.io.on("open", () => {
    out({ type: "open", client, transport: socket.io.engine.transport.name });
    socket.io.engine.on("upgrade", (transport) => out({ type: "upgrade", client, transport: transport.name }));
  });
  socket.on("connect", () =>
    out({ type: "connect", client, id: socket.id, transport: socket.io.engine.transport.name }));
  socket.on("connect_error", (err) =>
    out({ type: "connect_error", client, message: err.message, data: err.data ?? null }));
  socket.on("disconnect", (reason) => out({ type: "disconnect", client, reason }));
  socket.onAny((name, ...args) => out({ type: "event", client, name, data: args.length > 0 ? args[0] : null }));
}

function emit({ client, event, args = [], seq, timeoutMs }) {
  const socket = sockets.get(client);
  if (seq === undefined || seq === null) {
    socket.emit(event, ...args);
    return;
  }
  socket.timeout(timeoutMs ?? ACK_TIMEOUT_MS).emit(event, ...args, (err, response) => {
    if (err) {
      out({ type: "ack", client, seq, timeout: true });
    } else {
      out({ type: "ack", client, seq, data: response ?? null });
    }
  });
}

const commands = {
  connect,
  emit,
  transport: ({ client }) => {
    const socket = sockets.get(client);
    out({ type: "transport", client, transport: socket.io.engine ? socket.io.engine.transport.name : null });
  },
  close: ({ client }) => {
    sockets.get(client)?.close();
    sockets.delete(client);
  },
};

const lines = createInterface({ input: process.stdin });
lines.on("line", (line) => {
  if (line.trim() === "") {
    return;
  }
  try {
    const command = JSON.parse(line);
    commands[command.cmd](command);
  } catch (e) {
    out({ type: "fatal", message: String(e && e.stack ? e.stack : e), line });
  }
});
lines.on("close", () => {
  for (const socket of sockets.values()) {
    socket.close();
  }
  process.exit(0);
});

const pkg = JSON.parse(readFileSync(new URL("./node_modules/socket.io-client/package.json", import.meta.url), "utf8"));
out({ type: "ready", node: process.version, socketIoClient: pkg.version });
