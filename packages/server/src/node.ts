import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { nodeHeaders } from './http/request.js';

const peers = new WeakMap<Request, string>();

/** The TCP peer address of a request built by `toNodeHandler` (for `maxConnectionsPerIp`). */
export function remoteAddressOf(request: Request): string | undefined {
  return peers.get(request);
}

/** A Web-standard handler, or an object of them per method (what `createHandlers` returns). */
export type WebHandler =
  | ((request: Request) => Promise<Response> | Response)
  | Partial<Record<'GET' | 'POST' | 'OPTIONS' | 'PUT' | 'DELETE', (request: Request) => Promise<Response> | Response>>;

/**
 * Runs Web-standard handlers in Node's `http` (or Express/Connect): builds a `Request` (aborted when
 * the client goes away) and streams the `Response` back with backpressure, so SSE works.
 *
 * @example
 * const handlers = createHandlers({ hub });
 * http.createServer(toNodeHandler(handlers)).listen(8080);
 */
export function toNodeHandler(handler: WebHandler): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    void run(handler, req, res).catch(() => {
      if (!res.headersSent) {
        res.statusCode = 500;
        res.end();
      } else {
        res.destroy();
      }
    });
  };
}

async function run(handler: WebHandler, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const method = (req.method ?? 'GET').toUpperCase();
  const fn = typeof handler === 'function' ? handler : handler[method as keyof typeof handler];
  if (!fn) {
    res.writeHead(405, { allow: Object.keys(handler).join(', ') }).end();
    return;
  }
  const controller = new AbortController();
  res.on('close', () => controller.abort());
  const hasBody = method !== 'GET' && method !== 'HEAD';
  const request = new Request(`http://${req.headers.host ?? 'localhost'}${req.url ?? '/'}`, {
    method,
    headers: nodeHeaders(req),
    signal: controller.signal,
    ...(hasBody ? { body: Readable.toWeb(req) as ReadableStream<Uint8Array>, duplex: 'half' } : {}),
  } as RequestInit);
  if (req.socket.remoteAddress) peers.set(request, req.socket.remoteAddress);
  const response = await fn(request);
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => {
    headers[name] = name === 'set-cookie' ? response.headers.getSetCookie() : value;
  });
  res.writeHead(response.status, headers);
  if (!response.body) {
    res.end();
    return;
  }
  res.flushHeaders();
  const reader = response.body.getReader();
  const stop = () => void reader.cancel().catch(() => {});
  res.on('close', stop);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (!res.write(value)) await new Promise<void>((resolve) => res.once('drain', resolve).once('close', resolve));
      if (res.destroyed) break;
    }
  } finally {
    res.off('close', stop);
    if (res.destroyed) stop();
    else res.end();
  }
}
