import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Channel signatures, the Pusher scheme (the same as `@switchboard/server`'s, so either side's auth
 * endpoint works with the other): `auth = "<key>:<hex HMAC-SHA256(secret, "<socketId>:<channel>[:<channelData>]")>"`.
 * Your auth endpoint signs (it knows the user); the socket.io server verifies (it knows only the
 * secret). The secret never reaches a browser.
 */

/** Key prefixed to signatures when none is configured. */
export const DEFAULT_KEY = 'switchboard';

export interface SigningKey {
  readonly secret: string;
  /** Public key prefixed to signatures. Default `switchboard`. */
  readonly key?: string;
}

/** The presence identity signed into a `presence-*` signature. */
export interface PresenceIdentity {
  readonly userId: string | number;
  readonly userInfo?: unknown;
}

/** What an auth endpoint answers (Pusher's shape). */
export interface SignedChannel {
  readonly auth: string;
  /** `presence-*` only: the JSON that was signed. */
  readonly channel_data?: string;
}

function hmac(secret: string, socketId: string, channel: string, channelData?: string): string {
  const text = channelData === undefined ? `${socketId}:${channel}` : `${socketId}:${channel}:${channelData}`;
  return createHmac('sha256', secret).update(text, 'utf8').digest('hex');
}

/**
 * Signs a channel for a socket: what your auth endpoint returns (POSTed `socket_id` and `channel_name`).
 *
 * @example
 * // app/api/realtime/auth/route.ts
 * const form = await request.formData();
 * const user = await currentUser();
 * return Response.json(
 *   signChannel({ secret: process.env.SWITCHBOARD_SECRET! }, String(form.get('socket_id')), String(form.get('channel_name')), { userId: user.id }),
 * );
 */
export function signChannel(signing: SigningKey, socketId: string, channel: string, presence?: PresenceIdentity): SignedChannel {
  const key = signing.key ?? DEFAULT_KEY;
  if (!channel.startsWith('presence-') || presence === undefined) return { auth: `${key}:${hmac(signing.secret, socketId, channel)}` };
  const channelData = JSON.stringify({ user_id: presence.userId, ...(presence.userInfo === undefined ? {} : { user_info: presence.userInfo }) });
  return { auth: `${key}:${hmac(signing.secret, socketId, channel, channelData)}`, channel_data: channelData };
}

/** Constant-time string comparison (`false` for different lengths, never throws). */
export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  if (x.length !== y.length) {
    timingSafeEqual(x, x); // spend the time anyway: the length is all a timing attack learns
    return false;
  }
  return timingSafeEqual(x, y);
}

/**
 * Checks `auth` (`key:signature`) for a socket and channel, in constant time. The server helper does
 * this on every `private-*`/`presence-*` subscription; use it in your own handlers if you need to.
 *
 * @example
 * if (!verifyChannelSignature({ secret }, socket.id, channel, auth, channelData)) return deny();
 */
export function verifyChannelSignature(signing: SigningKey, socketId: string, channel: string, auth: unknown, channelData?: string): boolean {
  if (typeof auth !== 'string' || auth.length > 300) return false;
  const colon = auth.lastIndexOf(':');
  if (colon < 0) return false;
  const keyOk = safeEqual(auth.slice(0, colon), signing.key ?? DEFAULT_KEY);
  const signatureOk = safeEqual(auth.slice(colon + 1), hmac(signing.secret, socketId, channel, channelData));
  return keyOk && signatureOk;
}

/** The member id signed into `channelData` (`user_id`), or `null`. */
export function presenceUserId(channelData: string | undefined): string | null {
  if (channelData === undefined) return null;
  try {
    const parsed: unknown = JSON.parse(channelData);
    const id = typeof parsed === 'object' && parsed !== null ? (parsed as { user_id?: unknown }).user_id : undefined;
    return typeof id === 'string' || typeof id === 'number' ? String(id) : null;
  } catch {
    return null;
  }
}
