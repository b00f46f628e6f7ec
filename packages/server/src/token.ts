import { createHmac } from 'node:crypto';
import { safeEqual } from './auth.js';
import { systemClock, type ServerClock } from './clock.js';
import type { Authenticate } from './hub-options.js';
import type { Identity } from './session.js';

/**
 * Connection tokens: HS256 JSON Web Tokens, so your app can issue them with this helper or any JWT
 * library, and the realtime server (which shares the secret) checks them without calling your app.
 * Only `HS256` is accepted (never `none`), the signature is compared in constant time, and `exp` /
 * `nbf` (seconds since the epoch, as JWTs have them) are enforced.
 */
export interface TokenClaims {
  /** The user id: becomes the connection's `Identity.userId` (its presence member id). */
  readonly sub?: string;
  /** Expiry, seconds since the epoch. Required by `verifyToken`. */
  readonly exp: number;
  /** Not before, seconds since the epoch. */
  readonly nbf?: number;
  /** Anything else, available to `canPublish`/`canSubscribe` as `Identity.info`. */
  readonly info?: unknown;
}

const b64 = (value: string | Buffer) => Buffer.from(value).toString('base64url');
const HEADER = b64(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));

function sign(secret: string, input: string): string {
  return createHmac('sha256', secret).update(input).digest('base64url');
}

/**
 * Issues a token for a user, valid for `ttlSeconds` (default 1 hour). Call it in your app (an API
 * route), hand the token to the client's `auth` provider.
 *
 * @example
 * const token = signToken(process.env.SWITCHBOARD_SECRET!, { sub: user.id }, { ttlSeconds: 600 });
 */
export function signToken(secret: string, claims: { sub?: string; info?: unknown }, options: { ttlSeconds?: number; now?: number } = {}): string {
  const now = Math.floor((options.now ?? Date.now()) / 1000);
  const payload = b64(JSON.stringify({ ...claims, iat: now, exp: now + (options.ttlSeconds ?? 3600) }));
  return `${HEADER}.${payload}.${sign(secret, `${HEADER}.${payload}`)}`;
}

/**
 * The claims of a valid, unexpired token; `null` for anything else (bad signature, other algorithm,
 * expired, not yet valid, malformed). Never throws.
 *
 * @example
 * const claims = verifyToken(secret, token);
 * if (!claims) return null; // 401 / close 4100: the client refreshes its token once
 */
export function verifyToken(secret: string, token: string | undefined, now = Date.now()): TokenClaims | null {
  if (typeof token !== 'string' || token.length > 8192) return null;
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  const [header, payload, signature] = parts as [string, string, string];
  if (!safeEqual(signature, sign(secret, `${header}.${payload}`))) return null;
  try {
    const h = JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as { alg?: unknown };
    if (h.alg !== 'HS256') return null;
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Partial<TokenClaims> | null;
    if (typeof claims !== 'object' || claims === null || typeof claims.exp !== 'number') return null;
    const seconds = now / 1000;
    if (claims.exp <= seconds) return null;
    if (typeof claims.nbf === 'number' && claims.nbf > seconds) return null;
    if (claims.sub !== undefined && typeof claims.sub !== 'string') return null;
    return claims as TokenClaims;
  } catch {
    return null;
  }
}

/**
 * An `authenticate` for the hub that accepts only valid tokens from `signToken` (or any HS256 JWT
 * with `exp`): a missing, forged or expired token is refused as `UNAUTHORIZED` (HTTP 401, WebSocket
 * close 4100), so the client refreshes its token once.
 *
 * @example
 * const hub = createHub({ secret, authenticate: tokenAuthenticator({ secret }) });
 */
export function tokenAuthenticator(options: { secret: string; clock?: ServerClock }): Authenticate {
  const clock = options.clock ?? systemClock;
  return ({ token }) => {
    const claims = verifyToken(options.secret, token, clock.now());
    if (!claims) return null;
    const identity: Identity = { ...(claims.sub === undefined ? {} : { userId: claims.sub }), ...(claims.info === undefined ? {} : { info: claims.info }) };
    return identity;
  };
}
