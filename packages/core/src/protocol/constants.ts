import type { WireLimits } from './frames.js';

/**
 * Close codes the server kit uses on WebSockets. What the client does with each is decided by the
 * core's fatal-rule table (docs/fatal-rules.md); this names them for both sides.
 */
export const CLOSE_CODES = {
  /** The client closed, or the server ended the connection in an orderly way. Retried. */
  NORMAL: 1000,
  /** The server is shutting down. Retried with backoff. */
  GOING_AWAY: 1001,
  /** Bad `hello`, unsupported protocol version. Fatal (`CONNECTION_REFUSED`). */
  PROTOCOL_ERROR: 1002,
  /** Too many invalid frames, no `hello` in time. Fatal. */
  POLICY_VIOLATION: 1008,
  /** A frame beyond the hard size limit. Fatal. */
  TOO_BIG: 1009,
  /** The server failed. Retried. */
  INTERNAL_ERROR: 1011,
  /** The server restarts. Retried. */
  SERVICE_RESTART: 1012,
  /** The server is overloaded (connection limit). Retried after the cap, with jitter. */
  TRY_AGAIN_LATER: 1013,
  /** `authenticate` refused this client for good. Fatal (`FORBIDDEN`). */
  FORBIDDEN: 4003,
  /** Missing, invalid or expired token. Credentials refreshed once, then `failed` (`UNAUTHORIZED`). */
  UNAUTHORIZED: 4100,
  /** The server heard nothing from the client within its deadline. Retried at once. */
  HEARTBEAT_TIMEOUT: 4200,
  /** The client read too slowly and the server's send buffer filled up. Retried at once, resumed. */
  SLOW_CONSUMER: 4201,
} as const;

/** Default limits of the server kit (and what a client assumes before `welcome`). */
export const DEFAULT_LIMITS: WireLimits = /* @__PURE__ */ Object.freeze({
  maxFrameBytes: 128 * 1024,
  maxChannels: 100,
  messagesPerSecond: 100,
});

/** HTTP headers of the SSE and polling endpoints. */
export const HEADERS = {
  /** Channel signatures for `private-*` / `presence-*` channels: `encodeURIComponent(JSON)` of `{ [channel]: { auth, channelData? } }`. */
  channelAuth: 'x-switchboard-auth',
  /** Session id on responses (polling). */
  session: 'x-switchboard-session',
} as const;

/** Query parameters of the SSE and polling endpoints. */
export const QUERY = {
  /** Repeated: one per channel, in order. Cursors (Last-Event-ID / If-None-Match) are positional. */
  channel: 'channel',
  /** The session to continue (channel signatures are bound to it). */
  session: 'session',
  /** Long poll: hold the request up to this many seconds waiting for something new. */
  wait: 'wait',
} as const;

/**
 * SSE event type (not a JSON frame) the server writes right before ending a stream on purpose (its
 * `maxStreamMs`): the client reopens at once with its cursors, without reporting a disconnect.
 */
export const SSE_RECONNECT_EVENT = 'reconnect';

/** Channels whose subscription needs a signature. */
export function isPrivateChannel(channel: string): boolean {
  return channel.startsWith('private-') || channel.startsWith('presence-');
}

/** Channels whose members are identified by the signed `channelData.user_id`. */
export function isPresenceChannel(channel: string): boolean {
  return channel.startsWith('presence-');
}

const CHANNEL_NAME = /^[\x21-\x7e]{1,200}$/;

/** A channel name: 1–200 printable ASCII characters, no spaces. */
export function isValidChannelName(channel: unknown): channel is string {
  return typeof channel === 'string' && CHANNEL_NAME.test(channel);
}

/** An event name: 1–200 characters, no control characters. */
export function isValidEventName(event: unknown): event is string {
  if (typeof event !== 'string' || event.length === 0 || event.length > 200) return false;
  for (let i = 0; i < event.length; i++) if (event.charCodeAt(i) < 0x20) return false;
  return true;
}
