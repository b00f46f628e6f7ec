/**
 * `@switchboard/core/env`: choose the transport by configuration, so swapping Pusher for a self-hosted
 * WebSocket server (or SSE from route handlers) is an `.env.local` change, not a code change.
 *
 * Next.js inlines `process.env.NEXT_PUBLIC_*` into browser code only where it is written literally, so
 * browser code passes the values in explicitly; server code can read them all with `readTransportEnv`.
 * Only public values belong in `NEXT_PUBLIC_*`: a secret found there is refused.
 *
 * @example
 * // app/realtime.ts ('use client')
 * import { transportFromEnv } from '@switchboard/core/env';
 * import { websocket } from '@switchboard/core/websocket';
 * import { sse } from '@switchboard/core/sse';
 * import { pusher } from '@switchboard/pusher';
 *
 * export const client = createClient({
 *   transport: transportFromEnv(
 *     {
 *       transport: process.env.NEXT_PUBLIC_SWITCHBOARD_TRANSPORT, // websocket | sse | polling | pusher | ably | socket.io
 *       url: process.env.NEXT_PUBLIC_SWITCHBOARD_URL,
 *       key: process.env.NEXT_PUBLIC_SWITCHBOARD_KEY,
 *       cluster: process.env.NEXT_PUBLIC_SWITCHBOARD_CLUSTER,
 *       authEndpoint: process.env.NEXT_PUBLIC_SWITCHBOARD_AUTH_ENDPOINT,
 *     },
 *     { websocket, sse, pusher }, // only what you may switch to is bundled
 *   ),
 * });
 */
import { RealtimeError } from './errors.js';
import type { Transport } from './transport.js';

export const TRANSPORT_KINDS = ['websocket', 'sse', 'polling', 'pusher', 'ably', 'socket.io'] as const;
export type TransportKind = (typeof TRANSPORT_KINDS)[number];

/** The public configuration, as found in `NEXT_PUBLIC_SWITCHBOARD_*` (names in `ENV_NAMES`). */
export interface TransportEnv {
  /** websocket | sse | polling | pusher | ably | socket.io. Default websocket. */
  transport?: string | undefined;
  /** The endpoint: `ws(s)://…` (websocket), the route handler (sse, polling), the socket.io server. */
  url?: string | undefined;
  /** Channel authorisation (private-*, presence-*); for Ably, the token URL. */
  authEndpoint?: string | undefined;
  /** Where publishes are POSTed (sse; pusher's app endpoint). */
  publishUrl?: string | undefined;
  /** Pusher app key (public by design). */
  key?: string | undefined;
  /** Pusher cluster. */
  cluster?: string | undefined;
  /** Self-hosted or local host (Pusher-compatible `wsHost`, Ably `endpoint`). */
  host?: string | undefined;
  port?: string | number | undefined;
  /** `false` for plain ws/http to `host`. */
  tls?: string | boolean | undefined;
  /** Polling interval in ms. */
  intervalMs?: string | number | undefined;
}

/** The environment variable behind each field. */
export const ENV_NAMES: Readonly<Record<keyof TransportEnv, string>> = /* @__PURE__ */ Object.freeze({
  transport: 'NEXT_PUBLIC_SWITCHBOARD_TRANSPORT',
  url: 'NEXT_PUBLIC_SWITCHBOARD_URL',
  authEndpoint: 'NEXT_PUBLIC_SWITCHBOARD_AUTH_ENDPOINT',
  publishUrl: 'NEXT_PUBLIC_SWITCHBOARD_PUBLISH_URL',
  key: 'NEXT_PUBLIC_SWITCHBOARD_KEY',
  cluster: 'NEXT_PUBLIC_SWITCHBOARD_CLUSTER',
  host: 'NEXT_PUBLIC_SWITCHBOARD_HOST',
  port: 'NEXT_PUBLIC_SWITCHBOARD_PORT',
  tls: 'NEXT_PUBLIC_SWITCHBOARD_TLS',
  intervalMs: 'NEXT_PUBLIC_SWITCHBOARD_INTERVAL_MS',
});

interface Auth {
  endpoint: string;
}

/**
 * The factories an app may switch between. Each is the transport's own factory; only the ones passed
 * are bundled. Method syntax: each accepts its package's full options, of which these are a part.
 */
export interface TransportFactories {
  websocket?(options: { url: string; auth?: Auth }): Transport;
  sse?(options: { url: string; publishUrl?: string; auth?: Auth }): Transport;
  polling?(options: { url: string; intervalMs?: number; auth?: Auth }): Transport;
  pusher?(options: { key: string; cluster?: string; wsHost?: string; wsPort?: number; forceTLS?: boolean; authEndpoint?: string; publishUrl?: string }): Transport;
  ably?(options: { authUrl?: string; endpoint?: string; port?: number; tls?: boolean }): Transport;
  'socket.io'?(options: { url: string; auth?: Auth }): Transport;
}

