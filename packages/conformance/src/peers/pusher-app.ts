import { createHmac } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createAuthHandler, type AuthHandlerOptions } from '@switchboard/server';

/**
 * The HTTP side of a Pusher app, as the app's own server would run it next to Pusher Channels:
 * - `POST /pusher/auth`: channel authorisation, the server kit's `createAuthHandler` (Pusher's form body
 *   `socket_id` + `channel_name` → `{ auth, channel_data? }`);
 * - `POST /pusher/user-auth`: Pusher user authentication (`socket_id` → `{ auth, user_data }`), the
 *   signature over `<socket_id>::user::<user_data>`;
 * - `POST /publish`: the app's publish endpoint (`{ channel, event, data }`), which a real app answers by
 *   triggering through Pusher's HTTP API; here it publishes in-process.
 */
export interface PusherAppOptions {
  readonly key: string;
  readonly secret: string;
  /** Who may join which channel (see `createAuthHandler`). */
  readonly authorize: AuthHandlerOptions['authorize'];
  /** Who the bearer token of a user-auth request is: `null` refuses it (401). */
  readonly authenticateUser: (token: string | undefined, socketId: string) => { id: string; info?: unknown } | null;
  /** A status other than 200 refuses a publish with it (e.g. 403). */
  readonly publishStatus?: (channel: string, event: string) => number;
  readonly publish: (channel: string, event: string, data: unknown) => void;
}

const MAX_BODY = 64 * 1024;

/** The app's routes; answers `false` for any other path (the caller answers 404). */
export function createPusherApp(options: PusherAppOptions): (req: IncomingMessage, res: ServerResponse) => boolean {
  const channelAuth = createAuthHandler({ secret: options.secret, key: options.key, authorize: options.authorize });
  return (req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (req.method !== 'POST') return false;
    if (path === '/pusher/auth') {
      // The Web-standard handler, fed a fully read body (so the keep-alive socket is free at once).
      void readBody(req)
        .then(async (body) => {
          const headers = new Headers();
          for (const [name, value] of Object.entries(req.headers)) if (typeof value === 'string') headers.set(name, value);
          const response = await channelAuth(new Request(`http://127.0.0.1${req.url ?? '/'}`, { method: 'POST', headers, body }));
          res.writeHead(response.status, Object.fromEntries(response.headers)).end(await response.text());
        })
        .catch(() => reply(res, 500, { error: 'Auth handler failed.' }));
      return true;
    }
    if (path === '/pusher/user-auth') {
      void readBody(req).then((body) => userAuth(options, req, res, body), () => reply(res, 400, { error: 'Unreadable body.' }));
      return true;
    }
    if (path === '/publish') {
      void readBody(req).then((body) => publish(options, res, body), () => reply(res, 400, { error: 'Unreadable body.' }));
      return true;
    }
    return false;
  };
}

/** Pusher's user-authentication signature: HMAC-SHA256 over `<socket_id>::user::<user_data>`. */
export function signUser(secret: string, socketId: string, userData: string): string {
  return createHmac('sha256', secret).update(`${socketId}::user::${userData}`, 'utf8').digest('hex');
}

function userAuth(options: PusherAppOptions, req: IncomingMessage, res: ServerResponse, body: string): void {
  const socketId = new URLSearchParams(body).get('socket_id');
  if (!socketId) return reply(res, 400, { error: 'Missing socket_id.' });
  const header = req.headers.authorization;
  const token = header && /^Bearer\s+(.+)$/i.exec(header)?.[1];
  const user = options.authenticateUser(token ?? undefined, socketId);
  if (!user) return reply(res, 401, { error: 'Not signed in.' });
  const userData = JSON.stringify({ id: user.id, ...(user.info === undefined ? {} : { user_info: user.info }) });
  reply(res, 200, { auth: `${options.key}:${signUser(options.secret, socketId, userData)}`, user_data: userData });
}

function publish(options: PusherAppOptions, res: ServerResponse, body: string): void {
  let parsed: { channel?: unknown; event?: unknown; data?: unknown };
  try {
    parsed = JSON.parse(body) as typeof parsed;
  } catch {
    return reply(res, 400, { error: 'Body is not JSON.' });
  }
  const { channel, event, data } = parsed ?? {};
  if (typeof channel !== 'string' || typeof event !== 'string') return reply(res, 400, { error: 'Need channel and event.' });
  const status = options.publishStatus?.(channel, event) ?? 200;
  if (status !== 200) return reply(res, status, { error: `Refused with ${status}.` });
  options.publish(channel, event, data);
  reply(res, 200, { ok: true });
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        req.destroy();
        reject(new Error('body too large'));
      } else {
        chunks.push(chunk);
      }
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
