// Typings for dialogue.js, the Dialogue browser client (served by the server at /dialogue.js).
// Loaded with a plain <script>, it defines the global `Dialogue`.

declare namespace Dialogue {
  type ConnectionState = 'disconnected' | 'connecting' | 'connected' | 'reconnecting';

  /**
   * What is known of a failed request: the server refused it, it never left the page, or it was
   * sent and never answered (a trigger may then have been published: its clientMessageId tells).
   */
  type Fate = 'refused' | 'not-sent' | 'unknown';

  const FATE: { readonly REFUSED: 'refused'; readonly NOT_SENT: 'not-sent'; readonly UNKNOWN: 'unknown' };

  /**
   * Codes: the server's (ROOM_NOT_FOUND, VALIDATION_FAILED, ...) or the client's own: NOT_CONNECTED,
   * DISCONNECTED, CLOSED, TIMEOUT, DEADLINE_EXCEEDED, CANCELLED, OFFLINE_QUEUE_FULL, CONNECT_REFUSED,
   * AUTH_FAILED, CONNECT_FAILED, INVALID_RESPONSE; and, through onError only, EVENTS_DROPPED (more
   * than 1000 events arrived in a room before any handler took them: the oldest were dropped) and
   * EVENTS_MISSED (after a reconnect, server code joined the connection to a kept room before the
   * client's re-join: what was published meanwhile was not recovered). A command refused by the
   * application carries the application's own code (and its data).
   */
  class DialogueError extends Error {
    readonly name: 'DialogueError';
    readonly code: string;
    readonly fate: Fate;
    /** The error's data, when the server sent any (a command's application error may). */
    readonly data: unknown;
    constructor(code: string, message: string, fate?: Fate, data?: unknown);
  }

  type Auth = Record<string, unknown>;

  interface Options {
    /**
     * The auth object for the CONNECT packet, or a function asked before every (re)connect. The key
     * `resume` is the client's own: on a reconnect it carries the server's resumption token.
     */
    auth?: Auth | (() => Auth | Promise<Auth>);
    /** Socket.IO path, default '/socket.io'. */
    path?: string;
    /** Socket.IO namespace, default '/'. */
    namespace?: string;
    /** Milliseconds before a request fails with TIMEOUT, default 10000. */
    requestTimeout?: number;
    /** Milliseconds before connect() fails with TIMEOUT (attempts go on), default 20000. */
    connectTimeout?: number;
    /** Back-off in milliseconds (default 500, doubling to 5000, ±50 %), or false for no reconnect. */
    reconnect?: false | { initial?: number; max?: number; jitter?: number };
    /** Triggers that may wait while (re)connecting or beyond the window, default 1000. */
    offlineQueueSize?: number;
    /** Milliseconds after which an unconfirmed trigger fails with DEADLINE_EXCEEDED, default 240000. */
    triggerDeadline?: number;
    /** Triggers sent and not answered at once, default 256; the rest wait in the queue. */
    maxTriggersInFlight?: number;
  }

  interface EventMessage<T = unknown> {
    event: string;
    roomId: string;
    data: T;
    from: string;
    timestamp: number;
    meta?: Record<string, unknown>;
    id?: string;
    offset?: number;
    clientMessageId?: string;
  }

  interface RoomInfo {
    id: string;
    name: string;
    description?: string;
    size?: number;
    maxSize?: number;
    createdById?: string;
    /** The application's data about the room (RoomConfig.Builder.metadata on the server). */
    metadata?: Record<string, unknown>;
  }

  interface Published {
    id: string;
    offset?: number;
    timestamp: number;
    duplicate?: boolean;
  }

  interface PendingTrigger {
    /** Known at once: show a placeholder and replace it when the event with this id arrives. */
    clientMessageId: string;
    /** Resolves once the server confirmed it; rejects with a DialogueError whose fate says what is known. */
    result: Promise<Published>;
    /** Stops sending it; false if its fate was already known. */
    cancel(): boolean;
  }

  interface HistoryPage<T = unknown> {
    roomId: string;
    eventName: string | null;
    events: EventMessage<T>[];
    start: number;
    end: number;
  }

  /** Calling it removes the handler again. */
  type Unsubscribe = () => void;

  /** What the server sends to one connection (ClientConnection.send) comes without an envelope. */
  interface DirectMessage<T = unknown> {
    event: string;
    data: T;
  }

