import { createClient, type RealtimeError } from '@switchboard/core';
import { websocket } from '@switchboard/core/websocket';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { rawClient, until, type RawClient } from './helpers.js';
import { startNode, type NodeProcess } from './support/node-process.js';

// 10,000 random and malformed WebSocket frames and 2,000 random HTTP requests against a real
// `switchboard serve` process, while a well-formed client listens on the same process.
const SECRET = 'fuzz-secret';
const FRAMES = 10_000;
const REQUESTS = 2_000;
let node: NodeProcess;

beforeAll(async () => {
  node = await startNode('fuzz', { limits: { maxFrameBytes: 8 * 1024 } }, { SWITCHBOARD_SECRET: SECRET });
});
afterAll(async () => {
  await node.kill();
});

const channel = fc.oneof(fc.constantFrom('room', 'private-x', 'presence-y', 'fuzz-watch'), fc.string({ maxLength: 40 }), fc.anything());
const frameObject = fc.record(
  {
    type: fc.oneof(fc.constantFrom('hello', 'subscribe', 'unsubscribe', 'publish', 'presence', 'ping', 'pong'), fc.string({ maxLength: 12 }), fc.anything()),
    v: fc.oneof(fc.constant(1), fc.anything()),
    channel,
    id: fc.oneof(fc.string({ maxLength: 30 }), fc.anything()),
    event: fc.oneof(fc.string({ maxLength: 30 }), fc.anything()),
    data: fc.jsonValue({ maxDepth: 4 }),
    cursor: fc.oneof(fc.constant(null), fc.string({ maxLength: 70 }), fc.anything()),
    action: fc.oneof(fc.constantFrom('enter', 'update', 'leave'), fc.anything()),
    auth: fc.oneof(fc.string({ maxLength: 100 }), fc.anything()),
    channelData: fc.oneof(fc.string({ maxLength: 100 }), fc.anything()),
    volatile: fc.anything(),
  },
  { requiredKeys: [] },
);
/** Well-formed frames (on a few channels), so the fuzz also reaches subscribe, publish and presence. */
const name = fc.constantFrom('room', 'lobby', 'private-x', 'presence-y', 'fuzz-other');
const validFrame = fc.oneof(
  fc.record({ type: fc.constant('subscribe'), channel: name, cursor: fc.oneof(fc.constant(null), fc.constantFrom('abc.1', 'zz.0', '0.0')) }),
  fc.record({ type: fc.constant('unsubscribe'), channel: name }),
  fc.record({ type: fc.constant('publish'), id: fc.string({ minLength: 1, maxLength: 12 }), channel: name, event: fc.constantFrom('e', 'msg'), data: fc.jsonValue({ maxDepth: 3 }), volatile: fc.boolean() }),
  fc.record({ type: fc.constant('presence'), channel: name, action: fc.constantFrom('enter', 'update', 'leave'), data: fc.jsonValue({ maxDepth: 2 }) }),
);
/** A well-formed frame with one field replaced by anything. */
const mutatedFrame = fc.tuple(validFrame, fc.constantFrom('type', 'channel', 'id', 'event', 'cursor', 'action', 'data'), fc.anything()).map(([f, key, value]) => ({ ...f, [key]: value }));
const stringify = (value: unknown) => {
  try {
    return JSON.stringify(value) ?? 'null';
  } catch {
    return String(value);
  }
};
/** A frame: mostly near-valid objects, some raw garbage, a few beyond the size limits, some binary. */
const frame: fc.Arbitrary<string | Buffer> = fc.oneof(
  { weight: 6, arbitrary: frameObject.map(stringify) },
  { weight: 5, arbitrary: validFrame.map(stringify) },
  { weight: 5, arbitrary: mutatedFrame.map(stringify) },
  { weight: 3, arbitrary: fc.string({ maxLength: 200 }) },
  { weight: 2, arbitrary: fc.jsonValue().map(stringify) },
  { weight: 1, arbitrary: fc.integer({ min: 8 * 1024, max: 40 * 1024 }).map((n) => JSON.stringify({ type: 'publish', id: 'big', channel: 'room', event: 'e', data: 'x'.repeat(n) })) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes)) },
);

const opsBody = fc.oneof(
  fc.record({ v: fc.oneof(fc.constant(1), fc.anything()), session: fc.oneof(fc.string(), fc.anything()), ops: fc.oneof(fc.array(fc.oneof(frameObject, validFrame, mutatedFrame), { maxLength: 120 }), fc.anything()) }).map(stringify),
  fc.string({ maxLength: 300 }),
  fc.jsonValue().map(stringify),
  fc.integer({ min: 30_000, max: 60_000 }).map((n) => 'y'.repeat(n)),
);
const request = fc.record({
  method: fc.constantFrom('GET', 'GET', 'POST', 'POST', 'POST', 'OPTIONS', 'DELETE'),
  body: opsBody,
  query: fc.array(fc.tuple(fc.constantFrom('channel', 'session', 'wait', 'x'), fc.string({ maxLength: 30 })), { maxLength: 6 }),
  accept: fc.constantFrom('application/json', 'text/event-stream', '*/*'),
  lastEventId: fc.string({ maxLength: 80 }),
  auth: fc.string({ maxLength: 120 }),
  bearer: fc.oneof(fc.constant(''), fc.string({ maxLength: 40 })),
});

type FuzzRequest = typeof request extends fc.Arbitrary<infer T> ? T : never;

