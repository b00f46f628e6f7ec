/**
 * How socket.io-client's events become `Disconnect`s. The transport only describes what happened;
 * the core's fatal-rule table (docs/fatal-rules.md) decides retry / re-auth / stop. The mapping table
 * in the README and docs/transports/socket.io.md is rendered from `STATUS_MAPPING` (checked by a test).
 */
import { disconnectLabel, verdictLabel, type Disconnect } from '@switchboard/core';
import type { ClosePayload } from './wire.js';

/** Close code used for a server's "go away" without a reason: the server kit's FORBIDDEN (stop, `failed`). */
export const STOP_CODE = 4003;

/** Statuses a middleware refusal names by code instead of `data.status`. */
const STATUS_OF_CODE: Partial<Record<string, number>> = {
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  RATE_LIMITED: 429,
  SERVER_ERROR: 500,
  CONNECTION_LOST: 503,
};

type Obj = Record<string, unknown>;
const isObject = (value: unknown): value is Obj => typeof value === 'object' && value !== null;

/**
 * A `connect_error`. `refusedByServer` is true when the namespace's middleware refused the socket
 * (a CONNECT_ERROR packet: socket.io-client then stops on its own, `socket.active === false`).
 */
export function fromConnectError(error: unknown, refusedByServer: boolean): Disconnect {
  const e = isObject(error) ? error : {};
  const message = typeof e.message === 'string' ? e.message : '';
  if (refusedByServer) return fromRefusal(e.data, message);
  if (message.includes('v2.x')) return { type: 'protocol', reason: 'the server speaks socket.io v2, not v4' };
  const status = handshakeStatus(e.description);
  if (status !== undefined) return { type: 'http', status, reason: message || 'handshake refused' };
  return { type: 'network', error };
}

/** A refusal from a middleware: `next(err)` with `err.data = { code?, status?, retryAfterMs? }`. */
export function fromRefusal(data: unknown, message: string): Disconnect {
  const d = isObject(data) ? data : {};
  const status = typeof d.status === 'number' ? d.status : typeof d.code === 'string' ? STATUS_OF_CODE[d.code] : undefined;
  const retryAfterMs = typeof d.retryAfterMs === 'number' && d.retryAfterMs >= 0 ? d.retryAfterMs : undefined;
  const reason = message.slice(0, 200) || undefined;
  if (status === 401) return { type: 'auth', ...(reason ? { reason } : {}) };
  if (status !== undefined && Number.isInteger(status) && status >= 400 && status < 600) {
    return { type: 'http', status, ...(retryAfterMs === undefined ? {} : { retryAfterMs }), ...(reason ? { reason } : {}) };
  }
  return { type: 'close', code: STOP_CODE, reason: reason ?? 'refused by the server' };
}

/**
 * A `disconnect` after the connection was up. `announced` is the server's `sb:close` notice, if one
 * came right before. `null` for a disconnect the transport itself asked for.
 */
export function fromDisconnect(reason: string, description: unknown, announced: ClosePayload | null): Disconnect | null {
  switch (reason) {
    case 'io client disconnect':
      return null;
    case 'io server disconnect':
      return announced
        ? { type: 'close', code: announced.code, ...(announced.reason ? { reason: announced.reason } : {}) }
        : { type: 'close', code: STOP_CODE, reason: 'io server disconnect' };
    case 'ping timeout':
      return { type: 'heartbeat' };
    default:
      return { type: 'network', error: toError(reason, description) };
  }
}

/** The HTTP status of a refused handshake, when engine.io-client tells it (polling: a number; `ws`: its message). */
function handshakeStatus(description: unknown): number | undefined {
  if (typeof description === 'number' && description >= 400 && description < 600) return description;
  if (!isObject(description)) return undefined;
  const inner = isObject(description.error) ? description.error.message : undefined;
  const text = String(description.message ?? inner ?? '');
  const match = /Unexpected server response: (\d{3})/.exec(text);
  return match ? Number(match[1]) : undefined;
}

