import { classifyDisconnect, type Disconnect, type RealtimeError } from '@switchboard/core';
import { asErrorInfo, describe, fromAblyError, isAuthProviderError, isTokenError, type AblyErrorLike } from './errors.js';

/** The ably-js connection states that end (or interrupt) a connection. */
export type LostState = 'disconnected' | 'suspended' | 'failed';

/**
 * What an ably-js connection state change means for the core. `disconnected`/`suspended` are drops
 * ably-js retries itself; `failed` is terminal in ably-js, so it becomes something the fatal-rule table
 * stops on — or, for token errors, refreshes once. `authError`: what the transport's own token request
 * failed with, when ably-js only says 80019.
 */
export function disconnectFor(state: LostState, reason: unknown, authError: RealtimeError | null = null): Disconnect {
  if (isAuthProviderError(reason)) {
    const error = authError ?? fromAblyError((reason as { cause?: unknown }).cause ?? reason, 'AUTH_ERROR');
    return { type: 'auth-provider', unauthorized: state === 'failed' || error.code === 'UNAUTHORIZED', error };
  }
  const info = asErrorInfo(reason);
  const error = fromAblyError(reason, 'CONNECTION_LOST');
  if (isTokenError(reason) || (state === 'failed' && info.statusCode === 401)) return { type: 'auth', error, reason: describe(reason) };
  if (state !== 'failed') return { type: 'network', error };
  const status = info.statusCode;
  if (status !== undefined && status >= 400 && status < 500 && ![408, 425, 429].includes(status)) return { type: 'http', status, reason: describe(reason) };
  return { type: 'protocol', reason: `Ably failed the connection: ${describe(reason)}` };
}

/** ably-js closed without being asked (a CLOSED from the server): terminal in ably-js, so `failed` here. */
export const UNASKED_CLOSE: Disconnect = { type: 'protocol', reason: 'Ably closed the connection without being asked to (CLOSED)' };

/** A drop ably-js retries by itself: the core only waits for it (`retries: 'sdk'`). */
export function isRetry(disconnect: Disconnect): boolean {
  const { outcome } = classifyDisconnect(disconnect);
  return outcome === 'retry' || outcome === 'retry-hint' || outcome === 'retry-now';
}

export interface StatusMappingRow {
  /** What ably-js reported, as the docs say it. */
  readonly event: string;
  /** The state and reason given to `disconnectFor` for this row, or the `Disconnect` itself (`null`: not a loss). */
  readonly input: { readonly state: LostState; readonly reason: AblyErrorLike; readonly authError?: RealtimeError } | Disconnect | null;
  readonly note: string;
}

const err = (code: number, statusCode: number, message: string): AblyErrorLike => ({ code, statusCode, message });

/** The mapping, as data: each row is run through `disconnectFor` and the core's fatal rules for the docs. */
export const STATUS_MAPPING: readonly StatusMappingRow[] = [
  { event: '`initialized` → `connecting`', input: null, note: 'an attempt is under way: `connecting` (`reconnecting` once it was connected)' },
  { event: '`connected` (also after a resume or a recover)', input: null, note: '`open()` with `sessionId` = `memberId` = `connection.id` → `connected`' },
  { event: '`disconnected`: socket lost, DISCONNECTED from Ably, idle timeout', input: { state: 'disconnected', reason: err(80003, 503, 'Connection to server unavailable') }, note: 'ably-js reconnects (at once, then every `disconnectedRetryTimeout`) and resumes' },
  { event: '`suspended` (disconnected for `connectionStateTtl`)', input: { state: 'suspended', reason: err(80002, 503, 'Connection suspended') }, note: 'the core turns `suspended` after its own `suspendAfterMs` (2 min, as Ably)' },
  { event: '`disconnected` with a token error 40140–40149 (e.g. 40142 expired)', input: { state: 'disconnected', reason: err(40142, 401, 'Token expired') }, note: 'the ably-js client is closed; a new one recovers the connection' },
  { event: 'token refused at connect (ERROR 40140–40149: ably-js asks for another)', input: { state: 'disconnected', reason: err(40141, 401, 'Token revoked') }, note: 'as above' },
  { event: '`failed` with 401 (e.g. 40101 invalid credentials)', input: { state: 'failed', reason: err(40101, 401, 'Invalid credentials') }, note: 'as above' },
  { event: '`disconnected`, 80019: `authUrl` 5xx / bad JSON / wrong type / unreachable', input: { state: 'disconnected', reason: err(80019, 401, 'Client configured authentication provider request failed') }, note: 'ably-js asks again on its own schedule' },
  { event: '`failed`, 80019: `authUrl` 401/403, `authCallback` threw `UNAUTHORIZED`', input: { state: 'failed', reason: err(80019, 403, 'Client configured authentication provider returned 403') }, note: 'stops' },
  { event: '`failed` with another 4xx (e.g. 40300)', input: { state: 'failed', reason: err(40300, 403, 'Forbidden') }, note: 'stops' },
  { event: '`failed` with anything else (e.g. 50000)', input: { state: 'failed', reason: err(50000, 500, 'Internal error') }, note: 'stops; `reconnect()` starts over' },
  { event: '`closing`/`closed` without being asked (CLOSED from Ably)', input: UNASKED_CLOSE, note: 'stops' },
];

const LABEL: Record<string, string> = {
  retry: '`reconnecting`, ably-js retries',
  'retry-hint': '`reconnecting`, ably-js retries',
  'retry-now': '`reconnecting`, ably-js retries',
  reauth: 'refresh credentials once (new ably-js client), then `failed`',
  fail: '`failed`',
  close: '`closed`',
};

/** The mapping as a Markdown table, with the outcome the core's fatal-rule table gives each row. */
export function renderStatusMappingMarkdown(): string {
  const rows = STATUS_MAPPING.map((row) => {
    if (!row.input) return `| ${row.event} | — | — | ${row.note} |`;
    const disconnect = 'type' in row.input ? row.input : disconnectFor(row.input.state, row.input.reason, row.input.authError ?? null);
    const verdict = classifyDisconnect(disconnect);
    const shown = disconnect.type === 'http' ? `http ${disconnect.status}` : disconnect.type === 'auth-provider' && disconnect.unauthorized ? 'auth-provider (unauthorized)' : disconnect.type;
    return `| ${row.event} | \`${shown}\` | ${LABEL[verdict.outcome] ?? verdict.outcome} (\`${verdict.code}\`) | ${row.note} |`;
  });
  return ['| ably-js reports | becomes `Disconnect` | core status (`lastError.code`) | note |', '|---|---|---|---|', ...rows].join('\n');
}
