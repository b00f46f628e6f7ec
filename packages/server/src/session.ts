import type { ServerFrame } from '@switchboard/core/protocol';
import type { TokenBucket } from './rate-limit.js';

/** Who a connection belongs to, as your `authenticate` function says. */
export interface Identity {
  /** Stable user id: several connections of one user are one presence member. */
  readonly userId?: string;
  /** Anything else you want available to `canPublish` / `canSubscribe`. */
  readonly info?: unknown;
}

export type TransportKind = 'websocket' | 'sse' | 'polling' | 'http';

/** Anyone performing an operation: a connection's session, an HTTP request, or the server itself. */
export interface Caller {
  /** Session id (what channel signatures are bound to); `null` for server-to-server requests. */
  readonly id: string | null;
  /** The id this caller appears under in presence on ordinary channels. */
  readonly memberId: string;
  readonly identity: Identity;
  readonly transport: TransportKind;
  /** Authorised by the server secret: may publish anywhere. */
  readonly server: boolean;
  readonly bucket: TokenBucket | null;
  /** The verified authorisation of a subscribed `private-*`/`presence-*` channel, if any. */
  verified(channel: string): { readonly channelData?: string } | undefined;
}

/** One channel subscription of a session. */
export interface Subscription {
  readonly channel: string;
  cancelled: boolean;
  unsubscribe: (() => void) | null;
  /** Set when a signature was checked (private/presence channels). */
  readonly verified: { readonly channelData?: string } | undefined;
  /** Last presence version sent to this subscriber. */
  presenceVersion: number;
}

/**
 * A connected client (a WebSocket, or one SSE stream): its subscriptions, presence, rate limit, and
 * the sink frames are written to. Operations of one session run one after the other, in arrival
 * order, so a publish never overtakes an earlier one.
 */
export class HubSession implements Caller {
  readonly server = false;
  readonly subscriptions = new Map<string, Subscription>();
  /** Channels this session entered presence on. */
  readonly presenceChannels = new Set<string>();
  closed = false;
  #queue: Promise<void> = Promise.resolve();
  #send: (frame: ServerFrame) => void;
  #onError: (error: unknown) => void;
  #drop: () => void;

  constructor(
    readonly id: string,
    readonly memberId: string,
    readonly identity: Identity,
    readonly transport: TransportKind,
    readonly bucket: TokenBucket,
    send: (frame: ServerFrame) => void,
    onError: (error: unknown) => void,
    drop: () => void = () => {},
  ) {
    this.#send = send;
    this.#onError = onError;
    this.#drop = drop;
  }

  /**
   * Ends the connection so the client reconnects and resumes from its own cursors (the broker lost
   * track of a channel). WebSocket: close 1012; SSE: the stream ends with a `retry:` hint.
   */
  drop(): void {
    if (!this.closed) this.#drop();
  }

  /** Writes a frame to the client, unless the session is closed. */
  send(frame: ServerFrame): void {
    if (!this.closed) this.#send(frame);
  }

  /** Runs `task` after every task queued before it. */
  run(task: () => Promise<void> | void): Promise<void> {
    const next = this.#queue.then(task).catch((error: unknown) => this.#onError(error));
    this.#queue = next;
    return next;
  }

  verified(channel: string): { readonly channelData?: string } | undefined {
    return this.subscriptions.get(channel)?.verified;
  }
}
