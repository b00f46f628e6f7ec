import { createServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket as NetSocket } from 'node:net';
import { authorizeChannel } from '@switchboard/server';
import { Server, type Namespace } from 'socket.io';
import type { Peer, PeerOptions } from '../target.js';

/**
 * A real socket.io 4.8 server on 127.0.0.1, port 0, with connection state recovery on and the
 * switchboard server helper attached (`@switchboard/socket.io/server`, passed in by the test as
 * `createHelper`, since this package does not depend on the transport packages). The same HTTP server
 * answers `POST /auth` with Pusher-scheme channel signatures (signed by the server kit, checked by the
 * helper: the two interoperate).
 *
 * What survives `kill()` — as it would with a persistent adapter (e.g. Redis streams) and a helper
 * living in a supervisor process:
 * - the helper and its state: publish dedup window, presence registry, message id sequence;
 * - socket.io's recovery store: the persisted sessions (socket id, pid, rooms, data) and the log of
 *   broadcast packets with their offsets, moved from the dead server's adapter to the new one's.
 * Everything else dies with the process: engine.io connections, sockets, timers.
 */
export interface SocketIOPeerHelper {
  /** Serves switchboard on a namespace; returns `detach`. */
  attach(target: Namespace): () => void;
  publish(channel: string, event: string, data: unknown): unknown;
  close(): void;
}

/** What the peer tells the helper it builds (once per peer: it outlives `kill()`/`restart()`). */
export interface SocketIOPeerContext {
  /** Channel signatures are checked against this secret (the `/auth` endpoint signs with it). */
  readonly secret: string;
  /** Handshakes presenting this token must be refused with `UNAUTHORIZED`. */
  readonly refusedToken: string;
  /** Presence of a dropped socket is kept this long. */
  readonly presenceGraceMs: number;
  /** Call for every accepted subscription (the suite counts them). */
  onSubscribe(channel: string): void;
}

export interface SocketIOPeer extends Peer {
  /** The running socket.io server (`null` while killed). */
  readonly io: Server | null;
  /** engine.io connections accepted since the peer started (across restarts). */
  readonly connections: number;
}

export const SOCKET_IO_SECRET = 'conformance-socket-io-secret';
export const SOCKET_IO_REFUSED_TOKEN = 'expired-token';

/** The part of socket.io's session-aware adapter that recovery reads (its fields are private in the types). */
interface RecoveryStore {
  sessions: Map<string, unknown>;
  packets: unknown[];
}

export async function startSocketIOPeer(options: PeerOptions, createHelper: (context: SocketIOPeerContext) => SocketIOPeerHelper): Promise<SocketIOPeer> {
  const subscribes = new Map<string, number>();
  const helper = createHelper({
    secret: SOCKET_IO_SECRET,
    refusedToken: SOCKET_IO_REFUSED_TOKEN,
    presenceGraceMs: Math.min(options.presenceTimeoutMs, 500),
    onSubscribe: (channel) => subscribes.set(channel, (subscribes.get(channel) ?? 0) + 1),
  });
  let store: RecoveryStore | null = null;
  let connections = 0;

  interface Running {
    readonly http: HttpServer;
    readonly io: Server;
    readonly sockets: Set<NetSocket>;
    readonly detach: () => void;
    readonly port: number;
  }

  const start = async (): Promise<Running> => {
    const http = createServer(answerAuth);
    // Idle keep-alive sockets of `fetch` (the auth endpoint) belong to its pool: close them quickly so
    // "destroy() leaves nothing" can be checked strictly.
    http.keepAliveTimeout = 100;
    const sockets = new Set<NetSocket>();
    http.on('connection', (socket) => {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
    });
    const io = new Server(http, {
      connectionStateRecovery: { maxDisconnectionDuration: 2 * 60_000 },
      pingInterval: options.heartbeatMs,
      pingTimeout: Math.max(2 * options.heartbeatMs, 500),
    });
    io.engine.on('connection', () => connections++);
    const adapter = io.of('/').adapter as unknown as RecoveryStore;
    if (store) {
      adapter.sessions = store.sessions;
      adapter.packets = store.packets;
    } else {
      store = adapter;
    }
    const detach = helper.attach(io.of('/'));
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    return { http, io, sockets, detach, port: (http.address() as AddressInfo).port };
  };

  /** Abrupt: every TCP connection reset, as if the process died. */
  const stop = async (running: Running) => {
    running.detach();
    for (const socket of running.sockets) socket.destroy();
    await running.io.close();
    running.http.closeAllConnections();
  };

  let running: Running | null = await start();
  let port = running.port;
  return {
    get port() {
      return port;
    },
    get io() {
      return running?.io ?? null;
    },
    get connections() {
      return connections;
    },
    async publish(channel, event, data) {
      helper.publish(channel, event, data);
    },
    sessions: () => running?.io.of('/').sockets.size ?? 0,
    subscribes: (channel) => subscribes.get(channel) ?? 0,
    async kill() {
      if (running) await stop(running);
      running = null;
    },
    async restart() {
      running = await start();
      port = running.port;
    },
    async close() {
      if (running) await stop(running);
      running = null;
      helper.close();
    },
  };
}

/** `POST /auth` (form `socket_id`, `channel_name`): channels containing `denied` are refused; presence user id = first 12 characters of the socket id. */
function answerAuth(request: IncomingMessage, response: ServerResponse): void {
  if (request.method !== 'POST' || !request.url?.startsWith('/auth')) {
    response.writeHead(404).end();
    return;
  }
  let body = '';
  request.setEncoding('utf8');
  request.on('data', (chunk: string) => (body += chunk));
  request.on('end', () => {
    const form = new URLSearchParams(body);
    const socketId = form.get('socket_id') ?? '';
    const channel = form.get('channel_name') ?? '';
    if (!socketId || !channel || channel.includes('denied')) {
      response.writeHead(403, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'forbidden' }));
      return;
    }
    const presence = channel.startsWith('presence-') ? { userId: socketId.slice(0, 12) } : undefined;
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(authorizeChannel({ secret: SOCKET_IO_SECRET }, socketId, channel, presence)));
  });
}
