import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Channel authorisation, the Pusher scheme: a `private-*` or `presence-*` subscription carries
 * `auth = "<key>:<hex HMAC-SHA256(secret, "<session>:<channel>[:<channelData>]")>"`, computed by your
 * app's auth endpoint (which knows the user) and checked by the realtime server (which knows only the
 * secret). Signatures are compared in constant time. The secret never leaves the server.
 */

/** Key used in auth strings when none is configured. */
export const DEFAULT_KEY = 'switchboard';

/** Hex HMAC-SHA256 over `session:channel[:channelData]`. */
export function signChannel(secret: string, session: string, channel: string, channelData?: string): string {
  const text = channelData === undefined ? `${session}:${channel}` : `${session}:${channel}:${channelData}`;
  return createHmac('sha256', secret).update(text, 'utf8').digest('hex');
}

/** What an auth endpoint returns to the client (Pusher's shape, so Pusher-style endpoints interoperate). */
export interface ChannelAuthorization {
  auth: string;
  /** `presence-*` only: the JSON that was signed, `{"user_id":…,"user_info":…}`. */
  channel_data?: string;
}

export interface SigningKey {
  secret: string;
  /** Public key prefixed to signatures. Default `switchboard`. */
  key?: string;
}

/** The presence identity signed into a `presence-*` authorisation. */
export interface PresenceIdentity {
  userId: string | number;
  userInfo?: unknown;
}

/**
 * Signs a channel for a session: what your auth endpoint returns.
 *
 * @example
 * authorizeChannel({ secret }, sessionId, 'presence-room', { userId: user.id, userInfo: { name: user.name } });
 */
export function authorizeChannel(signing: SigningKey, session: string, channel: string, presence?: PresenceIdentity): ChannelAuthorization {
  const key = signing.key ?? DEFAULT_KEY;
  if (!presence) return { auth: `${key}:${signChannel(signing.secret, session, channel)}` };
  const channelData = JSON.stringify({ user_id: presence.userId, ...(presence.userInfo === undefined ? {} : { user_info: presence.userInfo }) });
  return { auth: `${key}:${signChannel(signing.secret, session, channel, channelData)}`, channel_data: channelData };
}

/** Per process: the key both sides of a comparison are hashed with, so their lengths leak nothing either. */
const COMPARE_KEY = randomBytes(32);

/**
 * Constant-time comparison of two strings (never throws). Both are first reduced to an HMAC of the
 * same length, so the time taken depends neither on where they differ nor on their lengths.
 */
export function safeEqual(a: string, b: string): boolean {
  const x = createHmac('sha256', COMPARE_KEY).update(a, 'utf8').digest();
  const y = createHmac('sha256', COMPARE_KEY).update(b, 'utf8').digest();
  return timingSafeEqual(x, y) && a.length === b.length;
}

/** Checks an auth string (`key:signature` or a bare signature) for a session and channel. */
export function verifyChannelAuth(signing: SigningKey, session: string, channel: string, auth: string | undefined, channelData?: string): boolean {
  if (typeof auth !== 'string' || auth.length > 300) return false;
  const colon = auth.lastIndexOf(':');
  const signature = colon >= 0 ? auth.slice(colon + 1) : auth;
  const key = colon >= 0 ? auth.slice(0, colon) : undefined;
  const keyOk = key === undefined || safeEqual(key, signing.key ?? DEFAULT_KEY);
  const signatureOk = safeEqual(signature, signChannel(signing.secret, session, channel, channelData));
  return keyOk && signatureOk;
}

/** The member id in a signed `channelData`, or `null` when it has none. */
export function presenceUserId(channelData: string | undefined): string | null {
  if (channelData === undefined) return null;
  try {
    const parsed: unknown = JSON.parse(channelData);
    if (typeof parsed !== 'object' || parsed === null) return null;
    const id = (parsed as { user_id?: unknown }).user_id;
    return typeof id === 'string' || typeof id === 'number' ? String(id) : null;
  } catch {
    return null;
  }
}

/**
 * Session ids: random, and — when the server has a secret — signed, so a stateless handler can accept
 * a session id a client brings back (an SSE stream reopened with more channels, the next poll) knowing
 * this server issued it.
 */
export function createSessionId(secret: string | undefined): string {
  const random = randomBytes(12).toString('base64url');
  return secret === undefined ? random : `${random}.${sessionTag(secret, random)}`;
}

/** `true` when `id` was issued by `createSessionId` with this secret (any well-formed id without one). */
export function isValidSessionId(id: unknown, secret: string | undefined): id is string {
  if (typeof id !== 'string' || id.length > 100 || !/^[A-Za-z0-9_.-]+$/.test(id)) return false;
  if (secret === undefined) return true;
  const dot = id.indexOf('.');
  if (dot < 0) return false;
  return safeEqual(id.slice(dot + 1), sessionTag(secret, id.slice(0, dot)));
}

function sessionTag(secret: string, random: string): string {
  return createHmac('sha256', secret).update(`session:${random}`).digest('base64url').slice(0, 22);
}
