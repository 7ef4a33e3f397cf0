/*
 * Dialogue browser client: no dependencies, Engine.IO v4 / Socket.IO v5 over a native WebSocket.
 * Served by the Dialogue server (by default at /dialogue.js); defines window.Dialogue.
 *
 *   const client = Dialogue.connect('https://chat.example.com', { auth: () => ({ token }) });
 *   await client.connect();
 *   const chat = await client.join('chat');
 *   chat.on('message', (data, event) => show(event.from, data.text));
 *   const { clientMessageId, result } = chat.trigger('message', { text: 'hi' });
 *
 * A trigger keeps its clientMessageId and is sent again (after a reconnect, a request timeout, a
 * refusal the server asks to retry) until the server confirms it; it fails only with a code and a
 * fate: 'refused' (not published), 'not-sent' (never left the page) or 'unknown' (sent, never
 * confirmed). Rooms are kept, and re-joined after every reconnect, until the app leaves them.
 */
(function (root) {
'use strict';

const DEFAULTS = {
  path: '/socket.io',
  namespace: '/',
  requestTimeout: 10000,
  connectTimeout: 20000,
  reconnect: { initial: 500, max: 5000, jitter: 0.5 },
  offlineQueueSize: 1000,
  triggerDeadline: 240000,
  maxTriggersInFlight: 256,
};
/** What is known of a failed request: refused by the server, never sent, or sent and unanswered. */
const FATE = Object.freeze({ REFUSED: 'refused', NOT_SENT: 'not-sent', UNKNOWN: 'unknown' });
/** Codes for which the server did not publish and asks the client to try again. */
const RETRYABLE = new Set(['INTERNAL_ERROR', 'RATE_LIMITED']);
/** Refusals the server decides before it looks at the clientMessageId (see Outbox.java). */
const BEFORE_IDEMPOTENCY = new Set(['ROOM_NOT_FOUND', 'NOT_IN_ROOM']);
/** The connection is going or gone: what waited on it is asked again on the next one. */
const CONNECTION_GONE = new Set(['NOT_CONNECTED', 'DISCONNECTED', 'CLOSED']);
/** Events a room keeps for handlers not registered yet (see Room._deliver). */
const MAX_KEPT = 1000;
const SCRIPT_ORIGIN = (() => {
  try {
    return new URL(document.currentScript.src).origin;
  } catch (e) {
    return undefined;
  }
})();

class DialogueError extends Error {
  constructor(code, message, fate = FATE.REFUSED, data = undefined) {
    super(message);
    this.name = 'DialogueError';
    this.code = code;
    this.fate = fate;
    this.data = data;
  }
}

function newId() {
  const b = new Uint8Array(16);
  crypto.getRandomValues(b);
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function safely(what, fn, ...args) {
  try {
    fn(...args);
  } catch (e) {
    console.error(`Dialogue: ${what} callback failed`, e);
  }
}

/** A set of callbacks; add() returns the function that removes the callback again. */
function listeners() {
  const set = new Set();
  return {
    add(fn) {
      if (typeof fn !== 'function') throw new TypeError('handler must be a function');
      set.add(fn);
      return () => set.delete(fn);
    },
    fire(what, ...args) {
      for (const fn of [...set]) safely(what, fn, ...args);
    },
    get size() {
      return set.size;
    },
  };
}

class Room {
  constructor(client, id, name) {
    this._client = client;
    this.id = id;
    this.name = name;
    this.epoch = undefined;
    this.lastOffset = -1;
    this._handlers = new Map();
    this._any = listeners();
    this._subscribed = new Set();
    this._unsubscribed = new Set();
    this._restoring = false; // re-joining, or joining: subscriptions go with the join
    this._removedListeners = listeners();
    this._rejoinedListeners = listeners();
    this._presenceListeners = listeners();
    this._kept = []; // events no handler took yet, oldest first, at most MAX_KEPT
    this._claimed = new Set(); // names that have had a handler: their events are not kept
    this._anyClaimed = false;
    this._dropping = false;
    this._wake = undefined; // ends the wait before a re-join retry
  }

  /** Whether the client keeps the room (also while reconnecting): until leave() or a removal. */
  get joined() {
    return this._client._rooms.get(this.id) === this;
  }

  /** Called with a DialogueError when the room is removed without leave(): a refused re-join, a deletion. */
  onRemoved(handler) {
    return this._removedListeners.add(handler);
  }

  /**
   * Called after each re-join that follows a reconnect, once the missed events were delivered, with
   * {recovered, missed}: recovered true means every event published while away was delivered
   * (missed of them); false means some may be lost (the room's epoch changed, the client was too
   * far behind, or the room keeps no offsets): reload what the page shows of the room.
   */
  onRejoined(handler) {
    return this._rejoinedListeners.add(handler);
  }

  /**
   * Publishes at once, or queues while (re)connecting. options.clientMessageId sends it under the
   * caller's id, e.g. again as the same message after its fate was unknown (the server publishes an
   * id once; a repeat resolves with duplicate: true). Returns {clientMessageId, result, cancel}:
   * result resolves with {id, offset, timestamp, duplicate?} once the server confirmed it; cancel()
   * stops sending it and returns false if its fate was known already.
   */
  trigger(event, data, meta, options) {
    if (typeof event !== 'string' || !event) throw new TypeError('event must be a non-empty string');
    const chosen = options && options.clientMessageId;
    if (chosen !== undefined && (typeof chosen !== 'string' || !chosen || chosen.length > 256)) {
      throw new TypeError('clientMessageId must be a string of 1 to 256 characters');
    }
    return this._client._trigger(this.id, event, data, meta, chosen);
  }

  /** Calls handler(data, event) for each event of that name; subscribes on the server. */
  on(event, handler) {
    if (typeof event !== 'string' || !event) throw new TypeError('event must be a non-empty string');
    let set = this._handlers.get(event);
    if (!set) this._handlers.set(event, (set = listeners()));
    const off = set.add(handler);
    this._claimed.add(event);
    this._claim((m) => m.event === event, (m) => safely('room handler', handler, m.data, m));
    if (!this._subscribed.has(event)) this.subscribe(event).catch((e) => this._client._error(e));
    let active = true;
    return () => {
      if (!active) return;
      active = false;
      off();
      if (set.size === 0 && this._handlers.get(event) === set) {
        this._handlers.delete(event);
        this.unsubscribe(event).catch((e) => this._client._error(e));
      }
    };
  }

  /** Calls handler(event) for every event this connection receives in the room. */
  onAny(handler) {
    const off = this._any.add(handler);
    this._anyClaimed = true;
    this._claim(() => true, (m) => safely('room onAny', handler, m));
    return off;
  }

  /**
   * Hands the kept events that match to a new handler, in order, right after the code that
   * registered it (a microtask: before any later event, which comes in a task of its own).
   */
  _claim(matches, deliver) {
    const mine = this._kept.filter(matches);
    if (!mine.length) return;
    this._kept = this._kept.filter((m) => !matches(m));
    if (!this._kept.length) this._dropping = false;
    queueMicrotask(() => mine.forEach(deliver));
  }

  subscribe(event) {
    this._subscribed.add(event);
    this._unsubscribed.delete(event);
    return this._client._subscription(this, event, true);
  }

  subscribeAll() {
    return this.subscribe('*');
  }

  unsubscribe(event) {
    this._subscribed.delete(event);
    this._unsubscribed.add(event);
    return this._client._subscription(this, event, false);
  }

  /** A page of history for one event name, newest first; end is exclusive. */
  getHistory(event, start = 0, end = 50) {
    if (!(start >= 0 && end >= start)) return Promise.reject(new RangeError(`need 0 <= start <= end, got ${start}, ${end}`));
    return this._client._request('dialogue:getHistory', { roomId: this.id, eventName: event, start, end });
  }

  /**
   * Calls handler(joins, leaves) when the set of users present changes (rooms with presence on):
   * arrays of user ids; a user with several connections counts once. Returns the unsubscribe.
   */
  onPresence(handler) {
    return this._presenceListeners.add(handler);
  }

  /** The users present now: resolves with [{userId, connections}] (rooms with presence on). */
  presence() {
    return this._client._request('dialogue:getPresence', { roomId: this.id }).then((r) => r.users);
  }

  /** Sends this room's command; resolves with the handler's result (see Client.request). */
  request(command, data) {
    return this._client._command(command, this.id, data);
  }

  leave() {
    return this._client._leave(this);
  }

  /**
   * Delivers an envelope unless its offset was seen already. One no handler takes is kept for the
   * first handler of its name (or onAny), unless its name has had one; past MAX_KEPT the oldest
   * are dropped, reported once through onError (EVENTS_DROPPED).
   */
  _deliver(message) {
    if (typeof message.offset === 'number') {
      if (message.offset <= this.lastOffset) return;
      this.lastOffset = message.offset;
    }
    const set = this._handlers.get(message.event);
    if (!(set && set.size) && !this._any.size && !this._anyClaimed && !this._claimed.has(message.event)) {
      if (this._kept.length >= MAX_KEPT) {
        const dropped = this._kept.shift();
        if (!this._dropping) this._client._dropped(this, dropped);
        this._dropping = true;
      }
      this._kept.push(message);
      return;
    }
    if (set) set.fire('room handler', message.data, message);
    this._any.fire('room onAny', message);
  }

  /** Applies a join result; within one epoch the position only moves forward. */
  _joined(result) {
    this.name = result.roomName || this.name;
    const offset = typeof result.offset === 'number' ? result.offset : 0;
    const same = result.epoch !== undefined && result.epoch === this.epoch;
    this.lastOffset = same ? Math.max(this.lastOffset, offset) : offset;
    this.epoch = result.epoch;
  }
}

class Client {
  constructor(url, options = {}) {
    this.url = url || SCRIPT_ORIGIN || location.origin;
    this._opts = { ...DEFAULTS, ...options, reconnect: options.reconnect === false ? false : { ...DEFAULTS.reconnect, ...(options.reconnect || {}) } };
    this.state = 'disconnected';
    this.userId = undefined;
    this.clientId = undefined;
    this._rooms = new Map(); // kept until left: re-joined after every reconnect
    this._joining = new Map(); // joins on their way: {room, promise}; the room exists before the answer
    this._pending = new Map(); // requests waiting for their ack, by ack id
    this._triggers = new Map(); // triggers whose fate is not known, by clientMessageId
    this._queue = []; // triggers waiting to be sent, in order
    this._inFlight = new Map(); // sent and not answered, in send order
    this._ackId = 0;
    this._gen = 0;
    this._attempt = 0;
    this._ready = false; // connected, rooms re-joined: triggers are sent
    this._closed = false;
    this._ws = null;
    this._timers = {};
    this._sleeps = new Set();
    this._connectWaiters = [];
    this._on = {};
    for (const k of ['connect', 'disconnect', 'error', 'roomCreated', 'roomDeleted', 'history', 'stateChange', 'joined', 'left']) this._on[k] = listeners();
    this._unknown = new Set(); // rooms whose events were dropped, logged once each
    this._leaving = new Set(); // rooms being left: their last events may still arrive
    this._custom = new Map();
  }

  // ---- public API ----

  /** Resolves once the server identified this connection and rooms are re-joined; rejects CONNECT_REFUSED, TIMEOUT, DISCONNECTED or CLOSED. */
  connect() {
    if (this._closed) return Promise.reject(new DialogueError('CLOSED', 'connect: the client is closed', FATE.NOT_SENT));
    if (this._ready) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const waiter = { resolve, reject };
      waiter.timer = setTimeout(() => this._settleConnect(waiter, new DialogueError('TIMEOUT', `not connected within ${this._opts.connectTimeout} ms`, FATE.UNKNOWN)), this._opts.connectTimeout);
      this._connectWaiters.push(waiter);
      if (this.state === 'disconnected') {
        this._attempt = 0;
        this._setState('connecting', 'connect requested');
        this._open();
      }
    });
  }

  /**
   * Closes the connection and forgets the joined rooms. Requests and triggers not answered yet fail
   * with DISCONNECTED (fate 'not-sent' for triggers still queued, 'unknown' for sent ones); triggers
   * made until the next connect() fail with NOT_CONNECTED.
   */
  disconnect() {
    if (this._closed) return;
    this._resumeToken = undefined; // the server ends a disconnected connection at once
    this._endSocket();
    const wasConnected = this.state === 'connected';
    this._lost('io client disconnect', false);
    if (!wasConnected) this._setState('disconnected', 'io client disconnect');
    this._settleConnect(null, new DialogueError('DISCONNECTED', 'disconnect() was called', FATE.UNKNOWN));
  }

  /**
   * Disconnects for good: every request and trigger not answered yet fails with CLOSED, and so does
   * every later call. Idempotent.
   */
  close() {
    if (this._closed) return;
    this._closed = true;
    this._endSocket();
    const wasConnected = this.state === 'connected';
    this._ready = false;
    this._failRequests('CLOSED', 'the client was closed');
    this._failTriggers('CLOSED', 'the client was closed');
    this._setState('disconnected', 'closed');
    if (wasConnected) this._on.disconnect.fire('onDisconnect', 'io client disconnect');
    this._settleConnect(null, new DialogueError('CLOSED', 'the client was closed', FATE.UNKNOWN));
  }

  /** Forgets the rooms and timers and ends the socket, telling the server first when it is open. */
  _endSocket() {
    this._gen++;
    this._rooms.clear();
    this._clearTimers();
    const ws = this._ws;
    this._ws = null;
    if (ws) {
      if (ws.readyState === WebSocket.OPEN) ws.send('41' + this._nsp());
      ws.close();
    }
  }

  /**
   * Joins a room (or returns the one kept); from then on the client keeps it until room.leave().
   * setup(room), if given, runs before the join is sent: handlers registered there see every event
   * after the join answer, and their names are subscribed with the join itself.
   */
  join(roomId, setup) {
    if (setup !== undefined && typeof setup !== 'function') throw new TypeError('setup must be a function');
    const existing = this._rooms.get(roomId) || (this._joining.get(roomId) || {}).room;
    if (existing) {
      if (setup) setup(existing);
      return this._rooms.get(roomId) === existing ? Promise.resolve(existing) : this._joining.get(roomId).promise;
    }
    const room = new Room(this, roomId, roomId);
    room._restoring = true;
    const join = { room };
    this._joining.set(roomId, join);
    try {
      if (setup) setup(room);
    } catch (e) {
      this._joining.delete(roomId);
      throw e;
    }
    const request = { roomId };
    const unsubscribe = [...room._unsubscribed];
    const subscribe = [...room._subscribed];
    if (unsubscribe.length) request.unsubscribe = unsubscribe;
    if (subscribe.length) request.subscribe = subscribe;
    join.promise = this._request('dialogue:join', request).then(
      (result) => {
        room._restoring = false;
        if (this._joining.get(roomId) !== join) {
          // left (or disconnect()) while the join was on its way: take it back on the server
          if (this.state === 'connected') this._request('dialogue:leave', { roomId }).catch(() => {});
          return room;
        }
        this._joining.delete(roomId);
        this._rooms.set(roomId, room);
        room._joined(result);
        if (result.history) this._on.history.fire('onHistory', roomId, result.history);
        // again as requests, as after a re-join: for servers without subscriptions in the join,
        // and for those made after the request was built
        this._restoreSubscriptions(room, this._ws);
        return room;
      },
      (e) => {
        if (this._joining.get(roomId) === join) this._joining.delete(roomId);
        throw e;
      }
    );
    return join.promise;
  }

  /** A room the client keeps, or undefined. */
  room(roomId) {
    return this._rooms.get(roomId);
  }

  listRooms() {
    return this._request('dialogue:listRooms').then((r) => r.rooms);
  }

  createRoom({ id, name, description, maxSize } = {}) {
    return this._request('dialogue:createRoom', { id, name, description, maxSize }).then(strip);
  }

  deleteRoom(roomId) {
    return this._request('dialogue:deleteRoom', { roomId }).then(() => {
      this._rooms.delete(roomId);
    });
  }

  onConnect(fn) { return this._on.connect.add(fn); }
  onDisconnect(fn) { return this._on.disconnect.add(fn); }
  onError(fn) { return this._on.error.add(fn); }
  onRoomCreated(fn) { return this._on.roomCreated.add(fn); }
  onRoomDeleted(fn) { return this._on.roomDeleted.add(fn); }
  onHistory(fn) { return this._on.history.add(fn); }
  onStateChange(fn) { return this._on.stateChange.add(fn); }
  /** A room server code joined this connection to: kept from now on; before any of its events. */
  onJoined(fn) { return this._on.joined.add(fn); }
  /** A kept room server code took this connection out of (after room.onRemoved, NOT_IN_ROOM). */
  onLeft(fn) { return this._on.left.add(fn); }

  /** Events the server sends to this connection alone: fn(data, {event, data}). */
  on(event, fn) {
    if (!this._custom.has(event)) this._custom.set(event, listeners());
    return this._custom.get(event).add(fn);
  }

  /**
   * Sends a global command; resolves with the handler's result (undefined when it returned none),
   * rejects with a DialogueError: the server's or the application's code, message and data (fate
   * 'refused'), TIMEOUT or DISCONNECTED (fate 'unknown': the handler may have run), NOT_CONNECTED
   * or CLOSED (fate 'not-sent'). Unlike a trigger it is never sent again after a reconnect.
   */
  request(command, data) {
    return this._command(command, undefined, data);
  }

  /** Triggers whose fate is not known yet: queued, in flight, or waiting to be sent again. */
  get pendingTriggers() {
    return this._triggers.size;
  }

  // ---- requests ----

  /** dialogue:request {command, roomId?, data}: answered once, never repeated. */
  _command(command, roomId, data) {
    if (typeof command !== 'string' || command === '') return Promise.reject(new TypeError('command must be a non-empty string'));
    const body = { command };
    if (roomId !== undefined) body.roomId = roomId;
    if (data !== undefined) body.data = data;
    return this._request('dialogue:request', body).then((answer) => answer.result);
  }

  /** Sends a request on the current connection; never waits for a later one. */
  _request(event, payload) {
    if (this._closed) return Promise.reject(new DialogueError('CLOSED', `${event}: the client is closed`, FATE.NOT_SENT));
    const ws = this._ws;
    if (this.state !== 'connected' || !ws) return Promise.reject(new DialogueError('NOT_CONNECTED', `${event}: not connected`, FATE.NOT_SENT));
    return new Promise((resolve, reject) => {
      const id = this._ackId++;
      const timer = setTimeout(() => {
        this._pending.delete(id);
        reject(new DialogueError('TIMEOUT', `${event}: no answer within ${this._opts.requestTimeout} ms`, FATE.UNKNOWN));
      }, this._opts.requestTimeout);
      this._pending.set(id, { resolve, reject, timer, event });
      const args = payload === undefined ? [event] : [event, payload];
      ws.send('42' + this._nsp() + id + JSON.stringify(args));
    });
  }

  _onAck(id, args) {
    const p = this._pending.get(id);
    if (!p) return;
    this._pending.delete(id);
    clearTimeout(p.timer);
    const body = args[0];
    if (body && body.ok === true) p.resolve(strip(body));
    else if (body && body.ok === false && body.error) p.reject(new DialogueError(body.error.code, body.error.message, FATE.REFUSED, body.error.data));
    else p.reject(new DialogueError('INVALID_RESPONSE', `${p.event}: unexpected answer ${JSON.stringify(body)}`, FATE.UNKNOWN));
  }

  _failRequests(code, reason) {
    for (const [id, p] of this._pending) {
      clearTimeout(p.timer);
      this._pending.delete(id);
      p.reject(new DialogueError(code, `${p.event}: ${reason}`, FATE.UNKNOWN));
    }
  }

  // ---- triggers, from the moment they are made until their fate is known ----

  _trigger(roomId, event, data, meta, chosenId) {
    const clientMessageId = chosenId || newId();
    if (this._triggers.has(clientMessageId)) throw new Error(`a trigger with clientMessageId '${clientMessageId}' is still in flight`);
    const entry = { roomId, event, data, meta, clientMessageId, sent: false, done: false, attempt: 0, retries: 0 };
    const result = new Promise((resolve, reject) => {
      entry.resolve = resolve;
      entry.reject = reject;
    });
    const handle = { clientMessageId, result, cancel: () => this._abandon(entry, 'CANCELLED', 'cancelled by the application') };
    if (this._closed) {
      this._fail(entry, 'CLOSED', 'trigger: the client is closed');
    } else if (this.state === 'disconnected') {
      this._fail(entry, 'NOT_CONNECTED', 'trigger: the client is not connected and not reconnecting');
    } else if (this._queue.length >= this._opts.offlineQueueSize) {
      this._fail(entry, 'OFFLINE_QUEUE_FULL', `the offline queue is full (${this._queue.length} triggers waiting)`);
    } else {
      this._triggers.set(clientMessageId, entry);
      const deadline = this._opts.triggerDeadline;
      entry.deadline = setTimeout(() => this._abandon(entry, 'DEADLINE_EXCEEDED', `not confirmed within the trigger deadline (${deadline} ms)`), deadline);
      this._queue.push(entry);
      this._pump();
    }
    return handle;
  }

  /** Sends from the head of the queue while the connection is ready and the window has room. */
  _pump() {
    while (this._ready && this._queue.length > 0 && this._inFlight.size < this._opts.maxTriggersInFlight) {
      const entry = this._queue.shift();
      if (entry.done) continue;
      entry.sent = true;
      this._inFlight.set(entry.clientMessageId, entry);
      this._transmit(entry);
    }
  }

  _transmit(entry) {
    const attempt = ++entry.attempt;
    const { roomId, event, data, meta, clientMessageId } = entry;
    this._request('dialogue:trigger', { roomId, event, data, meta, clientMessageId }).then(
      (published) => this._answered(entry, attempt, published),
      (error) => this._answered(entry, attempt, undefined, error)
    );
  }

  _answered(entry, attempt, published, error) {
    const id = entry.clientMessageId;
    if (this._inFlight.get(id) !== entry) return; // requeued, cancelled or expired meanwhile
    if (!error) {
      // Any attempt's confirmation will do: the first to arrive is the publication itself, later
      // ones answer duplicate: true.
      this._inFlight.delete(id);
      this._settle(entry, published);
      this._pump();
      return;
    }
    if (entry.attempt !== attempt) return; // a later attempt is on its way
    if (CONNECTION_GONE.has(error.code)) return; // the connection is going: _lost() requeues it
    if (error.code === 'TIMEOUT' || error.code === 'INVALID_RESPONSE') {
      this._transmit(entry); // same id: the server answers a repeat with the first result
      return;
    }
    if (RETRYABLE.has(error.code)) {
      entry.retryTimer = setTimeout(() => {
        entry.retryTimer = undefined;
        if (this._ready && entry.attempt === attempt && this._inFlight.get(id) === entry) this._transmit(entry);
      }, this._backoff(entry.retries++));
      return;
    }
    this._inFlight.delete(id);
    const mayHaveArrived = attempt > 1 && BEFORE_IDEMPOTENCY.has(error.code);
    this._fail(entry, error.code, error.message, mayHaveArrived ? FATE.UNKNOWN : FATE.REFUSED, error.data);
    this._pump();
  }

  /** Stops a trigger (cancelled, or past its deadline) unless its fate is known; returns whether it did. */
  _abandon(entry, code, message) {
    if (entry.done) return false;
    const flying = this._inFlight.get(entry.clientMessageId) === entry;
    this._fail(entry, code, message);
    if (flying) this._pump(); // its place in the window is free
    return true;
  }

  _settle(entry, published) {
    if (entry.done) return;
    entry.done = true;
    this._forget(entry);
    entry.resolve(published);
  }

  /** Fails a trigger unless its fate is known; without a fate, by whether it was sent. */
  _fail(entry, code, message, fate, data) {
    if (entry.done) return;
    entry.done = true;
    this._forget(entry);
    entry.reject(new DialogueError(code, message, fate || (entry.sent ? FATE.UNKNOWN : FATE.NOT_SENT), data));
  }

  _forget(entry) {
    const id = entry.clientMessageId;
    clearTimeout(entry.deadline);
    clearTimeout(entry.retryTimer);
    if (this._triggers.get(id) === entry) this._triggers.delete(id);
    if (this._inFlight.get(id) === entry) this._inFlight.delete(id);
    const i = this._queue.indexOf(entry);
    if (i >= 0) this._queue.splice(i, 1);
  }

  _failTriggers(code, reason) {
    for (const entry of [...this._triggers.values()]) this._fail(entry, code, `trigger: ${reason}`);
    this._queue = [];
    this._inFlight.clear();
  }

  /** Back-off for retries the server asks for: the reconnect back-off without jitter. */
  _backoff(retries) {
    const r = this._opts.reconnect || DEFAULTS.reconnect;
    return Math.min(r.max, r.initial * Math.pow(2, Math.min(retries, 16)));
  }

  _subscription(room, event, subscribe) {
    if (this.state !== 'connected' || room._restoring) return Promise.resolve(); // Restored on re-join.
    const roomId = room.id;
    if (!subscribe) return this._request('dialogue:unsubscribe', { roomId, eventName: event }).then(() => {});
    if (event === '*') return this._request('dialogue:subscribeAll', { roomId }).then(() => {});
    return this._request('dialogue:subscribe', { roomId, eventName: event }).then(() => {});
  }

  _leave(room) {
    if (this._rooms.get(room.id) === room) this._rooms.delete(room.id);
    if (room._wake) room._wake(); // a re-join retry waiting: it sees the room is gone
    const join = this._joining.get(room.id);
    if (join && join.room === room) {
      this._joining.delete(room.id); // its answer takes it back on the server
      return Promise.resolve();
    }
    if (this.state !== 'connected' || this._closed) return Promise.resolve();
    this._leaving.add(room.id);
    return this._request('dialogue:leave', { roomId: room.id }).then(
      () => {
        this._leaving.delete(room.id);
      },
      (e) => {
        this._leaving.delete(room.id);
        if (e.code !== 'NOT_IN_ROOM' && !CONNECTION_GONE.has(e.code)) throw e;
      }
    );
  }

  _error(e) {
    this._on.error.fire('onError', e);
  }

  _dropped(room, first) {
    const at = typeof first.offset === 'number' ? ` at offset ${first.offset}` : '';
    const e = new DialogueError('EVENTS_DROPPED', `Room '${room.id}': more than ${MAX_KEPT} events arrived before any handler took them; the oldest are dropped, from '${first.event}'${at} on. Register handlers in join(roomId, setup) or onJoined`);
    console.warn(`Dialogue: ${e.message}`);
    this._error(e);
  }

  /** The room an event belongs to: kept, or joining; any other is logged once and dropped. */
  _receiving(roomId, what) {
    const room = this._rooms.get(roomId) || (this._joining.get(roomId) || {}).room;
    if (!room && !this._leaving.has(roomId) && !this._unknown.has(roomId)) {
      if (this._unknown.size > 1000) this._unknown.clear();
      this._unknown.add(roomId);
      console.warn(`Dialogue: dropped ${what} for room '${roomId}', which this client does not keep (left, or never joined); logged once per room`);
    }
    return room;
  }

  /**
   * dialogue:joined without a request of ours (this client always asks with an ack): server code
   * joined this connection to the room. A new room is kept and announced; for a kept one the server
   * joined the new connection before the client's re-join, so what was published while it was away
   * is not recovered: reported as EVENTS_MISSED.
   */
  _serverJoined(data) {
    const roomId = data && data.roomId;
    if (typeof roomId !== 'string' || this._joining.has(roomId)) return;
    this._unknown.delete(roomId);
    const kept = this._rooms.get(roomId);
    if (kept) {
      if (data.epoch !== undefined && data.epoch === kept.epoch && data.offset > kept.lastOffset) {
        const e = new DialogueError('EVENTS_MISSED', `Room '${roomId}': server code joined the new connection to the room before the client's re-join, so the events after offset ${kept.lastOffset} up to ${data.offset} published while it was away were not recovered`);
        console.warn(`Dialogue: ${e.message}`);
        kept._joined(data);
        this._error(e);
      }
      return;
    }
    const room = new Room(this, roomId, data.roomName || roomId);
    if (data.epoch !== undefined) room._joined(data);
    this._rooms.set(roomId, room);
    this._on.joined.fire('onJoined', room);
  }

  /** dialogue:left without a request of ours: server code took this connection out of the room. */
  _serverLeft(roomId) {
    const room = this._rooms.get(roomId);
    if (!room) return;
    this._removeRoom(room, new DialogueError('NOT_IN_ROOM', `Server code took this connection out of room '${roomId}'`), false);
    this._on.left.fire('onLeft', room);
  }

  // ---- the connection ----

  _nsp() {
    return this._opts.namespace === '/' ? '' : this._opts.namespace + ',';
  }

  _socketUrl() {
    const u = new URL(this._opts.path.replace(/\/?$/, '/'), this.url);
    u.protocol = u.protocol === 'https:' ? 'wss:' : u.protocol === 'http:' ? 'ws:' : u.protocol;
    u.search = 'EIO=4&transport=websocket';
    return u.toString();
  }

  async _open() {
    const gen = this._gen;
    let auth;
    try {
      const a = this._opts.auth;
      auth = (typeof a === 'function' ? await a() : a) || {};
    } catch (e) {
      this._error(new DialogueError('AUTH_FAILED', `the auth function failed: ${e && e.message}`, FATE.NOT_SENT));
      this._retry('auth function failed');
      return;
    }
    if (gen !== this._gen || this.state === 'disconnected') return; // disconnect() while waiting for auth
    // The server's token from the last dialogue:connected keeps a dropped connection's rooms and seats.
    if (this._resumeToken) auth = { ...auth, resume: this._resumeToken };
    // The rooms it re-joins with their positions: server code joining the new connection to one
    // of them (onConnected) waits for that re-join, so what was published meanwhile is recovered.
    if (this._rooms.size) auth = { ...auth, rejoin: [...this._rooms.keys()] };
    let ws;
    try {
      ws = new WebSocket(this._socketUrl());
    } catch (e) {
      this._error(new DialogueError('CONNECT_FAILED', e.message, FATE.NOT_SENT));
      this._retry('transport error');
      return;
    }
    this._ws = ws;
    this._timers.attempt = setTimeout(() => this._drop(ws, 'connect timeout'), this._opts.connectTimeout);
    ws.onmessage = (m) => this._ws === ws && this._onFrame(ws, String(m.data), auth);
    ws.onclose = () => this._ws === ws && this._drop(ws, 'transport close');
    ws.onerror = () => {}; // close follows
  }

  _onFrame(ws, text, auth) {
    const type = text.charAt(0);
    if (type === '0') {
      const open = JSON.parse(text.slice(1));
      this._heartbeatWindow = (open.pingInterval || 25000) + (open.pingTimeout || 20000);
      this._heartbeat(ws);
      ws.send('40' + this._nsp() + JSON.stringify(auth));
    } else if (type === '2') {
      this._heartbeat(ws);
      ws.send('3');
    } else if (type === '1') {
      this._drop(ws, 'transport close');
    } else if (type === '4') {
      this._onPacket(ws, text.slice(1));
    }
  }

  _heartbeat(ws) {
    clearTimeout(this._timers.ping);
    this._timers.ping = setTimeout(() => this._drop(ws, 'ping timeout'), this._heartbeatWindow);
  }

  /** One Socket.IO packet: type, optional "/nsp,", optional ack id, optional JSON. */
  _onPacket(ws, text) {
    const type = text.charAt(0);
    let i = 1;
    if (text.charAt(i) === '/') {
      const comma = text.indexOf(',', i);
      const nsp = comma < 0 ? text.slice(i) : text.slice(i, comma);
      if (nsp !== this._opts.namespace) return;
      i = comma < 0 ? text.length : comma + 1;
    } else if (this._opts.namespace !== '/') {
      return;
    }
    let j = i;
    while (j < text.length && text.charCodeAt(j) >= 48 && text.charCodeAt(j) <= 57) j++;
    const ackId = j > i ? Number(text.slice(i, j)) : undefined;
    const body = j < text.length ? JSON.parse(text.slice(j)) : undefined;
    if (type === '0') {
      clearTimeout(this._timers.attempt);
      this._timers.attempt = setTimeout(() => this._drop(ws, 'connect timeout'), this._opts.connectTimeout);
    } else if (type === '4') {
      this._refused(ws, (body && body.message) || 'Connection refused');
    } else if (type === '1') {
      this._drop(ws, 'io server disconnect');
    } else if (type === '2' && Array.isArray(body)) {
      if (ackId !== undefined) ws.send('43' + this._nsp() + ackId + '[]');
      this._onEvent(body[0], body[1]);
    } else if (type === '3' && ackId !== undefined) {
      this._onAck(ackId, Array.isArray(body) ? body : []);
    }
  }

  _onEvent(name, data) {
    switch (name) {
      case 'dialogue:connected':
        this._identified(data || {});
        break;
      case 'dialogue:event': {
        const room = data && this._receiving(data.roomId, `event '${data.event}'`);
        if (room) room._deliver(data);
        break;
      }
      case 'dialogue:joined':
        this._serverJoined(data);
        break;
      case 'dialogue:left':
        if (data) this._serverLeft(data.roomId);
        break;
      case 'dialogue:presence': {
        const room = data && this._receiving(data.roomId, 'a presence change');
        if (room) room._presenceListeners.fire('room onPresence', data.joins || [], data.leaves || []);
        break;
      }
      case 'dialogue:roomCreated':
        this._on.roomCreated.fire('onRoomCreated', data);
        break;
      case 'dialogue:roomDeleted': {
        const room = this._rooms.get(data.roomId);
        if (room) this._removeRoom(room, new DialogueError('ROOM_NOT_FOUND', `Room '${data.roomId}' was deleted`), false);
        this._on.roomDeleted.fire('onRoomDeleted', data.roomId);
        break;
      }
      case 'dialogue:history':
        this._on.history.fire('onHistory', data.roomId, data.events);
        break;
      case 'dialogue:error':
        this._error(new DialogueError(data.code, data.message, FATE.REFUSED, data.data));
        break;
      default: {
        const set = this._custom.get(name);
        if (set) set.fire(`custom event ${name}`, data, { event: name, data });
      }
    }
  }

  /**
   * dialogue:connected: re-join every kept room (recovering missed events, restoring subscriptions),
   * then send the triggers. A cut at any moment of it leaves the rooms kept: the next connection
   * re-joins them.
   */
  async _identified(data) {
    clearTimeout(this._timers.attempt);
    this.userId = data.userId;
    this.clientId = data.clientId;
    this._resumeToken = data.resumeToken;
    this._attempt = 0;
    this._setState('connected', 'connected');
    const ws = this._ws;
    const rooms = [...this._rooms.values()];
    for (const room of rooms) room._restoring = true;
    await Promise.all(rooms.map((room) => this._rejoin(room, ws)));
    if (this._ws !== ws || this.state !== 'connected') return;
    this._ready = true;
    this._pump();
    this._settleConnect(null);
    this._on.connect.fire('onConnect');
  }

  /**
   * Re-joins a kept room on connection ws, asking for what it missed. Interrupted by a lost
   * connection, it is asked again on the next one; timed out, again on this one; only a refusal
   * removes the room.
   */
  async _rejoin(room, ws) {
    for (let retries = 0; ;) {
      const request = { roomId: room.id };
      if (room.lastOffset >= 0 && room.epoch !== undefined) request.since = { offset: room.lastOffset, epoch: room.epoch };
      // Applied with the admission, so no event subscribed to passes by before the restore below
      // (which stays for servers without this extension; both are idempotent).
      if (room._unsubscribed.size) request.unsubscribe = [...room._unsubscribed];
      if (room._subscribed.size) request.subscribe = [...room._subscribed];
      let result;
      try {
        result = await this._request('dialogue:join', request);
      } catch (e) {
        if (this._rooms.get(room.id) !== room || this._ws !== ws || this.state !== 'connected' || CONNECTION_GONE.has(e.code)) return;
        if (e.code === 'TIMEOUT' || e.code === 'INVALID_RESPONSE') continue;
        if (RETRYABLE.has(e.code)) {
          await this._sleep(this._backoff(retries++), room);
          if (this._ws !== ws || this._rooms.get(room.id) !== room) return;
          continue;
        }
        this._removeRoom(room, new DialogueError(e.code, `re-joining room '${room.id}' after a reconnect was refused: ${e.message}`), true);
        return;
      }
      if (this._rooms.get(room.id) !== room) return; // left meanwhile
      const sameEpoch = result.epoch === room.epoch;
      const missed = sameEpoch ? result.missed || [] : [];
      for (const m of missed) room._deliver(m);
      room._joined(result);
      room._restoring = false;
      if (!result.recovered && result.history) this._on.history.fire('onHistory', room.id, result.history);
      this._restoreSubscriptions(room, ws);
      room._rejoinedListeners.fire('room onRejoined', { recovered: !!result.recovered && sameEpoch, missed: missed.length });
      return;
    }
  }

  /** Explicit unsubscribes, then subscribes; the server handles them in order, before the queue. */
  _restoreSubscriptions(room, ws) {
    const restore = (event, subscribe) =>
      this._subscription(room, event, subscribe).catch((e) => {
        if (this._ws === ws && !CONNECTION_GONE.has(e.code)) this._error(new DialogueError(e.code, `restoring the subscription to '${event}' in room '${room.id}' failed: ${e.message}`, e.fate));
      });
    for (const e of room._unsubscribed) restore(e, false);
    for (const e of room._subscribed) restore(e, true);
  }

  /** The room is no longer kept without the app leaving it: room.onRemoved, and onError if asked. */
  _removeRoom(room, error, report) {
    if (this._rooms.get(room.id) === room) this._rooms.delete(room.id);
    if (room._wake) room._wake();
    room._restoring = false;
    room._removedListeners.fire('room onRemoved', error);
    if (report) this._error(error);
  }

  /** Waits ms; a room's wait also ends, at once, when the room goes (room._wake). */
  _sleep(ms, room) {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(t);
        this._sleeps.delete(t);
        if (room && room._wake === wake) room._wake = undefined;
        resolve();
      };
      const t = setTimeout(wake, ms);
      this._sleeps.add(t);
      if (room) room._wake = wake;
    });
  }

  _refused(ws, reason) {
    this._clearTimers();
    this._ws = null;
    ws.close();
    this._lost(`refused: ${reason}`, false, 'CONNECT_REFUSED');
    this._setState('disconnected', `refused: ${reason}`);
    const e = new DialogueError('CONNECT_REFUSED', reason);
    this._settleConnect(null, e);
    this._error(e);
  }

  /** The transport is gone: fail what waits, requeue unconfirmed triggers, maybe retry. */
  _drop(ws, reason) {
    if (this._ws !== ws) return;
    this._ws = null;
    this._clearTimers();
    try {
      ws.close();
    } catch (e) {
      /* already closed */
    }
    const retry = this._opts.reconnect !== false && reason !== 'io server disconnect';
    this._lost(reason, retry);
    if (retry) this._retry(reason);
    else {
      this._setState('disconnected', reason);
      this._settleConnect(null, new DialogueError('DISCONNECTED', reason, FATE.UNKNOWN));
    }
  }

  /**
   * The connection is gone. Requests fail with DISCONNECTED; triggers in flight go back to the head
   * of the queue, in order, to be sent again with the same id, unless the client stops trying: then
   * every trigger fails with code.
   */
  _lost(reason, retrying, code = 'DISCONNECTED') {
    const wasConnected = this.state === 'connected';
    this._ready = false;
    const unconfirmed = [...this._inFlight.values()];
    this._inFlight.clear();
    for (const entry of unconfirmed) {
      clearTimeout(entry.retryTimer);
      entry.retryTimer = undefined;
    }
    this._queue.unshift(...unconfirmed);
    this._failRequests('DISCONNECTED', reason);
    if (!retrying) this._failTriggers(code, reason);
    if (wasConnected) {
      this._setState(retrying ? 'reconnecting' : 'disconnected', reason);
      this._on.disconnect.fire('onDisconnect', reason);
    }
  }

  _retry(reason) {
    const r = this._opts.reconnect;
    if (this.state === 'disconnected') return;
    if (r === false) {
      this._setState('disconnected', reason);
      this._failTriggers('DISCONNECTED', reason);
      this._settleConnect(null, new DialogueError('DISCONNECTED', reason, FATE.UNKNOWN));
      return;
    }
    if (this.state !== 'connecting') this._setState('reconnecting', reason);
    const base = Math.min(r.max, r.initial * Math.pow(2, this._attempt++));
    const delay = Math.max(0, base * (1 + r.jitter * (2 * Math.random() - 1)));
    this._timers.retry = setTimeout(() => this._open(), delay);
  }

  _clearTimers() {
    for (const k of Object.keys(this._timers)) clearTimeout(this._timers[k]);
    this._timers = {};
    for (const t of this._sleeps) clearTimeout(t);
    this._sleeps.clear();
  }

  _setState(next, reason) {
    if (this.state === next) return;
    this.state = next;
    this._on.stateChange.fire('onStateChange', next, reason);
  }

  _settleConnect(only, error) {
    const list = only ? [only] : this._connectWaiters.splice(0);
    if (only) {
      const i = this._connectWaiters.indexOf(only);
      if (i < 0) return;
      this._connectWaiters.splice(i, 1);
    }
    for (const w of list) {
      clearTimeout(w.timer);
      if (error) w.reject(error);
      else w.resolve();
    }
  }
}

function strip(body) {
  const { ok, ...rest } = body || {};
  return rest;
}

const Dialogue = {
  /** Creates a client; nothing is sent until client.connect(). */
  connect(url, options) {
    return new Client(url, options);
  },
  Client,
  Room,
  DialogueError,
  FATE,
};
root.Dialogue = Dialogue;
if (typeof module === 'object' && module.exports) module.exports = Dialogue;
})(typeof window !== 'undefined' ? window : globalThis);
