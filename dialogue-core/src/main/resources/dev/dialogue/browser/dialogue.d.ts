// Typings for dialogue.js, the Dialogue browser client (served by the server at /dialogue.js).
// Loaded with a plain <script>, it defines the global `Dialogue`.

declare namespace Dialogue {
  type ConnectionState = 'disconnected' | 'connecting' | 'connected' | 'reconnecting';

  /**
   * Codes: the server's (ROOM_NOT_FOUND, VALIDATION_FAILED, ...) or the client's own: TIMEOUT,
   * DISCONNECTED, CONNECT_REFUSED, OFFLINE_QUEUE_FULL, AUTH_FAILED, CONNECT_FAILED, INVALID_RESPONSE.
   */
  class DialogueError extends Error {
    readonly name: 'DialogueError';
    readonly code: string;
    constructor(code: string, message: string);
  }

  type Auth = Record<string, unknown>;

  interface Options {
    /** The auth object for the CONNECT packet, or a function asked before every (re)connect. */
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
    /** Triggers that may wait while disconnected, default 1000. */
    offlineQueueSize?: number;
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
    result: Promise<Published>;
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

  class Room {
    readonly id: string;
    readonly name: string;
    /** The room's epoch as of the last join. */
    readonly epoch: string | undefined;
    /** The newest offset delivered to the application, or -1. */
    readonly lastOffset: number;
    trigger<T = unknown>(event: string, data: T, meta?: Record<string, unknown>): PendingTrigger;
    /** Subscribes on the server; the returned function unsubscribes when the last handler goes. */
    on<T = unknown>(event: string, handler: (data: T, message: EventMessage<T>) => void): Unsubscribe;
    onAny(handler: (message: EventMessage) => void): Unsubscribe;
    subscribe(event: string): Promise<void>;
    subscribeAll(): Promise<void>;
    unsubscribe(event: string): Promise<void>;
    getHistory<T = unknown>(event: string, start?: number, end?: number): Promise<HistoryPage<T>>;
    leave(): Promise<void>;
  }

  class Client {
    constructor(url?: string, options?: Options);
    readonly url: string;
    readonly state: ConnectionState;
    readonly userId: string | undefined;
    readonly clientId: string | undefined;
    /** Triggers made and not yet confirmed, including those waiting offline. */
    readonly pendingTriggers: number;
    connect(): Promise<void>;
    disconnect(): void;
    join(roomId: string): Promise<Room>;
    room(roomId: string): Room | undefined;
    listRooms(): Promise<RoomInfo[]>;
    createRoom(room: { id: string; name: string; description?: string; maxSize?: number }): Promise<RoomInfo>;
    deleteRoom(roomId: string): Promise<void>;
    onConnect(handler: () => void): Unsubscribe;
    onDisconnect(handler: (reason: string) => void): Unsubscribe;
    onError(handler: (error: DialogueError) => void): Unsubscribe;
    onRoomCreated(handler: (room: RoomInfo) => void): Unsubscribe;
    onRoomDeleted(handler: (roomId: string) => void): Unsubscribe;
    onHistory(handler: (roomId: string, events: EventMessage[]) => void): Unsubscribe;
    onStateChange(handler: (state: ConnectionState, reason: string) => void): Unsubscribe;
    /** Events the server sends to this connection alone. */
    on<T = unknown>(event: string, handler: (data: T) => void): Unsubscribe;
  }

  /** Creates a client (the url defaults to where dialogue.js was loaded from); call connect() next. */
  function connect(url?: string, options?: Options): Client;
}

interface Window {
  Dialogue: typeof Dialogue;
}
