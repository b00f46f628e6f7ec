import { RealtimeError, type Disconnect } from '@switchboard/core';

/**
 * Pusher's error codes, mapped onto the core's `Disconnect`s so that the core's one fatal-rule table
 * decides what happens (docs/fatal-rules.md):
 *
 * | Pusher code | Pusher's meaning | reported as | core outcome |
 * |---|---|---|---|
 * | 4000 | app accepts TLS only | close 4000 | `failed` (`FORBIDDEN`): set `forceTLS: true` |
 * | 4009 | connection is unauthorized | `auth` | refresh credentials once, then `failed` (`UNAUTHORIZED`) |
 * | 4001-4099 (others) | don't reconnect unchanged | close 40xx | `failed` (`FORBIDDEN`) |
 * | 4100-4199 | reconnect after backing off | close 1013 (try again later) | retry after the cap + jitter (`RATE_LIMITED`) |
 * | 4200-4299 | reconnect now | close 42xx | retry at once (`CONNECTION_LOST`) |
 * | 4300-4399 | other error, connection stays | `error` event | nothing (non-fatal) |
 *
 * The core's own 4100-4199 means "re-authenticate"; Pusher's means "back off", so those codes are never
 * passed through.
 */
export function pusherCodeDisconnect(code: number, message: string | undefined): Disconnect {
  const reason = `Pusher ${code}${message ? `: ${message}` : ''}`;
  if (code === 4000) return { type: 'close', code, reason: `${reason} (the app accepts TLS only: set forceTLS: true)` };
  if (code === 4009) return { type: 'auth', reason };
  if (code >= 4100 && code < 4200) return { type: 'close', code: 1013, reason };
  return { type: 'close', code, reason };
}

/** Pusher codes that end the connection (4000-4299); 4300+ and `null` codes leave it open. */
export function isClosingCode(code: unknown): code is number {
  return typeof code === 'number' && code >= 4000 && code < 4300;
}

/** A `pusher:error` the connection survives, as a typed error event. */
export function pusherError(code: number | null, message: string, transport: string): RealtimeError {
  const errorCode = code === 4301 ? 'RATE_LIMITED' : 'SERVER_ERROR';
  return new RealtimeError(errorCode, `Pusher error${code === null ? '' : ` ${code}`}: ${message}`, {
    details: { transport, ...(code === null ? {} : { pusherCode: code }) },
  });
}

/** `{ code, message }` of a `pusher:error` payload, however it was encoded. */
export function readPusherError(data: unknown): { code: number | null; message: string } {
  const value = typeof data === 'object' && data !== null ? (data as { code?: unknown; message?: unknown }) : {};
  return {
    code: typeof value.code === 'number' ? value.code : null,
    message: typeof value.message === 'string' ? value.message : typeof data === 'string' ? data : 'unknown error',
  };
}
