import type { RealtimeErrorCode } from '@switchboard/core/protocol';
import type { WireLimits } from '@switchboard/core/protocol';
import type { Broker } from './broker.js';
import type { ServerClock } from './clock.js';
import type { HubSession, Identity, TransportKind } from './session.js';

export interface AuthenticateContext {
  /** Bearer token: the `hello` frame's `token` (WebSocket) or the `Authorization: Bearer` header. */
  readonly token: string | undefined;
  /** Request headers (cookies included): the upgrade request for WebSockets. */
  readonly headers: Headers;
  readonly transport: TransportKind;
}

/**
 * Decides who may connect. Return an `Identity` (or `true` for anonymous) to accept; `null`/`undefined`
 * for "not authenticated" (HTTP 401, close 4100: the client refreshes its token once); `false` for
 * "authenticated but not allowed" (HTTP 403, close 4003: the client stops).
 */
export type Authenticate = (context: AuthenticateContext) => Identity | boolean | null | undefined | Promise<Identity | boolean | null | undefined>;

export interface ChannelContext {
  readonly channel: string;
  readonly session: string | null;
  readonly identity: Identity;
}

export interface PublishContext extends ChannelContext {
  readonly event: string;
  readonly data: unknown;
}

export interface HubHooks {
  onSessionOpen?(session: HubSession): void;
  onSessionClose?(session: HubSession): void;
  onSubscribe?(session: HubSession, channel: string, result: { readonly resumed: boolean; readonly replayed: number } | { readonly refused: RealtimeErrorCode }): void;
}

/** What `clientIp` gets to find a client's address. */
export interface ClientIpContext {
  readonly headers: Headers;
  /** The TCP peer's address, when known (the WebSocket server and `toNodeHandler` know it). */
  readonly remoteAddress: string | undefined;
}

export interface HubOptions {
  /** Where messages, history and presence live. Default: a new in-memory broker. */
  broker?: Broker;
  /** Signs/verifies channel authorisations and session ids, and authorises server-to-server publishes. */
  secret?: string;
  /** Key prefixed to channel signatures (`key:signature`). Default `switchboard`. */
  key?: string;
  authenticate?: Authenticate;
  /** Extra check for client publishes (after signatures). Server-to-server publishes skip it. */
  canPublish?: (context: PublishContext) => boolean | Promise<boolean>;
  /** Extra check for subscriptions (after signatures). */
  canSubscribe?: (context: ChannelContext) => boolean | Promise<boolean>;
  limits?: Partial<WireLimits>;
  /** Burst allowance of the per-connection rate limit. Default ten seconds' worth. */
  burst?: number;
  /** WebSocket heartbeat interval. Default 25 s. */
  heartbeatMs?: number;
  /** SSE comment heartbeat interval. Default 15 s. */
  sseHeartbeatMs?: number;
  /** How long presence of an HTTP client (polling, SSE) lasts without a poll or stream. Default 30 s. */
  presenceTimeoutMs?: number;
  /**
   * A closed SSE stream's presence is kept this long for the same session to come back. Default 5 s.
   * A WebSocket's presence lasts 2 × (`heartbeatMs` + this) without a heartbeat (a process that died).
   */
  presenceGraceMs?: number;
  /**
   * Open connections (WebSockets, SSE streams, held polls) per client address. Beyond it, a WebSocket
   * is closed with 1013 and an HTTP request answered `429 RATE_LIMITED`. Default unlimited.
   */
  maxConnectionsPerIp?: number;
  /**
   * A client's address for `maxConnectionsPerIp`. Default: the TCP peer address. Behind a proxy you
   * trust, read its header instead, e.g. `({ headers }) => headers.get('x-forwarded-for')?.split(',')[0]?.trim()`.
   */
  clientIp?: (context: ClientIpContext) => string | null | undefined;
  hooks?: HubHooks;
  clock?: ServerClock;
  /** Where unexpected server errors go. Default `console.error`. */
  onError?: (error: unknown) => void;
}
