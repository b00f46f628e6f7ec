import { createClient, type RealtimeClient } from '@switchboard/core';
import { polling } from '@switchboard/core/polling';
import { sse } from '@switchboard/core/sse';
import { websocket } from '@switchboard/core/websocket';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { signToken } from '../src/index.js';
import { until } from './helpers.js';
import { startNode, type NodeProcess } from './support/node-process.js';
import { startRedis, type TestRedis } from './support/redis.js';
import { TcpProxy } from './support/tcp-proxy.js';

// Three real `switchboard serve` processes on one real Redis, and the core's real clients: WebSocket,
// SSE and polling. No sticky sessions: a client that loses its process reconnects to another one.
const SECRET = 'cluster-secret';
let redis: TestRedis;
const nodes: NodeProcess[] = [];
const clients: RealtimeClient[] = [];

async function node(name: string): Promise<NodeProcess> {
  const started = await startNode(
    name,
    {
      requireToken: true,
      heartbeatMs: 1000,
      sseHeartbeatMs: 1000,
      presenceGraceMs: 500,
      presenceTimeoutMs: 1500,
      limits: { messagesPerSecond: 1000 },
      redis: { url: redis.url, offlineTimeoutMs: 8000, presenceSweepMs: 200 },
    },
    { SWITCHBOARD_SECRET: SECRET },
  );
  nodes.push(started);
  return started;
}

function client(user: string, transport: Parameters<typeof createClient>[0]['transport']) {
  const token = signToken(SECRET, { sub: user });
  const c = createClient({ transport, auth: () => token, backoff: { baseMs: 50, capMs: 400 } });
  clients.push(c);
  const got: string[] = [];
  const gaps: unknown[] = [];
  const room = c.channel('room');
  room.subscribe((message) => got.push(message.data as string));
  room.onDiscontinuity((info) => gaps.push(info));
  room.presence.enter({ name: user });
  const members = () => room.presence.getSnapshot().members.map((m) => m.id).sort();
  return { client: c, room, got, gaps, members };
}

/** Polls a process' /health until it answers `status` (bounded). */
async function healthBecomes(n: NodeProcess, status: number): Promise<void> {
  for (const deadline = Date.now() + 15_000; (await fetch(`http://127.0.0.1:${n.port}/health`)).status !== status; ) {
    if (Date.now() > deadline) throw new Error(`${n.name} did not answer /health with ${status} within 15 s`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

beforeAll(async () => {
  redis = await startRedis({ persistent: true });
});

afterAll(async () => {
  for (const c of clients.splice(0)) c.destroy();
  await Promise.all(nodes.splice(0).map((n) => n.kill()));
  await redis.stop();
});

describe('three server processes on one Redis', () => {
  it('clients on different processes exchange messages and presence; a killed process loses nothing; Redis restarts', { timeout: 60_000 }, async () => {
    const [a, b, c] = [await node('a'), await node('b'), await node('c')];
    const toA = await TcpProxy.start(a.port);
    let annTarget = `ws://127.0.0.1:${toA.port}/realtime`;
    const ann = client('ann', websocket({ url: () => annTarget, WebSocket }));
    const bob = client('bob', sse({ url: b.url }));
    const carol = client('carol', polling({ url: c.url, intervalMs: 100, visibility: false }));

    // Presence across processes: everyone sees everyone.
    for (const who of [ann, bob, carol]) await until(() => who.members().join() === 'ann,bob,carol', 10_000);

    // Messages across processes.
    const expected: string[] = [];
    const send = (who: typeof ann, name: string, n: number | string) => {
      expected.push(`${name}-${n}`);
      return who.room.publish('text', `${name}-${n}`);
    };
    await Promise.all([...Array(10).keys()].flatMap((i) => [send(ann, 'ann', i), send(bob, 'bob', i), ...(i < 3 ? [send(carol, 'carol', i)] : [])]));
    for (const who of [ann, bob, carol]) await until(() => who.got.length === expected.length, 10_000);

    // Process C dies: its polling client cannot come back there, and its member expires everywhere.
    await c.kill();
    await until(() => bob.members().join() === 'ann,bob' && ann.members().join() === 'ann,bob', 10_000);
    carol.client.destroy();

    // Process A dies in the middle of ann's sequence, after storing publishes whose acks never reached
    // her (the proxy drops A's answers first). Her client reconnects to B, resends them with the same
    // ids (B acks them from Redis' dedup instead of publishing again) and resumes from its cursor.
    const pending: Promise<unknown>[] = [];
    for (let i = 10; i < 40; i++) {
      if (i === 20) toA.mute();
      pending.push(send(ann, 'ann', i));
      if (i < 30) pending.push(send(bob, 'bob', i));
      if (i === 29) {
        await until(() => bob.got.includes('ann-29'), 10_000);
        await a.kill();
        annTarget = b.wsUrl;
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await Promise.all(pending);
    for (const who of [ann, bob]) await until(() => who.got.length >= expected.length, 15_000);
    for (const who of [ann, bob]) {
      // 0 lost, 0 duplicated, each sender's order kept, no gap reported.
      expect([...who.got].sort()).toEqual([...expected].sort());
      for (const name of ['ann', 'bob']) {
        const mine = who.got.filter((m) => m.startsWith(`${name}-`)).map((m) => Number(m.split('-')[1]));
        expect(mine).toEqual([...mine].sort((x, y) => x - y));
      }
      expect(who.gaps).toEqual([]);
    }
    await until(() => bob.members().join() === 'ann,bob' && ann.members().join() === 'ann,bob', 10_000);

    // Redis restarts (with its append-only file): B reports degraded meanwhile, a publish made during
    // the outage is held, and everything arrives once Redis is back.
    await redis.kill();
    await healthBecomes(b, 503);
    expect(bob.client.getSnapshot().status).toBe('connected');
    const held = send(ann, 'ann', 'during-outage');
    await redis.start();
    await healthBecomes(b, 200);
    await held;
    await send(bob, 'bob', 'after');
    for (const who of [ann, bob]) await until(() => who.got.length === expected.length, 15_000);
    for (const who of [ann, bob]) expect([...who.got].sort()).toEqual([...expected].sort());
    expect(ann.client.getSnapshot().status).toBe('connected');
    expect(b.stderr()).not.toMatch(/Unhandled|TypeError|ReferenceError/);
    await toA.close();
  });
});
