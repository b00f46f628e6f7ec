import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The parts of Ably's realtime protocol (JSON encoding) the test peer speaks, written from the protocol's
 * published shape: protocol messages by numeric `action`, attach flags as bits, presence actions by index.
 */
export const ACTION = {
  HEARTBEAT: 0,
  ACK: 1,
  NACK: 2,
  CONNECT: 3,
  CONNECTED: 4,
  DISCONNECT: 5,
  DISCONNECTED: 6,
  CLOSE: 7,
  CLOSED: 8,
  ERROR: 9,
  ATTACH: 10,
  ATTACHED: 11,
  DETACH: 12,
  DETACHED: 13,
  PRESENCE: 14,
  MESSAGE: 15,
  SYNC: 16,
  AUTH: 17,
} as const;

export const FLAG = {
  HAS_PRESENCE: 1 << 0,
  HAS_BACKLOG: 1 << 1,
  RESUMED: 1 << 2,
  /** Channel modes the peer grants on every attach: presence, publish, subscribe, presence_subscribe. */
  MODES: (1 << 16) | (1 << 17) | (1 << 18) | (1 << 19),
} as const;

/** Presence actions on the wire are indexes into this list. */
export const PRESENCE_ACTIONS = ['absent', 'present', 'enter', 'leave', 'update'] as const;
export type PresenceActionName = (typeof PRESENCE_ACTIONS)[number];

/** Ably's `ErrorInfo` on the wire. */
export interface WireError {
  readonly code: number;
  readonly statusCode: number;
  readonly message: string;
}

export const errorInfo = (code: number, statusCode: number, message: string): WireError => ({ code, statusCode, message });

/** A message as stored and relayed by the peer. */
export interface WireMessage {
  id?: string;
  name?: string;
  data?: unknown;
  encoding?: string;
  clientId?: string;
  connectionId?: string;
  timestamp?: number;
  serial?: string;
}

export interface WirePresence {
  action: number;
  id?: string;
  clientId?: string;
  connectionId?: string;
  data?: unknown;
  encoding?: string;
  timestamp?: number;
}

/** A protocol message from a client (only the fields the peer reads). */
export interface ClientFrame {
  action?: unknown;
  id?: unknown;
  channel?: unknown;
  channelSerial?: unknown;
  msgSerial?: unknown;
  params?: unknown;
  messages?: unknown;
  presence?: unknown;
  auth?: unknown;
}

// ---- tokens ---------------------------------------------------------------------------------------

/** What a peer token grants. `capability` is Ably's JSON form: resource → operations (`*` wildcards). */
export interface TokenGrant {
  readonly clientId?: string;
  /** Milliseconds since the epoch; absent: never expires. */
  readonly expires?: number;
  readonly capability?: Readonly<Record<string, readonly string[]>>;
}

/** The secret conformance tokens are signed with (a test value: the peer is never deployed). */
export const ABLY_PEER_SECRET = 'switchboard-ably-peer-secret';
/** The API key the peer accepts `TokenRequest`s for (`keyName:keySecret`, Ably's format). */
export const ABLY_PEER_KEY = 'peerApp.peerKey:peer-key-secret';

const b64url = (input: string | Buffer) => Buffer.from(input).toString('base64url');
const sign = (payload: string, secret: string) => createHmac('sha256', secret).update(payload).digest('base64url');

/** Mints a token the peer accepts: `sbt.<payload>.<hmac>`. */
export function mintAblyToken(grant: TokenGrant = {}, secret: string = ABLY_PEER_SECRET): string {
  const payload = b64url(JSON.stringify({ c: grant.clientId, x: grant.expires, p: grant.capability }));
  return `sbt.${payload}.${sign(payload, secret)}`;
}

export type TokenCheck = { readonly ok: true; readonly grant: TokenGrant } | { readonly ok: false; readonly error: WireError };

/** Verifies a peer token: signature, expiry, revocation. Errors are Ably's token error codes (401xx). */
export function verifyAblyToken(token: string | undefined, secret: string, revoked: ReadonlySet<string>, now: number): TokenCheck {
  if (!token) return { ok: false, error: errorInfo(40101, 401, 'No token given (access_token missing)') };
  const [kind, payload, mac] = token.split('.');
  if (kind !== 'sbt' || !payload || !mac) return { ok: false, error: errorInfo(40143, 401, 'Token not recognised') };
  const expected = Buffer.from(sign(payload, secret));
  const given = Buffer.from(mac);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return { ok: false, error: errorInfo(40143, 401, 'Token not recognised') };
  if (revoked.has(token)) return { ok: false, error: errorInfo(40141, 401, 'Token revoked') };
  let decoded: { c?: unknown; x?: unknown; p?: unknown };
  try {
    decoded = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as typeof decoded;
  } catch {
    return { ok: false, error: errorInfo(40143, 401, 'Token not recognised') };
  }
  const expires = typeof decoded.x === 'number' ? decoded.x : undefined;
  if (expires !== undefined && expires <= now) return { ok: false, error: errorInfo(40142, 401, 'Token expired') };
  const grant: TokenGrant = {
    ...(typeof decoded.c === 'string' ? { clientId: decoded.c } : {}),
    ...(expires === undefined ? {} : { expires }),
    ...(decoded.p && typeof decoded.p === 'object' ? { capability: decoded.p as Record<string, string[]> } : {}),
  };
  return { ok: true, grant };
}

/** Ably's capability check: a resource matches exactly, `*` matches all, `ns:*` matches a namespace. */
export function permits(capability: TokenGrant['capability'], channel: string, operation: 'subscribe' | 'publish' | 'presence'): boolean {
  if (!capability) return true;
  for (const [resource, operations] of Object.entries(capability)) {
    const matches = resource === '*' || resource === channel || (resource.endsWith(':*') && channel.startsWith(resource.slice(0, -1)));
    if (matches && (operations.includes('*') || operations.includes(operation))) return true;
  }
  return false;
}

/** A `TokenRequest` as Ably's REST `requestToken` endpoint receives it. */
export interface TokenRequestBody {
  keyName?: unknown;
  ttl?: unknown;
  capability?: unknown;
  clientId?: unknown;
  timestamp?: unknown;
  nonce?: unknown;
  mac?: unknown;
}

/** The MAC of a TokenRequest: HMAC-SHA256 (base64) over its fields, one per line, with the key secret. */
export function tokenRequestMac(request: TokenRequestBody, keySecret: string): string {
  const text = [request.keyName, request.ttl ?? '', request.capability ?? '', request.clientId ?? '', request.timestamp, request.nonce].map((v) => String(v ?? '')).join('\n') + '\n';
  return createHmac('sha256', keySecret).update(text).digest('base64');
}
