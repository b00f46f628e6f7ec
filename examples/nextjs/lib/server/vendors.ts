/**
 * The vendor backends of the demo, started only when the configured transport needs them:
 * - Socket.IO: a real socket.io 4.8 server with `@switchboard/socket.io/server` on its own port;
 * - Pusher and Ably: without real keys, local servers that speak their wire protocols (the test peers
 *   of packages/conformance). With a real Pusher or Ably account you set public keys instead and none
 *   of this runs.
 */
import { createServer } from 'node:http';
import type { TransportEnv } from '@switchboard/core/env';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { attachSwitchboard } from '@switchboard/socket.io/server';
import { startPusherPeer, PUSHER_KEY, PUSHER_SECRET, type PusherPeer } from '@switchboard/conformance/peers/pusher';
import { startAblyPeer, type AblyPeer } from '@switchboard/conformance/peers/ably';

export const SOCKET_IO_SECRET = process.env.SWITCHBOARD_SECRET ?? 'demo-secret-not-for-production';
export { PUSHER_KEY, PUSHER_SECRET };

export interface Vendors {
  pusher?: PusherPeer;
  ably?: AblyPeer;
  socketIO?: { port: number };
}

/**
 * A vendor transport with anything of its own configured (a key, a URL, a host, an auth endpoint)
 * talks to that service: the demo starts no local stand-in for it.
 */
export function hasOwnBackend(env: TransportEnv): boolean {
  const vendor = env.transport === 'pusher' || env.transport === 'ably' || env.transport === 'socket.io';
  return vendor && (env.key ?? env.url ?? env.host ?? env.authEndpoint) !== undefined;
}

const g = globalThis as { __switchboardVendors?: Promise<Vendors> };

/** Starts what `transport` needs (once per process). */
export function vendors(transport: string): Promise<Vendors> {
  g.__switchboardVendors ??= start(transport);
  return g.__switchboardVendors;
}

async function start(transport: string): Promise<Vendors> {
  const presenceUser = () => ({ userId: `guest-${Math.random().toString(36).slice(2, 8)}` });
  // Fixed ports, so a browser that loaded the page reconnects to the same place after a server restart.
  const port = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
  switch (transport) {
    case 'pusher':
      return { pusher: await startPusherPeer({ key: PUSHER_KEY, secret: PUSHER_SECRET, heartbeatMs: 15_000, listenPort: port('SWITCHBOARD_PUSHER_PORT', 3003), authorize: ({ channel }) => (channel.startsWith('presence-') ? presenceUser() : true) }) };
    case 'ably':
      return { ably: await startAblyPeer({ heartbeatMs: 15_000, presenceTimeoutMs: 30_000, listenPort: port('SWITCHBOARD_ABLY_PORT', 3004) }) };
    case 'socket.io': {
      const http = createServer();
      const io = new Server(http, { cors: { origin: true, credentials: true }, connectionStateRecovery: { maxDisconnectionDuration: 2 * 60_000 } });
      attachSwitchboard(io, { secret: SOCKET_IO_SECRET });
      await new Promise<void>((resolve) => http.listen(port('SWITCHBOARD_SOCKET_IO_PORT', 3002), process.env.SWITCHBOARD_WS_HOST ?? '127.0.0.1', resolve));
      return { socketIO: { port: (http.address() as AddressInfo).port } };
    }
    default:
      return {};
  }
}