  class Room {
    readonly id: string;
    readonly name: string;
    /** The room's epoch as of the last join. */
    readonly epoch: string | undefined;
    /** The newest offset delivered to the application, or -1. */
    readonly lastOffset: number;
    /**
     * Whether the client keeps the room (also while reconnecting): from the join answer until
     * leave() or a removal; false in the setup of join(roomId, setup).
     */
    readonly joined: boolean;
    /**
     * The room was removed without leave(): a refused re-join, the room was deleted
     * (ROOM_NOT_FOUND), or server code took the connection out of it (NOT_IN_ROOM).
     */
    onRemoved(handler: (error: DialogueError) => void): Unsubscribe;
    /**
     * After each re-join that follows a reconnect, once the missed events were delivered:
     * recovered true means every event published while away was delivered (missed of them);
     * false means some may be lost (epoch changed, too far behind, no offsets): reload the view.
     */
    onRejoined(handler: (info: { recovered: boolean; missed: number }) => void): Unsubscribe;
    /** Presence changes (rooms with presence on): user ids that arrived and that left. */
    onPresence(handler: (joins: string[], leaves: string[]) => void): Unsubscribe;
    /** The users present now, each with its number of connections. */
    presence(): Promise<Array<{ userId: string; connections: number }>>;
    /** options.clientMessageId: send under the caller's id (1–256 chars), e.g. a retry of an unknown fate. */
    trigger<T = unknown>(event: string, data: T, meta?: Record<string, unknown>, options?: { clientMessageId?: string }): PendingTrigger;
    /**
     * Subscribes on the server; the returned function unsubscribes when the last handler goes.
     * Events of that name that arrived before any handler took them (at most 1000 per room) are
     * handed to the first one right after this call, before later events.
     */
    on<T = unknown>(event: string, handler: (data: T, message: EventMessage<T>) => void): Unsubscribe;
    /** Every event this connection receives in the room, the kept ones first (as for on). */
    onAny(handler: (message: EventMessage) => void): Unsubscribe;
    subscribe(event: string): Promise<void>;
    subscribeAll(): Promise<void>;
    unsubscribe(event: string): Promise<void>;
    getHistory<T = unknown>(event: string, start?: number, end?: number): Promise<HistoryPage<T>>;
    /** Sends this room's command (the server's handler gets the room); see Client.request. */
    request<Res = unknown, Req = unknown>(command: string, data?: Req): Promise<Res>;
    leave(): Promise<void>;
  }

  class Client {
    constructor(url?: string, options?: Options);
    readonly url: string;
    readonly state: ConnectionState;
    readonly userId: string | undefined;
    readonly clientId: string | undefined;
    /** Triggers whose fate is not known yet: queued, in flight, or waiting to be sent again. */
    readonly pendingTriggers: number;
    connect(): Promise<void>;
    /** Closes the connection and forgets the rooms; what waits rejects with DISCONNECTED. */
    disconnect(): void;
    /** For good: what waits, and every later call, rejects with CLOSED. */
    close(): void;
    /**
     * Joins a room (or returns the one kept). setup runs before the join is sent: handlers it
     * registers see every event after the join answer, and their names are subscribed with the
     * join itself.
     */
    join(roomId: string, setup?: (room: Room) => void): Promise<Room>;
    /** A room the client keeps (its join answered, or joined by server code), or undefined. */
    room(roomId: string): Room | undefined;
    listRooms(): Promise<RoomInfo[]>;
    createRoom(room: { id: string; name: string; description?: string; maxSize?: number }): Promise<RoomInfo>;
    deleteRoom(roomId: string): Promise<void>;
    /**
     * Sends a global command; resolves with the handler's result (undefined when it returned
     * none). Rejects with a DialogueError: the server's or the application's code, message and
     * data (fate 'refused'); TIMEOUT or DISCONNECTED (fate 'unknown'); NOT_CONNECTED or CLOSED
     * (fate 'not-sent'). Never sent again after a reconnect.
     */
    request<Res = unknown, Req = unknown>(command: string, data?: Req): Promise<Res>;
    onConnect(handler: () => void): Unsubscribe;
    onDisconnect(handler: (reason: string) => void): Unsubscribe;
    onError(handler: (error: DialogueError) => void): Unsubscribe;
    onRoomCreated(handler: (room: RoomInfo) => void): Unsubscribe;
    onRoomDeleted(handler: (roomId: string) => void): Unsubscribe;
    onHistory(handler: (roomId: string, events: EventMessage[]) => void): Unsubscribe;
    onStateChange(handler: (state: ConnectionState, reason: string) => void): Unsubscribe;
    /**
     * A room server code joined this connection to: the client keeps it from now on (and re-joins
     * it after a reconnect). Called before any of its events, so handlers registered here see them
     * all; not for the app's own joins, nor when the server joins a room already kept.
     */
    onJoined(handler: (room: Room) => void): Unsubscribe;
    /** A kept room server code took this connection out of (after the room's onRemoved). */
    onLeft(handler: (room: Room) => void): Unsubscribe;
    /** Events the server sends to this connection alone. */
    on<T = unknown>(event: string, handler: (data: T, message: DirectMessage<T>) => void): Unsubscribe;
  }

  /** Creates a client (the url defaults to where dialogue.js was loaded from); call connect() next. */
  function connect(url?: string, options?: Options): Client;
}

interface Window {
  Dialogue: typeof Dialogue;
}
