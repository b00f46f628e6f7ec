/**
 * Which transport the browser uses, decided on the SERVER at request time from the environment
 * (`readTransportEnv`) and handed to the client as props: changing `NEXT_PUBLIC_SWITCHBOARD_TRANSPORT`
 * is a restart, not a rebuild. Unset values get the demo's local backends. Only public values travel;
 * `readTransportEnv` refuses a secret in a NEXT_PUBLIC_ variable.
 */
import { readTransportEnv, TRANSPORT_KINDS, type TransportEnv, type TransportKind } from '@switchboard/core/env';
import { headers } from 'next/headers';
import { hasOwnBackend, vendors } from './server/vendors';

export type { TransportKind };

export interface RealtimeConfig {
  /** What `transportFromEnv()` builds the client's transport from. */
  transport: TransportEnv & { transport: TransportKind };
  /** The route handlers for SSE, polling and publish (the dashboard always polls them). */
  httpUrl: string;
  /** The transport talks to this app's hub (a server kit transport with no URL of its own): its cursors are the hub's. */
  servedByHub: boolean;
}

export async function realtimeConfig(): Promise<RealtimeConfig> {
  // process.env as a whole is read at run time (Next.js inlines only literal `process.env.NEXT_PUBLIC_X`).
  const env = readTransportEnv(process.env);
  const kind = (TRANSPORT_KINDS as readonly string[]).includes(env.transport ?? '') ? (env.transport as TransportKind) : 'websocket';
  const host = ((await headers()).get('host') ?? 'localhost').replace(/:\d+$/, '');
  const httpUrl = '/api/realtime';
  const local = hasOwnBackend(env) ? {} : await localBackend(kind, host);
  const servedByHub = (kind === 'websocket' || kind === 'sse' || kind === 'polling') && env.url === undefined;
  return { transport: { ...local, ...env, transport: kind }, httpUrl, servedByHub };
}

/** Where the demo's own backends are, for whatever the environment does not set. */
async function localBackend(kind: TransportKind, host: string): Promise<TransportEnv> {
  const started = await vendors(kind);
  switch (kind) {
    case 'websocket':
      return { url: `ws://${host}:${process.env.SWITCHBOARD_WS_PORT ?? '3001'}/realtime`, authEndpoint: '/api/realtime/auth' };
    case 'sse':
      return { url: '/api/realtime', authEndpoint: '/api/realtime/auth' };
    case 'polling':
      return { url: '/api/realtime', authEndpoint: '/api/realtime/auth', intervalMs: 1000 };
    case 'pusher':
      return { key: 'conformance-key', host, port: started.pusher?.port, tls: false, authEndpoint: '/api/pusher/auth', publishUrl: '/api/pusher/publish' };
    case 'ably':
      return { host, port: started.ably?.port, tls: false, authEndpoint: '/api/ably/token' };
    case 'socket.io':
      return { url: `http://${host}:${started.socketIO?.port ?? 3002}`, authEndpoint: '/api/socket-io/auth' };
  }
}

const COLORS = ['#7aa2ff', '#3ecf8e', '#f5a524', '#f25f5c', '#c084fc', '#2dd4bf'];

/** A guest identity, made on the server so the server render and hydration agree. */
export function guest(): { name: string; color: string } {
  const id = Math.random().toString(36).slice(2, 6);
  return { name: `guest-${id}`, color: COLORS[Math.floor(Math.random() * COLORS.length)]! };
}
