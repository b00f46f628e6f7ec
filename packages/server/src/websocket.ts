import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Duplex } from 'node:stream';
import { CLOSE_CODES, decodeClientFrame, isSupportedVersion, type HelloFrame, type ServerFrame } from '@switchboard/core/protocol';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { every } from './clock.js';
import { nodeHeaders } from './http/request.js';
import { Hub, type HubOptions } from './hub.js';
import type { HubSession } from './session.js';

export interface WebSocketOptions extends HubOptions {
  /** Share a hub with the HTTP handlers (same broker, secret, limits). Default: a new hub from these options. */
  hub?: Hub;
  /** Upgrade requests on this path are ours; others are left to other listeners. Default `/realtime`. */
  path?: string;
  /** Connections beyond this are closed with 1013 (try again later). Default unlimited. */
  maxConnections?: number;
  /** `Origin` headers allowed to connect (cross-site WebSocket hijacking). Default: any. */
  allowedOrigins?: readonly string[];
  /** A connection that sends no `hello` this soon is closed with 1008. Default 10 s. */
  helloTimeoutMs?: number;
  /** Invalid frames tolerated per connection before it is closed with 1008. Default 20. */
  maxInvalidFrames?: number;
  /** A client whose unsent backlog exceeds this is closed with 4201 (it resumes). Default 4 MiB. */
  maxBufferedBytes?: number;
}

export interface RealtimeWebSocketServer {
  readonly hub: Hub;
  readonly wss: WebSocketServer;
  /** Open WebSocket connections. */
  readonly connections: number;
  /** Handles an upgrade request if its path is ours; returns whether it did. */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): boolean;
  /** Closes every connection (1001, or abruptly with `terminate`) and stops the heartbeat. */
  close(options?: { terminate?: boolean }): Promise<void>;
}

interface Conn {
  readonly ws: WebSocket;
  /** The TCP socket under `ws` (from the upgrade), corked while frames of one event-loop turn pile up. */
  readonly socket: Duplex | undefined;
  /** Frames sent in this event-loop turn: 0, 1 (written at once), 2 (more: the socket is corked). */
  turn: 0 | 1 | 2;
  readonly request: IncomingMessage;
  session: HubSession | null;
  authenticating: boolean;
  backlog: string[];
  lastSeen: number;
  invalid: number;
  helloTimer: unknown;
  release: () => void;
}

/**
 * The WebSocket side of the server kit, not yet attached to a server (see `attach`).
 */
