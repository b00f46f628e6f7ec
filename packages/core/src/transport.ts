import type { RealtimeError } from './errors.js';
import type { Disconnect } from './fatal.js';

/**
 * A transport is a dumb pipe with declared capabilities. The core opens one `TransportConnection` per
 * attempt, and does all retrying, queueing, resubscribing and deduplicating itself.
 */
export interface TransportCapabilities {
  /** How messages are published: over the connection, over HTTP next to it, or not at all. */
  readonly publish: 'native' | 'http' | false;
  /** The server acknowledges each published message (at-least-once); otherwise at-most-once. */
  readonly acks: boolean;
  /** Presence (who is here) is available. */
  readonly presence: boolean;
  /** Channels can resume from a cursor after a reconnect, without loss. */
  readonly resume: boolean;
  /** Clients may publish straight to other clients without a server round trip (Pusher "client events"). */
  readonly clientEvents: boolean;
  /** Who retries: the core (always preferred) or a vendor SDK that insists on doing it itself. */
  readonly retries: 'core' | 'sdk';
  /** Works when the server side is serverless functions (no long-lived server process of your own). */
  readonly serverless: boolean;
  /** How connections and private channels are authorised, in a few words (the capability matrix shows it). */
  readonly auth?: string;
}

/** A message published by this client, as handed to the transport. */
export interface OutgoingMessage {
  /** Client-generated id; also the idempotency key the server dedups on. */
  readonly id: string;
  readonly channel: string;
  readonly event: string;
  readonly data: unknown;
  /** Fire-and-forget: no ack is awaited and nothing is queued while offline. */
  readonly volatile: boolean;
}

/** A message received on a channel. */
export interface Message<E extends string = string, D = unknown> {
  readonly channel: string;
  readonly event: E;
  readonly data: D;
  /** Server-assigned id, unique within the channel (used by the receive-side dedup window). */
  readonly id?: string;
  /** Resume cursor (server offset, SSE event id). Defaults to `id` when absent. */
  readonly cursor?: string;
  /** Client id of the publisher's outbox message, so a client can recognise its own echoes. */
  readonly clientMessageId?: string;
  /** Server timestamp (ms since epoch), when the transport has one. */
  readonly timestamp?: number;
}

/** A presence member as the transport reports it. */
export interface PresenceMember<T = unknown> {
  /** Member id (user id or connection/client id, per transport). Members are keyed by it. */
  readonly id: string;
  readonly data: T;
}

export type PresenceEvent<T = unknown> =
  | { readonly action: 'sync'; readonly members: readonly PresenceMember<T>[] }
  | { readonly action: 'join' | 'update' | 'leave'; readonly member: PresenceMember<T> };

export type PresenceOp<T = unknown> =
  | { readonly action: 'enter' | 'update'; readonly data: T }
  | { readonly action: 'leave' };

export interface SubscribeOptions {
  /** Resume from this cursor (the last one seen); `null` for a fresh subscription. */
  readonly cursor: string | null;
}

/** What the transport learned when the connection became protocol-ready. */
export interface OpenInfo {
  /** Server session / connection id (e.g. Pusher `socket_id`). */
  readonly sessionId?: string;
  /** The id this client appears under in presence, when the server assigns it. */
  readonly memberId?: string;
  /** Interval at which the server sends heartbeats; sets the client deadline. */
  readonly heartbeatMs?: number;
}

export interface SubscribedInfo {
  /**
   * `true` when the server resumed from the given cursor without a gap. `false` (or absent) after a
   * reconnect makes the core emit one `discontinuity` for the channel.
   */
  readonly resumed?: boolean;
  /** Current cursor of the channel, if the server tells it. */
  readonly cursor?: string;
  /**
   * The id this client appears under in this channel's presence, when it differs from the
   * connection's (`OpenInfo.memberId`) — e.g. the user id signed for a `presence-*` channel.
   */
  readonly memberId?: string;
}

/**
 * The core's side of one connection attempt. Calls on a handler whose attempt is over are ignored,
 * so a transport never has to worry about stale callbacks.
 */
export interface TransportHandler {
  /** The connection is protocol-ready (handshake done), not merely socket-open. */
  open(info?: OpenInfo): void;
  /** The connection ended, or never opened. Exactly what happened; the core decides what to do. */
  close(disconnect: Disconnect): void;
  /** Any inbound frame at all, pings included: resets the heartbeat deadline. */
  activity(): void;
  message(message: Message): void;
  subscribed(channel: string, info?: SubscribedInfo): void;
  subscribeFailed(channel: string, error: RealtimeError): void;
  /** The server detected a gap it cannot fill for this channel. */
  discontinuity(channel: string): void;
  ack(messageId: string): void;
  nack(messageId: string, error: RealtimeError): void;
  presence(channel: string, event: PresenceEvent): void;
  /** A non-fatal error (malformed frame, unknown frame type, …): reported, never thrown. */
  error(error: RealtimeError): void;
}

/** One connection attempt. Methods are only called between `open()` and `close()`. */
export interface TransportConnection {
  subscribe(channel: string, options: SubscribeOptions): void;
  unsubscribe(channel: string): void;
  /** Sends a message; report the result through `handler.ack` / `handler.nack` if `acks`. */
  publish(message: OutgoingMessage): void;
  presence?(channel: string, op: PresenceOp): void;
  /** Asks the server for any reply, to check a quiet connection is still alive. */
  ping?(): void;
  /**
   * Ends the connection. The core ignores any callback after calling it. `'replaced'`: a newer
   * connection of the same transport takes over at once (`reconnect()` while a vendor SDK was retrying
   * on its own) — a transport that can hand its session state to the next connection should.
   */
  close(reason?: 'replaced'): void;
}

export interface OpenContext<Credentials = unknown> {
  /** What the auth provider returned (or `undefined` without one). */
  readonly credentials: Credentials | undefined;
  /** 1 for the first attempt since the last stable connection, 2 for the next, … */
  readonly attempt: number;
}

export interface Transport<Credentials = unknown> {
  /** e.g. 'websocket', 'sse', 'pusher'. Used in errors and the capability matrix. */
  readonly name: string;
  readonly capabilities: TransportCapabilities;
  /** Starts one connection attempt. Must not throw: report failures through `handler.close`. */
  open(handler: TransportHandler, context: OpenContext<Credentials>): TransportConnection;
}