function toError(reason: string, description: unknown): Error {
  const cause = isObject(description) && 'description' in description ? description.description : description;
  return new Error(`socket.io: ${reason}`, cause === undefined ? undefined : { cause });
}

export interface StatusMappingRow {
  /** What socket.io-client reported. */
  readonly event: string;
  /** The `Disconnect` it becomes. */
  readonly disconnect: Disconnect;
  readonly note: string;
}

/** The mapping, as data: rendered into the docs with the core's verdict for each row. */
export const STATUS_MAPPING: readonly StatusMappingRow[] = [
  { event: '`connect` + `sb:welcome`', disconnect: { type: 'user' }, note: 'protocol-ready: the server helper answered' },
  { event: '`connect_error`, transport error / `timeout`', disconnect: { type: 'network' }, note: 'server unreachable, handshake timed out' },
  { event: '`connect_error`, handshake refused with an HTTP status', disconnect: { type: 'http', status: 403 }, note: 'e.g. `allowRequest` refusing: 403 (polling), 400 (WebSocket upgrade); 5xx and 429 are retried' },
  { event: '`connect_error` from a middleware, `data.code: "UNAUTHORIZED"` or `data.status: 401`', disconnect: { type: 'auth' }, note: '`refuse("UNAUTHORIZED")`, or `authenticate` returning false' },
  { event: '`connect_error` from a middleware, `data.status: 429` / `code: "RATE_LIMITED"`', disconnect: { type: 'http', status: 429 }, note: '`data.retryAfterMs` honoured' },
  { event: '`connect_error` from a middleware, `data.status: 403` / `code: "FORBIDDEN"`', disconnect: { type: 'http', status: 403 }, note: 'other 4xx alike; 5xx retried' },
  { event: '`connect_error` from a middleware without a known code/status', disconnect: { type: 'close', code: STOP_CODE }, note: 'socket.io-client stops too; treated as close code 4003' },
  { event: '`disconnect` "io server disconnect" after `sb:close { code }`', disconnect: { type: 'close', code: 1012 }, note: 'the announced code decides (1012 shown; 4100 re-auth, 4003 stop…)' },
  { event: '`disconnect` "io server disconnect" (bare `socket.disconnect()`)', disconnect: { type: 'close', code: STOP_CODE }, note: 'the server said "stop": treated as close code 4003' },
  { event: '`disconnect` "transport close" / "transport error" / "forced close"', disconnect: { type: 'network' }, note: 'a drop: recovery is attempted on the next connection' },
  { event: '`disconnect` "ping timeout"', disconnect: { type: 'heartbeat' }, note: 'engine.io heartbeat missed (the core\'s own deadline reports the same)' },
  { event: 'no `sb:welcome` within `connectTimeoutMs` after `connect`', disconnect: { type: 'protocol', reason: 'no welcome' }, note: 'the server helper is not attached' },
  { event: '`connect_error` "server in v2.x"', disconnect: { type: 'protocol', reason: 'v2' }, note: 'incompatible server' },
];

/**
 * The mapping as a Markdown table, with the outcome the core's fatal-rule table gives each row (the
 * README's and docs/transports/socket.io.md's table is this, checked by a test).
 *
 * @example
 * console.log(renderStatusMappingMarkdown());
 */
export function renderStatusMappingMarkdown(): string {
  const outcome = (row: StatusMappingRow): string => (row.disconnect.type === 'user' ? '`connected`' : verdictLabel(row.disconnect));
  const rows = STATUS_MAPPING.map((row) => `| ${row.event} | \`${row.disconnect.type === 'user' ? 'open' : disconnectLabel(row.disconnect)}\` | ${outcome(row)} | ${row.note} |`);
  return ['| socket.io-client reports | becomes `Disconnect` | core status (`lastError.code`) | note |', '|---|---|---|---|', ...rows].join('\n');
}

