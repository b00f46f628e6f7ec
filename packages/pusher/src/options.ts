import { utf8Length } from '@switchboard/core/protocol';
import type { ChannelAuthorizer } from './auth.js';
import type { HeadersOption } from './http.js';
import type { PusherConstructor } from './sdk.js';

/**
 * Options of the Pusher transport. Everything but `authorize`, `headers` (as a function) and `Pusher`
 * is plain data, so the transport can be built from environment variables.
 */
export interface PusherTransportOptions {
  /** The app key (public; never the app secret, which stays on your server). */
  key: string;
  /** Pusher cluster, e.g. `eu`. Default `mt1`. */
  cluster?: string;
  /** WebSocket host, for a Pusher-compatible server of your own. Default: the cluster's host. */
  wsHost?: string;
  /** Port for `ws://` (with `forceTLS: false`). */
  wsPort?: number;
  /** Port for `wss://`. */
  wssPort?: number;
  /** Path prefix before `/app/<key>`. */
  wsPath?: string;
  /** `wss://` only. Default `true`; `false` connects with `ws://` only (local servers). */
  forceTLS?: boolean;
  /**
   * Channel auth endpoint of your app, for `private-*` and `presence-*` channels: POSTed Pusher's form
   * (`socket_id`, `channel_name`), answering `{ auth, channel_data? }` — what Pusher's server libraries
   * or `createAuthHandler` from `@switchboard/server` return.
   */
  authEndpoint?: string;
  /** Signs channels your own way instead of `authEndpoint` (e.g. a server action). */
  authorize?: ChannelAuthorizer;
  /**
   * Pusher user authentication ("sign in"): POSTed `socket_id`, answering `{ auth, user_data }` with the
   * user's `id`. The connection counts as connected once signed in; the user id becomes this client's
   * presence member id (`me`). A 401 re-authenticates once, then the client fails (`UNAUTHORIZED`).
   */
  userAuthEndpoint?: string;
  /**
   * Your app's publish endpoint: POSTed JSON `{ channel, event, data, id, socket_id }`; it triggers the
   * event through Pusher's HTTP API and answers 2xx. Without it, publishing needs client events.
   */
  publishUrl?: string;
  /**
   * Publish `client-*` events on `private-*`/`presence-*` channels this client is subscribed to (they must
   * be enabled for the app in Pusher's dashboard), and carry presence data with them. Default `true`.
   */
  clientEvents?: boolean;
  /** Extra headers for the auth, user-auth and publish requests. */
  headers?: HeadersOption;
  /** `fetch` credentials mode of those requests. Default `same-origin`. */
  credentials?: 'omit' | 'same-origin' | 'include';
  /** Those requests time out after this. Default 10 s. */
  requestTimeoutMs?: number;
  /** An attempt not connected (and signed in) within this is abandoned and retried. Default 10 s. */
  connectTimeoutMs?: number;
  /** Largest payload published (Pusher's limit is 10 KiB per event). Default 10240 bytes. */
  maxMessageBytes?: number;
  /** Inbound events with larger payloads are dropped with `FRAME_TOO_LARGE`. Default 128 KiB. */
  maxFrameBytes?: number;
  /** The pusher-js class (e.g. from `pusher-js/with-encryption`). Default: `pusher-js`, loaded on first connect. */
  Pusher?: PusherConstructor;
}

export interface ResolvedOptions {
  readonly key: string;
  readonly cluster: string;
  readonly forceTLS: boolean;
  readonly clientEvents: boolean;
  readonly requestTimeoutMs: number;
  readonly connectTimeoutMs: number;
  readonly maxMessageBytes: number;
  readonly maxFrameBytes: number;
  readonly options: PusherTransportOptions;
}

export function resolveOptions(options: PusherTransportOptions): ResolvedOptions {
  if (typeof options?.key !== 'string' || options.key === '') throw new TypeError('pusher(): `key` (the app key) is required.');
  return {
    key: options.key,
    cluster: options.cluster ?? 'mt1',
    forceTLS: options.forceTLS ?? true,
    clientEvents: options.clientEvents ?? true,
    requestTimeoutMs: options.requestTimeoutMs ?? 10_000,
    connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
    maxMessageBytes: options.maxMessageBytes ?? 10 * 1024,
    maxFrameBytes: options.maxFrameBytes ?? 128 * 1024,
    options,
  };
}

/** Pusher channel names: letters, digits and `_ - = @ , . ;`, at most 164 characters. */
export function isValidPusherChannel(channel: string): boolean {
  return /^[-a-zA-Z0-9_=@,.;]{1,164}$/.test(channel);
}

export const isPresenceChannel = (channel: string): boolean => channel.startsWith('presence-');

/** Pusher allows client events on private and presence channels, not on encrypted ones. */
export const allowsClientEvents = (channel: string): boolean =>
  (channel.startsWith('private-') && !channel.startsWith('private-encrypted-')) || isPresenceChannel(channel);

export const needsAuth = (channel: string): boolean => channel.startsWith('private-') || isPresenceChannel(channel);

/** UTF-8 length of a value's JSON (0 for values JSON cannot encode). */
export function jsonBytes(value: unknown): number {
  if (typeof value === 'string') return utf8Length(value) + 2;
  try {
    const text = JSON.stringify(value);
    return text === undefined ? 0 : utf8Length(text);
  } catch {
    return 0;
  }
}
