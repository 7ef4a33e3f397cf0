// The Node.js peer of the Dialogue benchmark: a plain Socket.IO 4 server implementing the subset
// of the Dialogue protocol that the load generator speaks (join, leave, trigger -> event, acks),
// which is what a user would write instead of using Dialogue.
//
//   node --expose-gc server.js [--port N] [--jwt-secret S] [--recovery]
//
// --recovery turns on Socket.IO's connection state recovery (the recovery storm, scenario 5). It
// is off otherwise because it stores a copy of every broadcast for its replay.
//
// Prints "READY <port>" once listening. Standard input takes commands from the harness: "gc"
// answers "HEAP <bytes used after a full GC>"; end of input stops the server.
"use strict";

const http = require("node:http");
const crypto = require("node:crypto");
const readline = require("node:readline");
const { Server } = require("socket.io");

function option(name, fallback) {
  const i = process.argv.indexOf(name);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

const port = Number(option("--port", "3000"));
const secret = option("--jwt-secret", null);
const recovery = process.argv.includes("--recovery");

// HS256 check with the standard library, so the peer needs no JWT package: the signature over
// "header.payload" must match, and the header must say HS256.
function verifyHs256(token) {
  if (typeof token !== "string") return null;
  const parts = token.split(".");
  if (parts.length !== 3) return null;
  const expected = crypto.createHmac("sha256", secret).update(parts[0] + "." + parts[1]).digest();
  const given = Buffer.from(parts[2], "base64url");
  if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) return null;
  const header = JSON.parse(Buffer.from(parts[0], "base64url").toString("utf8"));
  if (header.alg !== "HS256") return null;
  const claims = JSON.parse(Buffer.from(parts[1], "base64url").toString("utf8"));
  return typeof claims.sub === "string" ? claims : null;
}

const httpServer = http.createServer();
const io = new Server(httpServer, {
  transports: ["websocket"],
  perMessageDeflate: false,
  serveClient: false,
  pingInterval: 25000,
  pingTimeout: 20000,
  // Library defaults, spelled out: sessions and their missed packets are kept for 2 minutes, and a
  // restored session skips the io.use() middlewares (its socket.data is restored with it).
  ...(recovery
    ? { connectionStateRecovery: { maxDisconnectionDuration: 2 * 60 * 1000, skipMiddlewares: true } }
    : {}),
});

let anonymous = 0;
let ids = 0;
// Rooms joined through dialogue:join, for dialogue:listRooms (the adapter also has one room per
// socket id).
const named = new Set();

io.use((socket, next) => {
  const auth = socket.handshake.auth || {};
  if (secret) {
    const claims = verifyHs256(auth.token);
    if (!claims) return next(new Error("Authentication failed"));
    socket.data.userId = claims.sub;
  } else {
    socket.data.userId = typeof auth.userId === "string" ? auth.userId : "anon-" + ++anonymous;
  }
  next();
});

function reply(socket, ack, event, result) {
  if (typeof ack === "function") ack(Object.assign({ ok: true }, result));
  else socket.emit(event, result);
}

function fail(socket, ack, code, message) {
  if (typeof ack === "function") ack({ ok: false, error: { code, message } });
  else socket.emit("dialogue:error", { code, message });
}

io.on("connection", (socket) => {
  socket.emit("dialogue:connected", { clientId: socket.id, userId: socket.data.userId });

  socket.on("dialogue:join", (req, ack) => {
    const roomId = req && req.roomId;
    if (typeof roomId !== "string") return fail(socket, ack, "INVALID_REQUEST", "roomId is required");
    socket.join(roomId);
    named.add(roomId);
    reply(socket, ack, "dialogue:joined", { roomId, roomName: roomId });
  });

  socket.on("dialogue:leave", (req, ack) => {
    const roomId = req && req.roomId;
    if (typeof roomId !== "string") return fail(socket, ack, "INVALID_REQUEST", "roomId is required");
    const was = socket.rooms.has(roomId);
    socket.leave(roomId);
    if (was || typeof ack === "function") reply(socket, ack, "dialogue:left", { roomId });
  });

  // The recovery storm asks for the room's size to know when the server has noticed the cut.
  socket.on("dialogue:listRooms", (_req, ack) => {
    const rooms = [...named].map((id) => ({ id, name: id, size: io.of("/").adapter.rooms.get(id)?.size ?? 0 }));
    reply(socket, ack, "dialogue:rooms", { rooms });
  });

  socket.on("dialogue:trigger", (req, ack) => {
    if (!req || typeof req.roomId !== "string" || typeof req.event !== "string") {
      return fail(socket, ack, "INVALID_REQUEST", "roomId and event are required");
    }
    if (!socket.rooms.has(req.roomId)) {
      return fail(socket, ack, "NOT_IN_ROOM", "Join room '" + req.roomId + "' first");
    }
    const envelope = {
      event: req.event,
      roomId: req.roomId,
      data: req.data,
      from: socket.data.userId,
      timestamp: Date.now(),
      id: "n" + ++ids,
    };
    io.to(req.roomId).emit("dialogue:event", envelope);
    if (typeof ack === "function") ack({ ok: true, id: envelope.id, timestamp: envelope.timestamp });
  });
});

httpServer.listen(port, "127.0.0.1", () => {
  process.stdout.write("READY " + httpServer.address().port + "\n");
});

const commands = readline.createInterface({ input: process.stdin });
commands.on("line", (line) => {
  if (line.trim() === "gc") {
    if (global.gc) {
      global.gc();
      global.gc();
    }
    process.stdout.write("HEAP " + process.memoryUsage().heapUsed + "\n");
  }
});
// The harness closes standard input to stop the server; the process also ends if it dies.
commands.on("close", () => process.exit(0));
