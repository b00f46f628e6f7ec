import { HEADERS } from '@switchboard/core/protocol';
import { Hub, type HubOptions } from '../hub.js';
import { remoteAddressOf } from '../node.js';
import { BucketMap } from '../rate-limit.js';
import { handleOps, type OpsOptions } from './ops.js';
import { poll, type PollOptions } from './poll.js';
import { json } from './request.js';
import { openSseStream, type OpenStream, type SseOptions } from './sse.js';

export interface CorsOptions {
  /** Allowed origins: a list, a predicate, or `true` for any (echoed, never `*`). */
  origin: true | string | readonly string[] | ((origin: string) => boolean);
  /** Allow cookies (`withCredentials` / `credentials: 'include'`). Default false. */
  credentials?: boolean;
}

export interface HandlerOptions extends HubOptions, SseOptions, PollOptions, OpsOptions {
  /** Share a hub with `attach()` (same broker, secret, limits). Default: a new hub from these options. */
  hub?: Hub;
  /** Cross-origin access for browsers on another origin (a separate realtime server). Default: same origin only. */
  cors?: CorsOptions;
}

/** Web-standard handlers: `export const { GET, POST, OPTIONS } = createHandlers(…)` in a route file. */
export interface RealtimeHandlers {
  /** `Accept: text/event-stream` → an SSE stream; otherwise a poll (`application/json`). */
  GET(request: Request): Promise<Response>;
  /** Publishes and presence operations (`{ v, session, ops }`). */
  POST(request: Request): Promise<Response>;
  /** CORS preflight. */
  OPTIONS(request: Request): Promise<Response>;
  readonly hub: Hub;
  /** Ends every open stream (with a `retry:` hint) and, if it created it, closes the hub. */
  close(): Promise<void>;
}

const EXPOSED = ['etag', HEADERS.session].join(', ');
const ALLOWED_HEADERS = ['authorization', 'content-type', 'last-event-id', 'if-none-match', HEADERS.channelAuth].join(', ');

/**
 * The HTTP side of the server kit: SSE streams, polls, publishes and presence on one route, as
 * `Request → Response` functions. They run as Next.js App Router route handlers (no custom server),
 * and in Node's `http` through `toNodeHandler`.
 *
 * @example
 * // app/api/realtime/route.ts
 * import { createHandlers } from '@switchboard/server';
 * export const { GET, POST, OPTIONS } = createHandlers({ secret: process.env.SWITCHBOARD_SECRET });
 * export const dynamic = 'force-dynamic';
 */
export function createHandlers(options: HandlerOptions = {}): RealtimeHandlers {
  const hub = options.hub ?? new Hub(options);
  const ownsHub = !options.hub;
  const streams = new Set<OpenStream>();
  const buckets = new BucketMap(() => hub.newBucket());

  const withCors = async (request: Request, run: () => Promise<Response>): Promise<Response> => {
    let response: Response;
    try {
      response = await run();
      if (response.status >= 400) hub.metrics.error(response.status === 401 ? 'UNAUTHORIZED' : response.status === 403 ? 'FORBIDDEN' : response.status === 413 ? 'FRAME_TOO_LARGE' : `HTTP_${response.status}`);
    } catch (error) {
      hub.reportError(error);
      response = json(500, { type: 'error', code: 'SERVER_ERROR', message: 'Internal error.' });
    }
    const origin = request.headers.get('origin');
    if (options.cors && origin !== null && originAllowed(options.cors, origin)) {
      response.headers.set('access-control-allow-origin', origin);
      response.headers.append('vary', 'Origin');
      response.headers.set('access-control-expose-headers', EXPOSED);
      if (options.cors.credentials) response.headers.set('access-control-allow-credentials', 'true');
    }
    return response;
  };

  const ipOf = (request: Request) => hub.clientIp({ headers: request.headers, remoteAddress: remoteAddressOf(request) });

  return {
    hub,
    GET: (request) =>
      withCors(request, async () => {
        const url = new URL(request.url);
        const accept = request.headers.get('accept') ?? '';
        // An SSE stream or a (long) poll holds a connection: counted against maxConnectionsPerIp.
        const release = hub.admit(ipOf(request));
        if (!release) {
          hub.metrics.error('RATE_LIMITED');
          return json(429, { type: 'error', code: 'RATE_LIMITED', message: 'Too many connections from this address.' }, { 'retry-after': '5' });
        }
        if (accept.includes('text/event-stream')) {
          try {
            return await openSseStream(hub, request, url, options, streams, release);
          } catch (error) {
            release();
            throw error;
          }
        }
        try {
          return await poll(hub, request, url, options);
        } finally {
          release();
        }
      }),
    POST: (request) => withCors(request, () => handleOps(hub, request, buckets, options, ipOf(request))),
    OPTIONS: (request) =>
      withCors(request, async () => {
        const origin = request.headers.get('origin');
        if (!options.cors || origin === null || !originAllowed(options.cors, origin)) return new Response(null, { status: 204 });
        return new Response(null, {
          status: 204,
          headers: {
            'access-control-allow-methods': 'GET, POST, OPTIONS',
            'access-control-allow-headers': ALLOWED_HEADERS,
            'access-control-max-age': '600',
          },
        });
      }),
    async close() {
      for (const stream of [...streams]) stream.end();
      if (ownsHub) await hub.close();
    },
  };
}

function originAllowed(cors: CorsOptions, origin: string): boolean {
  const allowed = cors.origin;
  if (allowed === true) return true;
  if (typeof allowed === 'string') return allowed === origin;
  if (typeof allowed === 'function') return allowed(origin);
  return allowed.includes(origin);
}
