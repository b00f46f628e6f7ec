import { isPresenceChannel, isPrivateChannel, isValidChannelName } from '@switchboard/core/protocol';
import { authorizeChannel, isValidSessionId, type PresenceIdentity, type SigningKey } from '../auth.js';
import { json, readBody } from './request.js';

export interface AuthorizeContext {
  /** The incoming request: read your session cookie or header from it. */
  readonly request: Request;
  /** The client's session id (what the signature is bound to). */
  readonly session: string;
  readonly channel: string;
}

export interface AuthHandlerOptions extends SigningKey {
  /**
   * Who may join which channel. Return `true` for a `private-*` channel, `{ userId, userInfo? }` for a
   * `presence-*` channel (the member id is signed, so nobody can impersonate), `false`/`null` to refuse.
   */
  authorize(context: AuthorizeContext): boolean | PresenceIdentity | null | undefined | Promise<boolean | PresenceIdentity | null | undefined>;
}

/**
 * The channel auth endpoint, as a Web-standard handler: it runs in your app (which knows the user)
 * and signs `private-*`/`presence-*` subscriptions with the secret it shares with the realtime server.
 * Accepts Pusher's form body (`socket_id`, `channel_name`) or JSON (`{ session, channel }`); answers
 * `{ auth, channel_data? }`, so Pusher-style clients and endpoints interoperate.
 *
 * @example
 * // app/api/realtime/auth/route.ts
 * export const POST = createAuthHandler({
 *   secret: process.env.SWITCHBOARD_SECRET!,
 *   authorize: async ({ request, channel }) => {
 *     const user = await getUser(request);
 *     if (!user) return false;
 *     return channel.startsWith('presence-') ? { userId: user.id, userInfo: { name: user.name } } : true;
 *   },
 * });
 */
export function createAuthHandler(options: AuthHandlerOptions): (request: Request) => Promise<Response> {
  return async (request) => {
    const text = await readBody(request, 16 * 1024);
    if (text === null) return json(413, { error: 'Request too large.' });
    const params = parseParams(text, request.headers.get('content-type'));
    const session = params.get('socket_id') ?? params.get('session');
    const channel = params.get('channel_name') ?? params.get('channel');
    if (!isValidSessionId(session, options.secret)) return json(400, { error: 'Missing or invalid session (socket_id).' });
    if (!isValidChannelName(channel) || !isPrivateChannel(channel)) return json(400, { error: 'Only private-* and presence-* channels need authorisation.' });
    let verdict: Awaited<ReturnType<AuthHandlerOptions['authorize']>>;
    try {
      verdict = await options.authorize({ request, session, channel });
    } catch {
      return json(500, { error: 'Authorisation failed.' });
    }
    if (!verdict) return json(403, { error: `Not allowed on ${channel}.` });
    if (isPresenceChannel(channel)) {
      if (verdict === true || verdict.userId === undefined || verdict.userId === null) {
        return json(500, { error: 'authorize() must return { userId } for presence channels.' });
      }
      return json(200, authorizeChannel(options, session, channel, verdict));
    }
    return json(200, authorizeChannel(options, session, channel));
  };
}

function parseParams(text: string, contentType: string | null): Map<string, string> {
  const out = new Map<string, string>();
  if (contentType?.includes('application/json')) {
    try {
      const value: unknown = JSON.parse(text);
      if (typeof value === 'object' && value !== null) {
        for (const [k, v] of Object.entries(value)) if (typeof v === 'string') out.set(k, v);
      }
    } catch {
      // empty: answered as a bad request
    }
    return out;
  }
  for (const [k, v] of new URLSearchParams(text)) out.set(k, v);
  return out;
}
