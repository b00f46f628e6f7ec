/**
 * Which transport the browser uses, read on the SERVER at request time and handed to the client as
 * props: changing `NEXT_PUBLIC_SWITCHBOARD_TRANSPORT` is a restart, not a rebuild. Only public values
 * travel; secrets stay in the server's environment.
 */
import { headers } from 'next/headers';

export const TRANSPORTS = ['websocket', 'sse', 'polling', 'pusher', 'ably', 'socket.io'] as const;
export type TransportKind = (typeof TRANSPORTS)[number];

export interface RealtimeConfig {
  transport: TransportKind;
  /** The server kit's WebSocket endpoint. */
  websocketUrl: string;
  /** The route handlers for SSE, polling and publish. */
  httpUrl: string;
  /** Channel auth (private-* / presence-*). */
  authEndpoint: string;
}

/**
 * Next.js inlines `process.env.NEXT_PUBLIC_*` at BUILD time, on the server too. Reading through a
 * computed key keeps it a runtime value here, so a restart with another value switches the transport.
 */
function runtimeEnv(name: string): string | undefined {
  return process.env[name];
}

export async function realtimeConfig(): Promise<RealtimeConfig> {
  const requested = runtimeEnv('NEXT_PUBLIC_SWITCHBOARD_TRANSPORT') ?? 'websocket';
  const transport = (TRANSPORTS as readonly string[]).includes(requested) ? (requested as TransportKind) : 'websocket';
  const host = ((await headers()).get('host') ?? 'localhost').replace(/:\d+$/, '');
  const wsPort = runtimeEnv('SWITCHBOARD_WS_PORT') ?? '3001';
  return {
    transport,
    websocketUrl: runtimeEnv('NEXT_PUBLIC_SWITCHBOARD_WS_URL') ?? `ws://${host}:${wsPort}/realtime`,
    httpUrl: '/api/realtime',
    authEndpoint: '/api/realtime/auth',
  };
}

const COLORS = ['#7aa2ff', '#3ecf8e', '#f5a524', '#f25f5c', '#c084fc', '#2dd4bf'];

/** A guest identity, made on the server so the server render and hydration agree. */
export function guest(): { name: string; color: string } {
  const id = Math.random().toString(36).slice(2, 6);
  return { name: `guest-${id}`, color: COLORS[Math.floor(Math.random() * COLORS.length)]! };
}