async function sendFrames(frames: readonly (string | Buffer)[]): Promise<number> {
  let conn: RawClient | null = null;
  let closed = true;
  let connections = 0;
  const open = async () => {
    const c = await rawClient(node.wsUrl);
    connections++;
    closed = false;
    void c.closed.then(() => (closed = true));
    c.send({ type: 'hello', v: 1 });
    return c;
  };
  for (let i = 0; i < frames.length; i++) {
    if (closed || !conn) {
      conn?.close();
      conn = await open();
    }
    conn.sendText(frames[i]!);
    if (i % 100 === 99) {
      // In step with the server: wait for its answer to a ping (or the close it chose).
      const c: RawClient = conn;
      const id = `sync-${i}`;
      c.send({ type: 'ping', id });
      await Promise.race([c.next((f) => f.type === 'pong' && f.id === id, 10_000), c.closed]);
    }
  }
  conn?.close();
  return connections;
}

/** fetch's error when the connection was closed under a request. */
function isSocketReset(error: unknown): boolean {
  const cause = (error as { cause?: { code?: string } } | null)?.cause;
  return error instanceof TypeError && ['UND_ERR_SOCKET', 'ECONNRESET', 'EPIPE'].includes(cause?.code ?? '');
}

async function sendRequests(requests: readonly FuzzRequest[]): Promise<Map<number, number>> {
  const statuses = new Map<number, number>();
  let next = 0;
  const worker = async () => {
    while (next < requests.length) {
      const r = requests[next++]!;
      const query = new URLSearchParams(r.query).toString();
      const controller = new AbortController();
      const headers: Record<string, string> = { accept: r.accept, 'last-event-id': r.lastEventId.replace(/[\r\n]/g, ''), 'x-switchboard-auth': encodeURIComponent(r.auth) };
      if (r.bearer) headers.authorization = `Bearer ${r.bearer.replace(/[\r\n]/g, '')}`;
      try {
        const res = await fetch(`${node.url}${query ? `?${query}` : ''}`, {
          method: r.method,
          headers: { ...headers, ...(r.method === 'POST' ? { 'content-type': 'application/json' } : {}) },
          ...(r.method === 'POST' ? { body: r.body } : {}),
          signal: controller.signal,
        });
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        // SSE streams stay open: read what is there and hang up.
        if (res.headers.get('content-type')?.startsWith('text/event-stream')) controller.abort();
        else await res.arrayBuffer();
      } catch (error) {
        // A connection closed under the request (undici reusing a keep-alive socket the server just
        // closed): an outcome, not a failure — whether the server is still up is checked after.
        if (!isSocketReset(error)) throw error;
        statuses.set(0, (statuses.get(0) ?? 0) + 1);
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  return statuses;
}

async function gauge(name: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${node.port}/metrics`)).text();
  return Number(new RegExp(`^${name} (\\d+)`, 'm').exec(text)?.[1]);
}

describe('fuzz', () => {
  it('survives 10,000 random frames and 2,000 random HTTP requests; memory stays bounded; a well-formed client is unaffected', { timeout: 90_000 }, async () => {
    const errors: RealtimeError[] = [];
    const received: unknown[] = [];
    const client = createClient({ transport: websocket({ url: node.wsUrl, WebSocket }), backoff: { baseMs: 50, capMs: 400 } });
    client.on('error', (error) => errors.push(error));
    client.channel('fuzz-watch').subscribe((m) => {
      if (m.event === 'tick') received.push(m.data);
    });
    await until(() => client.getSnapshot().status === 'connected', 5000);
    const heapBefore = await gauge('nodejs_heap_used_bytes');

    // A publisher on the side, one publish after the other (so their order is the order sent).
    let ticks = 0;
    let chain: Promise<unknown> = Promise.resolve();
    const ticker = setInterval(() => {
      const n = ticks++;
      // Retried on a connection reset: the server deduplicates by id, so a retry never doubles a tick.
      const publish = (attempt: number): Promise<unknown> =>
        fetch(node.url, {
          method: 'POST',
          headers: { authorization: `Bearer ${SECRET}`, 'content-type': 'application/json' },
          body: JSON.stringify({ v: 1, ops: [{ type: 'publish', id: `tick-${n}`, channel: 'fuzz-watch', event: 'tick', data: n }] }),
        }).catch((error: unknown) => (attempt < 3 && isSocketReset(error) ? publish(attempt + 1) : Promise.reject(error)));
      chain = chain.then(() => publish(1));
    }, 20);
    try {
      const frames = fc.sample(frame, { numRuns: FRAMES, seed: 20_240_601 });
      const requests = fc.sample(request, { numRuns: REQUESTS, seed: 20_240_602 });
      const [connections, statuses] = await Promise.all([sendFrames(frames), sendRequests(requests)]);
      expect(connections).toBeGreaterThan(1); // the server closed some (1008, 1009) and kept accepting
      expect([...statuses.keys()].every((s) => s < 500)).toBe(true);
      expect([...statuses.entries()].filter(([s]) => s !== 0).reduce((n, [, c]) => n + c, 0)).toBeGreaterThan(REQUESTS * 0.9); // resets stay rare
    } finally {
      clearInterval(ticker);
    }
    await chain;
    await until(() => received.length === ticks, 10_000);
    expect(received).toEqual([...Array(ticks).keys()]);
    expect(errors).toEqual([]);
    expect(client.getSnapshot()).toMatchObject({ status: 'connected' });
    client.destroy();

    // Still up, no crash, no unhandled rejection (Node would have exited), memory bounded.
    expect(node.stderr()).toBe('');
    expect((await fetch(`http://127.0.0.1:${node.port}/health`)).status).toBe(200);
    const heapAfter = await gauge('nodejs_heap_used_bytes');
    expect(heapAfter - heapBefore).toBeLessThan(96 * 1024 * 1024);
    expect(await gauge('switchboard_sessions')).toBeLessThanOrEqual(8);
  });
});