const SECRET_NAME = /SECRET|PRIVATE|PASSWORD|API_?KEY|TOKEN/i;

/**
 * Reads the `NEXT_PUBLIC_SWITCHBOARD_*` variables from an environment object (server side: pass
 * `process.env`). Refuses a secret-looking public variable, which would end up in the browser bundle.
 */
export function readTransportEnv(env: Readonly<Record<string, string | undefined>>): TransportEnv {
  for (const name of Object.keys(env)) {
    if (name.startsWith('NEXT_PUBLIC_') && SECRET_NAME.test(name) && env[name]) {
      throw new RealtimeError('FORBIDDEN', `${name} looks like a secret, and NEXT_PUBLIC_* variables are shipped to the browser. Keep secrets in server-only variables.`, {
        details: { variable: name },
      });
    }
  }
  const out: TransportEnv = {};
  for (const [field, name] of Object.entries(ENV_NAMES) as [keyof TransportEnv, string][]) {
    const value = env[name];
    if (value !== undefined && value !== '') out[field] = value;
  }
  return out;
}

const number = (value: string | number | undefined): number | undefined => {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
};
const bool = (value: string | boolean | undefined): boolean | undefined =>
  value === undefined || value === '' ? undefined : value === true || value === 'true' || value === '1';

function missing(kind: string, what: string): never {
  throw new RealtimeError('PROTOCOL_ERROR', `The ${kind} transport needs ${what}.`, { details: { transport: kind } });
}

/** Builds the configured transport from one of the factories passed in. */
export function transportFromEnv(env: TransportEnv, factories: TransportFactories): Transport {
  const kind = (env.transport ?? 'websocket') as TransportKind;
  if (!(TRANSPORT_KINDS as readonly string[]).includes(kind)) {
    throw new RealtimeError('CAPABILITY_MISSING', `Unknown transport "${String(env.transport)}" in ${ENV_NAMES.transport}: use one of ${TRANSPORT_KINDS.join(', ')}.`, {
      details: { transport: String(env.transport) },
    });
  }
  const factory = factories[kind];
  if (!factory) {
    const from = kind === 'websocket' || kind === 'sse' || kind === 'polling' ? `@switchboard/core/${kind}` : `@switchboard/${kind}`;
    throw new RealtimeError('CAPABILITY_MISSING', `${ENV_NAMES.transport}=${kind}, but no ${kind} factory was passed to transportFromEnv(): import it from "${from}" and add it.`, {
      details: { transport: kind },
    });
  }
  const auth = env.authEndpoint ? { auth: { endpoint: env.authEndpoint } } : {};
  const port = number(env.port);
  const tls = bool(env.tls);
  switch (kind) {
    case 'websocket':
    case 'socket.io':
      return (factory as NonNullable<TransportFactories['websocket']>)({ url: env.url ?? missing(kind, `${ENV_NAMES.url}`), ...auth });
    case 'sse':
      return factories.sse!({ url: env.url ?? missing(kind, ENV_NAMES.url), ...(env.publishUrl ? { publishUrl: env.publishUrl } : {}), ...auth });
    case 'polling': {
      const intervalMs = number(env.intervalMs);
      return factories.polling!({ url: env.url ?? missing(kind, ENV_NAMES.url), ...(intervalMs === undefined ? {} : { intervalMs }), ...auth });
    }
    case 'pusher':
      return factories.pusher!({
        key: env.key ?? missing(kind, ENV_NAMES.key),
        ...(env.cluster ? { cluster: env.cluster } : {}),
        ...(env.host ? { wsHost: env.host } : {}),
        ...(port === undefined ? {} : { wsPort: port }),
        ...(tls === undefined ? {} : { forceTLS: tls }),
        ...(env.authEndpoint ? { authEndpoint: env.authEndpoint } : {}),
        ...(env.publishUrl ? { publishUrl: env.publishUrl } : {}),
      });
    case 'ably':
      if (env.key?.includes(':')) {
        throw new RealtimeError('FORBIDDEN', `${ENV_NAMES.key} holds an Ably API key (it contains its secret): use token auth with ${ENV_NAMES.authEndpoint}.`, {
          details: { transport: 'ably' },
        });
      }
      return factories.ably!({
        ...(env.authEndpoint ? { authUrl: env.authEndpoint } : {}),
        ...(env.host ? { endpoint: env.host } : {}),
        ...(port === undefined ? {} : { port }),
        ...(tls === undefined ? {} : { tls }),
      });
  }
}
