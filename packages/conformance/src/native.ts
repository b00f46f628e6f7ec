import { polling } from '@switchboard/core/polling';
import { sse } from '@switchboard/core/sse';
import { websocket } from '@switchboard/core/websocket';
import { createHub, createMemoryBroker, serve, type RunningServer } from '@switchboard/server';
import WebSocket from 'ws';
import type { ConformanceTarget, Peer, PeerOptions } from './target.js';

export const NATIVE_SECRET = 'conformance-secret';
export const REFUSED_TOKEN = 'expired-token';
const PATH = '/realtime';

/**
 * The server kit on 127.0.0.1, port 0, with a broker that survives `kill()` (a restart with `empty`
 * is a new process with an in-memory broker: a new epoch, no history). `stateless`: the
 * transport keeps no subscription on the server (polling), so there are none to count.
 */
export async function startNativePeer(options: PeerOptions, stateless = false): Promise<Peer> {
  const subscribes = new Map<string, number>();
  // What a server process holds in memory: a restart with `empty` starts a new one (a new epoch).
  const memory = () => {
    const broker = createMemoryBroker({ historySize: 10_000 });
    const hub = createHub({
      broker,
      secret: NATIVE_SECRET,
      heartbeatMs: options.heartbeatMs,
      sseHeartbeatMs: options.heartbeatMs,
      presenceTimeoutMs: options.presenceTimeoutMs,
      presenceGraceMs: Math.min(options.presenceTimeoutMs, 500),
      limits: { messagesPerSecond: 1000 },
      authenticate: ({ token }) => (token === REFUSED_TOKEN ? null : {}),
      hooks: {
        onSubscribe(_session, channel, result) {
          if (!('refused' in result)) subscribes.set(channel, (subscribes.get(channel) ?? 0) + 1);
        },
      },
      onError: (error) => console.error('[conformance peer]', error),
    });
    return { broker, hub };
  };
  let { broker, hub } = memory();
  const start = async () => {
    const running = await serve({
      port: 0,
      hub,
      path: PATH,
      authorize: ({ channel, session }) => (channel.includes('denied') ? false : channel.startsWith('presence-') ? { userId: session.slice(0, 12) } : true),
    });
    // Idle keep-alive sockets of `fetch` belong to its pool, not to a transport: close them quickly so
    // "destroy() leaves nothing" can be checked strictly.
    running.server.keepAliveTimeout = 100;
    return running;
  };
  const forget = async () => {
    await hub.close();
    await broker.close();
  };
  let server: RunningServer | null = await start();
  let port = server.port;
  return {
    get port() {
      return port;
    },
    async publish(channel, event, data) {
      await hub.publish(channel, event, data);
    },
    sessions: () => hub.sessions.size,
    ...(stateless ? {} : { subscribes: (channel: string) => subscribes.get(channel) ?? 0 }),
    async kill() {
      await server?.close({ terminate: true });
      server = null;
    },
    async restart({ empty = false } = {}) {
      if (empty) {
        await forget();
        ({ broker, hub } = memory());
      }
      server = await start();
      port = server.port;
    },
    async close() {
      await server?.close({ terminate: true });
      server = null;
      await forget();
    },
  };
}

const common = {
  startPeer: startNativePeer,
  restartsEmpty: true,
  refusedToken: { token: REFUSED_TOKEN, code: 'UNAUTHORIZED' as const },
  goodToken: 'valid-token',
  privateChannels: { allowed: 'private-room', refused: 'private-denied' },
};

const url = (port: number) => `http://127.0.0.1:${port}${PATH}`;
const auth = (port: number) => ({ endpoint: `${url(port)}/auth` });

export const websocketTarget: ConformanceTarget = {
  ...common,
  name: 'websocket',
  createTransport: (port, options) =>
    websocket({
      url: `ws://127.0.0.1:${port}${PATH}`,
      WebSocket,
      auth: auth(port),
      ...(options.maxFrameBytes === undefined ? {} : { maxFrameBytes: options.maxFrameBytes }),
    }),
  liveness: (heartbeatMs, graceMs) => ({ code: 'HEARTBEAT_TIMEOUT', deadlineMs: heartbeatMs + graceMs }),
};

export const sseTarget: ConformanceTarget = {
  ...common,
  name: 'sse',
  createTransport: (port, options) =>
    sse({ url: url(port), auth: auth(port), ...(options.maxFrameBytes === undefined ? {} : { maxFrameBytes: options.maxFrameBytes }) }),
  liveness: (heartbeatMs, graceMs) => ({ code: 'HEARTBEAT_TIMEOUT', deadlineMs: heartbeatMs + graceMs }),
};

const POLL_INTERVAL_MS = 50;
const FAST_TIMEOUT_MS = 500;

export const pollingTarget: ConformanceTarget = {
  ...common,
  startPeer: (options) => startNativePeer(options, true),
  name: 'polling',
  createTransport: (port, options) =>
    polling({
      url: url(port),
      auth: auth(port),
      intervalMs: POLL_INTERVAL_MS,
      visibility: false,
      ...(options.fastTimeouts ? { requestTimeoutMs: FAST_TIMEOUT_MS } : {}),
      ...(options.maxFrameBytes === undefined ? {} : { maxFrameBytes: options.maxFrameBytes }),
    }),
  // No heartbeat: every poll has a timeout, so a half-open connection is noticed by the next poll.
  liveness: () => ({ code: 'CONNECTION_LOST', deadlineMs: POLL_INTERVAL_MS + FAST_TIMEOUT_MS }),
};

/** Long polling: the same suite, with every poll held by the server until something happens. */
export const longPollingTarget: ConformanceTarget = {
  ...pollingTarget,
  name: 'polling (long poll)',
  createTransport: (port, options) =>
    polling({
      url: url(port),
      auth: auth(port),
      longPoll: { waitMs: options.fastTimeouts ? 1000 : 5000 },
      visibility: false,
      ...(options.fastTimeouts ? { requestTimeoutMs: FAST_TIMEOUT_MS } : {}),
      ...(options.maxFrameBytes === undefined ? {} : { maxFrameBytes: options.maxFrameBytes }),
    }),
  liveness: () => ({ code: 'CONNECTION_LOST', deadlineMs: 1000 + FAST_TIMEOUT_MS }),
};
