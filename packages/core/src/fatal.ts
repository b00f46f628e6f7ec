import type { RealtimeErrorCode } from './errors.js';

/**
 * Why a connection (or an attempt at one) ended, as reported by a transport or by the core itself.
 * Transports describe what happened; only `classifyDisconnect` decides what to do about it.
 */
export type Disconnect =
  /** A WebSocket-style close code (also used for application codes 4000-4999). */
  | { type: 'close'; code: number; reason?: string; retryAfterMs?: number }
  /** The server answered an HTTP request (handshake, event stream, poll) with this status. */
  | { type: 'http'; status: number; retryAfterMs?: number; reason?: string }
  /** An event stream answered 2xx with a content type other than `text/event-stream`. */
  | { type: 'content-type'; contentType: string | null }
  /** Refused, reset, DNS failure, stream cut: no code, just gone. */
  | { type: 'network'; error?: unknown }
  /** The server ended the stream cleanly (e.g. SSE end of body). `retryAfterMs` from SSE `retry:`. */
  | { type: 'end'; retryAfterMs?: number }
  /** The transport was told the credentials are invalid or expired. */
  | { type: 'auth'; error?: unknown; reason?: string }
  /** The peer broke the protocol (bad handshake, unsupported version). */
  | { type: 'protocol'; reason: string }
  /** The auth provider threw. `unauthorized` when it threw a `RealtimeError` with code UNAUTHORIZED. */
  | { type: 'auth-provider'; unauthorized: boolean; error: unknown }
  /** No frame within the heartbeat deadline (set by the core). */
  | { type: 'heartbeat' }
  /** The application called `close()` (set by the core). */
  | { type: 'user' };

export type Outcome =
  /** Retry after the normal backoff delay. */
  | 'retry'
  /** Retry after the server's hint plus jitter (or the normal delay when there is no hint). */
  | 'retry-hint'
  /** Retry at once — unless the connection is unstable, then the normal backoff applies. */
  | 'retry-now'
  /** Refresh credentials once and retry at once; a second auth failure before connecting → `failed`. */
  | 'reauth'
  /** Stop: status `failed`. */
  | 'fail'
  /** Stop: status `closed`. */
  | 'close';

export interface FatalRule {
  /** Stable name of the rule; what it covers, in words, is in `FATAL_RULE_DESCRIPTIONS` (docs). */
  readonly id: string;
  readonly outcome: Outcome;
  /** Error code recorded as `lastError`. */
  readonly code: RealtimeErrorCode;
  readonly matches: (d: Disconnect) => boolean;
}

const RETRYABLE_WS = new Set([1000, 1001, 1005, 1006, 1011, 1012, 1014]);
const RETRYABLE_HTTP_4XX = new Set([408, 425, 429]);
const closeCode = (d: Disconnect, lo: number, hi: number) => d.type === 'close' && d.code >= lo && d.code <= hi;

/**
 * The fatal-rule table: the single place that decides retry / re-auth / stop.
 * Rows are checked in order; the first match wins. docs/fatal-rules.md is generated from it (with the
 * descriptions of fatal-docs.ts, kept out of this module so apps do not ship them).
 */
export const FATAL_RULES: readonly FatalRule[] = [
  { id: 'user-close', outcome: 'close', code: 'CLOSED', matches: (d) => d.type === 'user' },
  { id: 'auth-unauthorized', outcome: 'fail', code: 'UNAUTHORIZED', matches: (d) => d.type === 'auth-provider' && d.unauthorized },
  { id: 'auth-provider-error', outcome: 'retry', code: 'AUTH_ERROR', matches: (d) => d.type === 'auth-provider' },
  { id: 'auth-refused', outcome: 'reauth', code: 'UNAUTHORIZED', matches: (d) => d.type === 'auth' },
  { id: 'http-401', outcome: 'reauth', code: 'UNAUTHORIZED', matches: (d) => d.type === 'http' && d.status === 401 },
  { id: 'http-408-425-429', outcome: 'retry-hint', code: 'RATE_LIMITED', matches: (d) => d.type === 'http' && RETRYABLE_HTTP_4XX.has(d.status) },
  { id: 'http-204', outcome: 'close', code: 'CLOSED', matches: (d) => d.type === 'http' && d.status === 204 },
  { id: 'http-4xx', outcome: 'fail', code: 'FORBIDDEN', matches: (d) => d.type === 'http' && d.status >= 400 && d.status < 500 },
  { id: 'http-other', outcome: 'retry-hint', code: 'CONNECTION_LOST', matches: (d) => d.type === 'http' },
  { id: 'content-type', outcome: 'fail', code: 'BAD_CONTENT_TYPE', matches: (d) => d.type === 'content-type' },
  { id: 'protocol', outcome: 'fail', code: 'PROTOCOL_ERROR', matches: (d) => d.type === 'protocol' },
  { id: 'ws-retry', outcome: 'retry', code: 'CONNECTION_LOST', matches: (d) => d.type === 'close' && RETRYABLE_WS.has(d.code) },
  { id: 'ws-1013', outcome: 'retry-hint', code: 'RATE_LIMITED', matches: (d) => d.type === 'close' && d.code === 1013 },
  { id: 'ws-fatal', outcome: 'fail', code: 'CONNECTION_REFUSED', matches: (d) => closeCode(d, 1002, 1015) },
  { id: 'app-4000', outcome: 'fail', code: 'FORBIDDEN', matches: (d) => closeCode(d, 4000, 4099) },
  { id: 'app-4100', outcome: 'reauth', code: 'UNAUTHORIZED', matches: (d) => closeCode(d, 4100, 4199) },
  { id: 'app-4200', outcome: 'retry-now', code: 'CONNECTION_LOST', matches: (d) => closeCode(d, 4200, 4299) },
  { id: 'stream-end', outcome: 'retry-hint', code: 'CONNECTION_LOST', matches: (d) => d.type === 'end' },
  { id: 'heartbeat', outcome: 'retry', code: 'HEARTBEAT_TIMEOUT', matches: (d) => d.type === 'heartbeat' },
  { id: 'other', outcome: 'retry', code: 'CONNECTION_LOST', matches: () => true },
];

export interface Verdict {
  outcome: Outcome;
  code: RealtimeErrorCode;
  rule: FatalRule;
}

export function classifyDisconnect(disconnect: Disconnect): Verdict {
  for (const rule of FATAL_RULES) {
    if (rule.matches(disconnect)) return { outcome: rule.outcome, code: rule.code, rule };
  }
  /* c8 ignore next */
  throw new Error('unreachable: the last fatal rule matches everything');
}

/** One-line human description of a disconnect, for error messages and logs. */
export function describeDisconnect(d: Disconnect): string {
  switch (d.type) {
    case 'close':
      return `closed with code ${d.code}${d.reason ? ` (${d.reason})` : ''}`;
    case 'http':
      return `HTTP ${d.status}${d.reason ? ` (${d.reason})` : ''}`;
    case 'content-type':
      return `unexpected content type ${d.contentType ?? '(none)'}`;
    case 'network':
      return d.error instanceof Error ? `network error: ${d.error.message}` : 'network error';
    case 'end':
      return 'stream ended by the server';
    case 'auth':
      return `credentials refused${d.reason ? ` (${d.reason})` : ''}`;
    case 'protocol':
      return `protocol error: ${d.reason}`;
    case 'auth-provider':
      return d.error instanceof Error ? `auth provider failed: ${d.error.message}` : 'auth provider failed';
    case 'heartbeat':
      return 'no frame within the heartbeat deadline';
    case 'user':
      return 'closed by the application';
  }
}
