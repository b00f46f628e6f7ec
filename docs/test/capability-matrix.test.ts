import { readFileSync, writeFileSync } from 'node:fs';
import type { Transport } from '@switchboard/core';
import { polling } from '@switchboard/core/polling';
import { sse, sseStream } from '@switchboard/core/sse';
import { websocket } from '@switchboard/core/websocket';
import { ably } from '@switchboard/ably';
import { pusher } from '@switchboard/pusher';
import { socketIO } from '@switchboard/socket.io';
import { expect, it } from 'vitest';

/** Every transport, as a user creates it (nothing connects until a client needs it). */
const TRANSPORTS: Array<[label: string, transport: Transport, doc: string]> = [
  ['WebSocket', websocket({ url: 'ws://localhost/realtime' }), 'protocol.md'],
  ['SSE', sse({ url: '/api/realtime' }), 'protocol.md#sse'],
  ['Polling', polling({ url: '/api/realtime' }), 'protocol.md#polling'],
  ['Pusher, client events', pusher({ key: 'app-key' }), 'transports/pusher.md'],
  ['Pusher with `publishUrl`', pusher({ key: 'app-key', publishUrl: '/api/pusher/publish' }), 'transports/pusher.md'],
  ['Ably', ably({ authUrl: '/api/ably-token' }), 'transports/ably.md'],
  ['Socket.IO', socketIO({ url: 'http://localhost:3001' }), 'transports/socket.io.md'],
  ['SSE stream (any URL)', sseStream({ url: '/api/notifications', channel: 'notifications' }), 'hooks/useServerEvents.md'],
];

const yes = (value: boolean) => (value ? '✅' : '—');

/** The capability matrix of docs/transports.md, from what each transport declares. */
export function renderCapabilityMatrix(): string {
  const rows = TRANSPORTS.map(([label, { name, capabilities: c }, doc]) =>
    [
      `[${label}](./${doc}) \`${name}\``,
      c.publish === false ? '—' : c.publish === 'http' ? '✅ over HTTP' : '✅',
      c.acks ? '✅ at-least-once' : '— at-most-once',
      yes(c.presence),
      yes(c.resume),
      yes(c.clientEvents),
      c.auth ?? '',
      yes(c.serverless),
      c.retries === 'core' ? 'core' : 'vendor SDK',
    ].join(' | '),
  );
  return [
    '| transport | publish | acks | presence | resume | client events | auth | serverless | retries |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r} |`),
  ].join('\n');
}

it('docs/transports.md carries the capability matrix generated from the declared capabilities', () => {
  const file = new URL('../transports.md', import.meta.url);
  const text = readFileSync(file, 'utf8');
  const [open, close] = ['<!-- generated:capabilities -->', '<!-- /generated:capabilities -->'];
  const start = text.indexOf(open);
  const end = text.indexOf(close);
  expect(start).toBeGreaterThanOrEqual(0);
  const expected = `${open}\n${renderCapabilityMatrix()}\n${close}`;
  const actual = text.slice(start, end + close.length);
  if (actual !== expected && process.env.UPDATE_DOCS) {
    writeFileSync(file, text.slice(0, start) + expected + text.slice(end + close.length));
    return;
  }
  expect(actual).toBe(expected);
});

it('the matrix covers every transport kind the env helper can build', async () => {
  const { TRANSPORT_KINDS } = await import('@switchboard/core/env');
  const names = new Set(TRANSPORTS.map(([, t]) => t.name));
  for (const kind of TRANSPORT_KINDS) expect(names).toContain(kind);
});
