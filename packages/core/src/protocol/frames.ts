/**
 * The native switchboard wire protocol, version 1: the frame types shared by the client transports
 * (`@switchboard/core/websocket`, `/sse`, `/polling`) and the server kit (`@switchboard/server`).
 * docs/protocol.md describes it for people writing their own server or client.
 *
 * Every frame is one JSON object with a `type`. Unknown fields are ignored (forward compatible);
 * unknown frame types are reported as `UNKNOWN_FRAME` and skipped, never fatal.
 */
import type { RealtimeErrorCode } from '../errors.js';

/** The protocol version this build speaks. A server answers another version with `PROTOCOL_ERROR`. */
export const PROTOCOL_VERSION = 1;

/** A presence member on the wire. */
export interface WireMember {
  readonly id: string;
  readonly data: unknown;
}

/** Limits the server announces in `welcome`; the client checks outgoing frames against them. */
export interface WireLimits {
  /** Largest frame (UTF-8 bytes of its JSON) either side accepts. */
  readonly maxFrameBytes: number;
  /** Most channels one connection (or one SSE stream / poll) may subscribe to. */
  readonly maxChannels: number;
  /** Sustained operations (publish, presence, subscribe) per second per connection. */
  readonly messagesPerSecond: number;
}

// ---- client → server -------------------------------------------------------------------------

/** First frame on a WebSocket: protocol version and optional credentials. */
export interface HelloFrame {
  readonly type: 'hello';
  readonly v: number;
  /** Bearer token from the client's auth provider. */
  readonly token?: string;
}

export interface SubscribeFrame {
  readonly type: 'subscribe';
  readonly channel: string;
  /** Resume after this offset (the last one received); absent or `null` for "live from now". */
  readonly cursor?: string | null;
  /** `private-*` / `presence-*`: `"<key>:<hex HMAC-SHA256 of session:channel[:channelData]>"`. */
  readonly auth?: string;
  /** `presence-*`: the JSON string that was signed (`{"user_id":…,"user_info":…}`). */
  readonly channelData?: string;
}

export interface UnsubscribeFrame {
  readonly type: 'unsubscribe';
  readonly channel: string;
}

export interface PublishFrame {
  readonly type: 'publish';
  /** Client message id: the idempotency key the server deduplicates on. Echoed in `ack`/`nack`. */
  readonly id: string;
  readonly channel: string;
  readonly event: string;
  readonly data?: unknown;
  /** Fire-and-forget: the server neither acks nor deduplicates it. */
  readonly volatile?: boolean;
  /** HTTP only: signature for a `private-*`/`presence-*` channel (WebSocket uses the subscription). */
  readonly auth?: string;
  readonly channelData?: string;
}

export interface PresenceFrame {
  readonly type: 'presence';
  readonly channel: string;
  readonly action: 'enter' | 'update' | 'leave';
  readonly data?: unknown;
  /** HTTP only, as for `publish`. */
  readonly auth?: string;
  readonly channelData?: string;
}

export interface PingFrame {
  readonly type: 'ping';
  readonly id?: string;
}

export interface PongFrame {
  readonly type: 'pong';
  readonly id?: string;
}

export type ClientFrame = HelloFrame | SubscribeFrame | UnsubscribeFrame | PublishFrame | PresenceFrame | PingFrame | PongFrame;

// ---- server → client -------------------------------------------------------------------------

/** Answer to `hello` (WebSocket) or first event of a stream / first poll: the connection is ready. */
export interface WelcomeFrame {
  readonly type: 'welcome';
  readonly v: number;
  /** Session id: what channel signatures are computed over (Pusher's `socket_id`). */
  readonly session: string;
  /** The id this client appears under in presence. */
  readonly member: string;
  /** The server sends something at least this often; the client deadline is this plus a grace. */
  readonly heartbeatMs: number;
  readonly limits: WireLimits;
}

export interface SubscribedFrame {
  readonly type: 'subscribed';
  readonly channel: string;
  /** `true`: everything after the requested cursor follows (replay), nothing was lost. */
  readonly resumed: boolean;
  /** The channel's head offset when the subscription started (`null`: nothing published yet). */
  readonly cursor: string | null;
}

/** A subscription was refused (unknown/invalid channel, bad signature, channel limit, rate limit). */
export interface RefusedFrame {
  readonly type: 'refused';
  readonly channel: string;
  readonly code: RealtimeErrorCode;
  readonly message?: string;
}

export interface MessageFrame {
  readonly type: 'message';
  readonly channel: string;
  readonly event: string;
  readonly data: unknown;
  /** Server offset: unique per channel, ordered; the resume cursor. Opaque to clients. */
  readonly offset: string;
  /** Client id of the publish that produced it, so a client recognises its own echoes. */
  readonly clientMessageId?: string;
  /** Server time (ms since epoch). */
  readonly ts?: number;
}

export interface AckFrame {
  readonly type: 'ack';
  readonly id: string;
  /** Offset the message got (the original one when the publish was a duplicate). */
  readonly offset?: string;
}

export interface NackFrame {
  readonly type: 'nack';
  readonly id: string;
  readonly code: RealtimeErrorCode;
  readonly message?: string;
}

export interface PresenceSyncFrame {
  readonly type: 'presence';
  readonly channel: string;
  readonly action: 'sync';
  readonly members: readonly WireMember[];
}

export interface PresenceChangeFrame {
  readonly type: 'presence';
  readonly channel: string;
  readonly action: 'join' | 'update' | 'leave';
  readonly member: WireMember;
}

/** Something went wrong that is not tied to one publish or subscription (or is, via `channel`). */
export interface ErrorFrame {
  readonly type: 'error';
  readonly code: RealtimeErrorCode;
  readonly message?: string;
  readonly channel?: string;
  /** Suggested wait before trying again (rate limits). */
  readonly retryAfterMs?: number;
}

export type ServerFrame =
  | WelcomeFrame
  | SubscribedFrame
  | RefusedFrame
  | MessageFrame
  | AckFrame
  | NackFrame
  | PresenceSyncFrame
  | PresenceChangeFrame
  | PingFrame
  | PongFrame
  | ErrorFrame;

// ---- HTTP (SSE, polling) -------------------------------------------------------------------------

/** Body of a `POST` to the HTTP endpoint: publishes and presence operations, processed in order. */
export interface HttpOpsRequest {
  readonly v: number;
  /** Session id from `welcome` (absent for server-to-server publishes authorised by the secret). */
  readonly session?: string;
  readonly ops: readonly (PublishFrame | PresenceFrame)[];
}

/** Answer to `HttpOpsRequest`: one result per op, in order (`ack`/`nack` for publishes, `error` for refusals). */
export interface HttpOpsResponse {
  readonly v: number;
  readonly results: readonly (AckFrame | NackFrame | ErrorFrame | { readonly type: 'ok' })[];
}

/** Answer to a poll (`GET` with `Accept: application/json`). */
export interface PollResponse {
  readonly v: number;
  readonly welcome: WelcomeFrame;
  /** Subscription state per requested channel: `subscribed` or `refused`. */
  readonly channels: readonly (SubscribedFrame | RefusedFrame)[];
  readonly messages: readonly MessageFrame[];
  /** A full member list for every channel whose presence changed since the version the client sent. */
  readonly presence: readonly (PresenceSyncFrame & { readonly version: number })[];
}
