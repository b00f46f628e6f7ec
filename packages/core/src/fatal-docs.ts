import { FATAL_RULES, classifyDisconnect, type Disconnect, type Outcome } from './fatal.js';

/** Each fatal rule in words (docs/fatal-rules.md). Not needed at run time. */
export const FATAL_RULE_DESCRIPTIONS: Readonly<Record<string, string>> = /* @__PURE__ */ Object.freeze({
  'user-close': '`client.close()` / `destroy()`',
  'auth-unauthorized': 'auth provider throws `RealtimeError("UNAUTHORIZED")`',
  'auth-provider-error': 'auth provider throws anything else (network, 5xx)',
  'auth-refused': 'transport reports credentials refused or expired',
  'http-401': 'HTTP 401',
  'http-408-425-429': 'HTTP 408, 425, 429',
  'http-204': 'HTTP 204 (event stream: "stop")',
  'http-4xx': 'HTTP other 4xx',
  'http-other': 'HTTP 5xx and other statuses (`Retry-After` honoured)',
  'content-type': 'event stream with a wrong content type',
  'protocol': 'protocol violation (handshake, version)',
  'ws-retry': 'WebSocket 1000, 1001, 1005, 1006, 1011, 1012, 1014',
  'ws-1013': 'WebSocket 1013 (try again later)',
  'ws-fatal': 'WebSocket other 1002-1015 (1002, 1003, 1007, 1008, 1009, 1010, 1015)',
  'app-4000': 'application close 4000-4099',
  'app-4100': 'application close 4100-4199',
  'app-4200': 'application close 4200-4299',
  'stream-end': 'server ended the stream (SSE end of body; `retry:` honoured)',
  'heartbeat': 'heartbeat deadline missed',
  'other': 'network error, any other close code',
});

/** What the client does, in the words of every table in the docs (core and transports alike). */
const OUTCOME_LABELS: Readonly<Record<Outcome, string>> = /* @__PURE__ */ Object.freeze({
  retry: 'retry with backoff',
  'retry-hint': 'retry after server hint + jitter',
  'retry-now': 'retry at once (backoff if unstable)',
  reauth: 'refresh credentials once, retry; second failure → `failed`',
  fail: '`failed`',
  close: '`closed`',
});

/** A disconnect as the docs' tables show it: `close 1013`, `http 401`, `network`. */
export function disconnectLabel(d: Disconnect): string {
  switch (d.type) {
    case 'close':
      return `close ${d.code}`;
    case 'http':
      return `http ${d.status}`;
    default:
      return d.type;
  }
}

/** What the core does with a disconnect, as the docs' tables show it: "retry with backoff (`CONNECTION_LOST`)". */
export function verdictLabel(d: Disconnect): string {
  const verdict = classifyDisconnect(d);
  return `${OUTCOME_LABELS[verdict.outcome]} (\`${verdict.code}\`)`;
}

/** Renders the fatal-rule table as Markdown (docs/fatal-rules.md is this, checked by a test). */
export function renderFatalRulesMarkdown(): string {
  const rows = FATAL_RULES.map((r) => `| ${FATAL_RULE_DESCRIPTIONS[r.id] ?? r.id} | ${OUTCOME_LABELS[r.outcome]} | \`${r.code}\` |`);
  return ['| what happened | what the client does | `lastError.code` |', '|---|---|---|', ...rows].join('\n');
}