export function createWebSocketServer(options: WebSocketOptions = {}): RealtimeWebSocketServer {
  const hub = options.hub ?? new Hub(options);
  const ownsHub = !options.hub;
  const { clock, limits } = hub;
  const path = options.path ?? '/realtime';
  const maxInvalid = options.maxInvalidFrames ?? 20;
  const maxBuffered = options.maxBufferedBytes ?? 4 * 1024 * 1024;
  const hardLimit = limits.maxFrameBytes * 4;
  const wss = new WebSocketServer({ noServer: true, maxPayload: hardLimit, perMessageDeflate: false, clientTracking: false });
  const conns = new Set<Conn>();
  const sockets = new WeakMap<WebSocket, Duplex>();
  // A message frame is one object shared by all its subscribers (see Hub): encoded once, sent to each.
  const encoded = new WeakMap<ServerFrame, Buffer>();

  const send = (conn: Conn, frame: ServerFrame) => {
    const { ws } = conn;
    if (ws.readyState !== ws.OPEN) return;
    if (ws.bufferedAmount > maxBuffered) {
      hub.metrics.dropped('slow_consumer');
      ws.close(CLOSE_CODES.SLOW_CONSUMER, 'slow consumer');
      return;
    }
    let data = encoded.get(frame);
    if (!data) {
      data = Buffer.from(JSON.stringify(frame));
      if (frame.type === 'message') encoded.set(frame, data);
    }
    // The first frame of an event-loop turn is written at once (latency); if more follow in the same
    // turn (a burst), they pile up and leave in one write at the end of it, not one syscall each.
    const socket = conn.socket;
    if (socket && conn.turn === 0) {
      conn.turn = 1;
      setImmediate(() => {
        if (conn.turn === 2) socket.uncork();
        conn.turn = 0;
      });
    } else if (socket && conn.turn === 1 && !socket.destroyed) {
      conn.turn = 2;
      socket.cork();
    }
    ws.send(data, { binary: false });
  };

  const invalid = (conn: Conn, frame: ServerFrame) => {
    hub.countFrame(frame);
    hub.metrics.dropped('code' in frame && frame.code === 'FRAME_TOO_LARGE' ? 'too_large' : 'invalid');
    send(conn, frame);
    if (++conn.invalid > maxInvalid) conn.ws.close(CLOSE_CODES.POLICY_VIOLATION, 'too many invalid frames');
  };

  const hello = async (conn: Conn, frame: HelloFrame) => {
    clock.clearTimeout(conn.helloTimer);
    if (!isSupportedVersion(frame.v)) {
      send(conn, { type: 'error', code: 'PROTOCOL_ERROR', message: `Unsupported protocol version ${frame.v}.` });
      conn.ws.close(CLOSE_CODES.PROTOCOL_ERROR, 'unsupported protocol version');
      return;
    }
    conn.authenticating = true;
    const auth = await hub.authenticate({ token: frame.token, headers: nodeHeaders(conn.request), transport: 'websocket' });
    conn.authenticating = false;
    if (conn.ws.readyState !== conn.ws.OPEN) return;
    if (!auth.ok) {
      send(conn, { type: 'error', code: auth.code, message: auth.code === 'SERVER_ERROR' ? 'Authentication failed.' : 'Authentication refused.' });
      const code = auth.code === 'FORBIDDEN' ? CLOSE_CODES.FORBIDDEN : auth.code === 'UNAUTHORIZED' ? CLOSE_CODES.UNAUTHORIZED : CLOSE_CODES.INTERNAL_ERROR;
      conn.ws.close(code, auth.code.toLowerCase());
      return;
    }
    const session = hub.openSession({
      transport: 'websocket',
      identity: auth.identity,
      send: (f) => send(conn, f),
      drop: () => conn.ws.close(CLOSE_CODES.SERVICE_RESTART, 'channel state lost, resume'),
    });
    conn.session = session;
    send(conn, hub.welcome(session, hub.heartbeatMs));
    for (const text of conn.backlog.splice(0)) onText(conn, text);
  };

  const onText = (conn: Conn, text: string) => {
    const result = decodeClientFrame(text);
    if (!result.ok) return invalid(conn, { type: 'error', code: result.error.code, message: result.error.message });
    const frame = result.frame;
    if (conn.session) {
      void hub.handle(conn.session, frame);
    } else if (conn.authenticating) {
      if (conn.backlog.length < 100) conn.backlog.push(text);
    } else if (frame.type === 'hello') {
      void hello(conn, frame).catch((error: unknown) => {
        hub.reportError(error);
        conn.ws.close(CLOSE_CODES.INTERNAL_ERROR, 'internal error');
      });
    } else {
      send(conn, { type: 'error', code: 'PROTOCOL_ERROR', message: 'The first frame must be hello.' });
      conn.ws.close(CLOSE_CODES.PROTOCOL_ERROR, 'expected hello');
    }
  };

  const onMessage = (conn: Conn, data: RawData, isBinary: boolean) => {
    conn.lastSeen = clock.now();
    if (isBinary) return invalid(conn, { type: 'error', code: 'BAD_FRAME', message: 'Binary frames are not supported.' });
    const text = rawToString(data);
    if (Buffer.byteLength(text) > limits.maxFrameBytes) {
      // Within the hard limit: say which publish it was, so the client's outbox fails it at once.
      const id = publishId(text);
      const message = `Frames are limited to ${limits.maxFrameBytes} bytes.`;
      return invalid(conn, id === null ? { type: 'error', code: 'FRAME_TOO_LARGE', message } : { type: 'nack', id, code: 'FRAME_TOO_LARGE', message });
    }
    onText(conn, text);
  };

  wss.on('connection', (ws: WebSocket, request: IncomingMessage) => {
    if (options.maxConnections !== undefined && conns.size >= options.maxConnections) {
      hub.metrics.refused('max_connections');
      ws.close(CLOSE_CODES.TRY_AGAIN_LATER, 'too many connections');
      return;
    }
    const release = hub.admit(hub.clientIp({ headers: nodeHeaders(request), remoteAddress: request.socket.remoteAddress }));
    if (!release) {
      ws.close(CLOSE_CODES.TRY_AGAIN_LATER, 'too many connections from this address');
      return;
    }
    const conn: Conn = { ws, socket: sockets.get(ws), turn: 0, request, session: null, authenticating: false, backlog: [], lastSeen: clock.now(), invalid: 0, helloTimer: null, release };
    conns.add(conn);
    hub.metrics.connections.websocket++;
    conn.helloTimer = clock.setTimeout(() => {
      if (!conn.session && !conn.authenticating) ws.close(CLOSE_CODES.POLICY_VIOLATION, 'no hello');
    }, options.helloTimeoutMs ?? 10_000);
    ws.on('message', (data, isBinary) => onMessage(conn, data, isBinary));
    ws.on('error', () => {
      // Always followed by `close`; a bad peer (e.g. a frame beyond the hard limit: 1009) must not crash us.
    });
    ws.on('close', () => {
      clock.clearTimeout(conn.helloTimer);
      if (conns.delete(conn)) hub.metrics.connections.websocket--;
      conn.release();
      if (conn.session) void hub.closeSession(conn.session);
    });
  });

  const stopHeartbeat = every(clock, hub.heartbeatMs, () => {
    const now = clock.now();
    for (const conn of conns) {
      if (!conn.session) continue;
      if (now - conn.lastSeen > hub.heartbeatMs * 2.5) {
        conn.ws.terminate();
        continue;
      }
      send(conn, { type: 'ping' });
      void hub.touch(conn.session).catch((error: unknown) => hub.reportError(error));
    }
  });

  const matches = (request: IncomingMessage) => {
    try {
      return new URL(request.url ?? '/', 'http://localhost').pathname === path;
    } catch {
      return false;
    }
  };

  return {
    hub,
    wss,
    get connections() {
      return conns.size;
    },
    handleUpgrade(request, socket, head) {
      if (!matches(request)) return false;
      const origin = request.headers.origin;
      if (options.allowedOrigins && origin !== undefined && !options.allowedOrigins.includes(origin)) {
        hub.metrics.refused('origin');
        socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
        return true;
      }
      wss.handleUpgrade(request, socket, head, (ws) => {
        sockets.set(ws, socket);
        wss.emit('connection', ws, request);
      });
      return true;
    },
    async close(closeOptions = {}) {
      stopHeartbeat();
      const closing = [...conns].map(
        (conn) =>
          new Promise<void>((resolve) => {
            if (conn.ws.readyState === conn.ws.CLOSED) return resolve();
            conn.ws.once('close', () => resolve());
            if (closeOptions.terminate) conn.ws.terminate();
            else conn.ws.close(CLOSE_CODES.GOING_AWAY, 'server shutting down');
            const timer = setTimeout(() => conn.ws.terminate(), 1000);
            timer.unref();
          }),
      );
      await Promise.all(closing);
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      if (ownsHub) await hub.close();
    },
  };
}

