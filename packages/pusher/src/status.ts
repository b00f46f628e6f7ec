import { disconnectLabel, verdictLabel, type Disconnect } from '@switchboard/core';
import { pusherCodeDisconnect } from './codes.js';

/**
 * What pusher-js (or Pusher) reports during one attempt, what the transport reports to the core, and —
 * rendered by `renderStatusMappingMarkdown()` — what the core's fatal-rule table makes of it. The table
 * in the README and docs/transports/pusher.md is this (checked by a test).
 */
export interface StatusMappingRow {
  readonly reports: string;
  /** How the attempt ends; or `open` (protocol-ready), `pending` (under way), `event` (an error event only). */
  readonly disconnect: Disconnect | 'open' | 'pending' | 'event';
  readonly note: string;
}

export const STATUS_MAPPING: readonly StatusMappingRow[] = [
  {
    reports: 'state `connected` (and `pusher:signin_success` with `userAuthEndpoint`)',
    disconnect: 'open',
    note: '`sessionId` = `socket_id`, heartbeat = `activity_timeout`, `memberId` = the signed-in user',
  },
  { reports: 'state `initialized` / `connecting`', disconnect: 'pending', note: 'the attempt is under way' },
  { reports: '`pusher:error` / close 4000', disconnect: pusherCodeDisconnect(4000, 'TLS only'), note: 'set `forceTLS: true`' },
  { reports: '`pusher:error` / close 4001-4099 (4001 no such app, 4004 over quota…)', disconnect: pusherCodeDisconnect(4001, 'App does not exist'), note: "Pusher: don't reconnect unchanged" },
  { reports: '`pusher:error` / close 4009 (connection unauthorized)', disconnect: pusherCodeDisconnect(4009, 'Connection is unauthorized'), note: 'e.g. a sign-in the server rejected' },
  { reports: '`pusher:error` / close 4100-4199 (over capacity)', disconnect: pusherCodeDisconnect(4100, 'Over capacity'), note: "Pusher: back off. Not the core's 4100-4199 (re-auth)" },
  { reports: '`pusher:error` / close 4200-4299 (4201 pong not received…)', disconnect: pusherCodeDisconnect(4201, 'Pong reply not received'), note: 'Pusher: reconnect now' },
  { reports: '`pusher:error` 4300-4399 or without a code', disconnect: 'event', note: 'an `error` event: `RATE_LIMITED` for 4301, else `SERVER_ERROR`' },
  { reports: 'socket closed with a code (1000, 1001, 1006…)', disconnect: { type: 'close', code: 1006 }, note: 'pusher-js would retry after 1 s: stopped instead' },
  { reports: 'socket closed with 1002, 1003, 1007-1010, 1015', disconnect: { type: 'close', code: 1002 }, note: 'the WebSocket rules of the core' },
  { reports: 'WebSocket upgrade answered with an HTTP status (Node; browsers hide it: close 1006)', disconnect: { type: 'http', status: 401 }, note: 'any status: the core\'s HTTP rules (5xx, 429 retried; other 4xx `failed`)' },
  { reports: 'socket failed without a code (refused, reset)', disconnect: { type: 'network' }, note: 'pusher-js would wait out its 15 s strategy timeout' },
  { reports: 'pusher-js schedules a retry of its own (`connecting_in`, state `unavailable`, `connected` → `connecting`)', disconnect: { type: 'network' }, note: 'stopped at once; the core retries' },
  { reports: 'state `failed` (no WebSocket in this environment)', disconnect: { type: 'protocol', reason: 'no WebSocket support' }, note: '' },
  { reports: 'state `disconnected` that the transport did not ask for', disconnect: pusherCodeDisconnect(4001, 'App does not exist'), note: 'pusher-js gave up after a 4000-4099: that code decides' },
  { reports: 'a first frame that is not `connection_established` (or lacks `activity_timeout`/`socket_id`)', disconnect: { type: 'protocol', reason: 'bad Pusher handshake' }, note: '' },
  { reports: 'no connection (and sign-in) within `connectTimeoutMs`', disconnect: { type: 'network' }, note: 'default 10 s' },
  { reports: 'user auth endpoint answers 401', disconnect: { type: 'http', status: 401 }, note: '`userAuthEndpoint`; 403 → `failed` (`FORBIDDEN`)' },
  { reports: 'user auth endpoint answers 5xx / is unreachable', disconnect: { type: 'http', status: 500 }, note: '`Retry-After` honoured; unreachable → `network`' },
  { reports: 'user auth endpoint answers no JSON / no `auth`, `user_data`, `id`', disconnect: { type: 'protocol', reason: 'bad user auth answer' }, note: '' },
];

/** The mapping as a Markdown table, with the core's verdict for each row. */
export function renderStatusMappingMarkdown(): string {
  const rows = STATUS_MAPPING.map(({ reports, disconnect, note }) => {
    const [reported, status] =
      disconnect === 'open'
        ? ['`open`', '`connected`']
        : disconnect === 'pending'
          ? ['—', '`connecting` / `reconnecting`']
          : disconnect === 'event'
            ? ['`error`', 'unchanged (stays `connected`)']
            : [`\`${disconnectLabel(disconnect)}\``, verdictLabel(disconnect)];
    return `| ${reports} | ${reported} | ${status} | ${note} |`;
  });
  return ['| pusher-js / Pusher reports | the transport reports | core status (`lastError.code`) | note |', '|---|---|---|---|', ...rows].join('\n');
}

