import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAuthHandler, type AuthHandlerOptions } from './http/auth-handler.js';
import { createHandlers, type HandlerOptions, type RealtimeHandlers } from './http/handlers.js';
import { createHealthHandler, createMetricsHandler } from './http/health.js';
import { Hub } from './hub.js';
import { toNodeHandler } from './node.js';
import { attach, type RealtimeWebSocketServer, type WebSocketOptions } from './websocket.js';

export interface ServeOptions extends HandlerOptions, Omit<WebSocketOptions, keyof HandlerOptions> {
  /** Default 8080; 0 picks a free port. */
  port?: number;
  /** Default `127.0.0.1` (the CLI uses `0.0.0.0`). */
  host?: string;
  /** WebSocket, SSE, polling and publish all live on this path. Default `/realtime`. */
  path?: string;
  /** Also serve the channel auth endpoint at `<path>/auth` (needs `secret`). */
  authorize?: AuthHandlerOptions['authorize'];
  /** `/metrics` (Prometheus text): `false` to turn it off, `{ token }` to require a bearer token. Default on. */
  metrics?: boolean | { token: string };
}

export interface RunningServer {
  /** `http://host:port` */
  readonly url: string;
  readonly port: number;
  readonly path: string;
  readonly hub: Hub;
  readonly server: Server;
  readonly websocket: RealtimeWebSocketServer;
  readonly handlers: RealtimeHandlers;
  /** Stops accepting, closes every connection (1001, or abruptly with `terminate`) and every stream. */
  close(options?: { terminate?: boolean }): Promise<void>;
}

/**
 * A standalone realtime server: WebSocket, SSE, polling and publishing on one path, plus `/healthz`
 * (liveness: the process answers), `/health` (readiness: 503 while the broker is degraded) and
 * `/metrics` (Prometheus).
 * What `switchboard serve` runs, and what a demo can start in-process.
 *
 * @example
 * const server = await serve({ port: 8080, secret: process.env.SWITCHBOARD_SECRET });
 * console.log(`ws://localhost:${server.port}${server.path}`);
 */
export async function serve(options: ServeOptions = {}): Promise<RunningServer> {
  const path = options.path ?? '/realtime';
  const hub = options.hub ?? new Hub(options);
  const ownsHub = !options.hub;
  const handlers = createHandlers({ ...options, hub });
  const node = toNodeHandler(handlers);
  const secret = hub.secret;
  const authorize = options.authorize;
  const auth = authorize && secret !== undefined ? toNodeHandler(createAuthHandler({ secret, key: hub.key, authorize })) : null;
  const health = toNodeHandler(createHealthHandler(hub));
  const metrics = options.metrics === false ? null : toNodeHandler(createMetricsHandler(hub, typeof options.metrics === 'object' ? options.metrics : {}));
  const server = createServer((req, res) => {
    const pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (pathname === path) return node(req, res);
    if (auth && pathname === `${path}/auth`) return auth(req, res);
    if (pathname === '/health') return health(req, res);
    if (metrics && pathname === '/metrics') return metrics(req, res);
    if (pathname === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: true, connections: websocket.connections, sessions: hub.sessions.size }));
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  });
  const websocket = attach(server, { ...options, hub, path });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8080, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  let closing: Promise<void> | null = null;
  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    path,
    hub,
    server,
    websocket,
    handlers,
    close(closeOptions) {
      closing ??= (async () => {
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        // Abrupt (a crash): sockets die before anyone is told. Orderly: 1001 and `retry:` hints first.
        if (closeOptions?.terminate) server.closeAllConnections();
        await websocket.close(closeOptions);
        await handlers.close();
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), 1000).unref();
        await stopped;
        if (ownsHub) await hub.close();
      })();
      return closing;
    },
  };
}