/**
 * Serves the WebSocket protocol on an existing HTTP server (a custom Next.js server, Express, …).
 * Upgrade requests for other paths (Next.js HMR) are left alone.
 *
 * @example
 * const server = http.createServer(nextHandler);
 * const realtime = attach(server, { path: '/realtime', secret: process.env.SWITCHBOARD_SECRET });
 * server.listen(3000);
 */
export function attach(server: HttpServer, options: WebSocketOptions = {}): RealtimeWebSocketServer {
  const realtime = createWebSocketServer(options);
  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (realtime.handleUpgrade(request, socket, head)) return;
    if (server.listenerCount('upgrade') === 1) socket.destroy();
  };
  server.on('upgrade', onUpgrade);
  return {
    ...realtime,
    get connections() {
      return realtime.connections;
    },
    async close(closeOptions) {
      server.off('upgrade', onUpgrade);
      await realtime.close(closeOptions);
    },
  };
}

function rawToString(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.from(data).toString('utf8');
}

function publishId(text: string): string | null {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === 'object' && value !== null && (value as { type?: unknown }).type === 'publish') {
      const id = (value as { id?: unknown }).id;
      return typeof id === 'string' && id.length <= 200 ? id : null;
    }
  } catch {
    // not JSON: a plain FRAME_TOO_LARGE error
  }
  return null;
}
