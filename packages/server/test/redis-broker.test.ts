import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createRedisBroker, type BrokerEvent, type RedisBroker, type RedisBrokerOptions } from '../src/index.js';
import { until } from './helpers.js';
import { startRedis, type TestRedis } from './support/redis.js';
import { TcpProxy } from './support/tcp-proxy.js';

// Two brokers on one Redis are two server processes as far as the broker is concerned: nothing is
// shared between them but Redis. (The multi-process tests in cluster.test.ts run real processes.)
let redis: TestRedis;
const open: RedisBroker[] = [];
const proxies: TcpProxy[] = [];
let prefix = '';

beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis.stop();
});
afterEach(async () => {
  for (const broker of open.splice(0)) await broker.close();
  for (const proxy of proxies.splice(0)) await proxy.close();
  prefix = '';
});

/** A broker ("process") on this test's key prefix. */
function broker(options: RedisBrokerOptions = {}): RedisBroker {
  prefix ||= `t${randomBytes(4).toString('hex')}:`;
  const b = createRedisBroker({ url: redis.url, prefix, offlineTimeoutMs: 1000, presenceSweepMs: 50, onError: () => {}, ...options });
  open.push(b);
  return b;
}

function collect(b: RedisBroker, channel: string) {
  const events: BrokerEvent[] = [];
  const ready = b.subscribe(channel, (e) => events.push(e));
  const data = () => events.flatMap((e) => (e.kind === 'message' ? [e.message.data] : []));
  const presence = () => events.flatMap((e) => (e.kind === 'presence' ? [`${e.action}:${e.member.id}`] : []));
  return { events, ready, data, presence };
}

describe('RedisBroker: fan-out, history and dedup across processes', () => {
  it('fans out a publish of one process to the listeners of another, in order', async () => {
    const [a, b] = [broker(), broker()];
    const onA = collect(a, 'room');
    const onB = collect(b, 'room');
    await Promise.all([onA.ready, onB.ready]);
    for (let i = 0; i < 20; i++) await (i % 2 ? a : b).publish({ channel: 'room', event: 'n', data: i });
    await until(() => onA.data().length === 20 && onB.data().length === 20);
    expect(onB.data()).toEqual([...Array(20).keys()]);
    expect(onA.events).toEqual(onB.events);
    const offsets = onB.events.map((e) => (e.kind === 'message' ? e.message.offset : ''));
    expect(new Set(offsets).size).toBe(20);
  });

  it('resumes a cursor from one process on another, and an empty channel from its head', async () => {
    const [a, b] = [broker(), broker()];
    const empty = await b.history('feed', null);
    expect(empty).toMatchObject({ resumed: false, messages: [] });
    expect(empty.head).toMatch(/^[a-z0-9]+\.0-0$/);
    const offsets: string[] = [];
    for (let i = 0; i < 5; i++) offsets.push((await a.publish({ channel: 'feed', event: 'n', data: i, clientMessageId: `c.${i}` })).offset);
    const fromEmpty = await b.history('feed', empty.head);
    expect(fromEmpty.resumed).toBe(true);
    expect(fromEmpty.messages.map((m) => m.data)).toEqual([0, 1, 2, 3, 4]);
    const resumed = await b.history('feed', offsets[1]!);
    expect(resumed).toMatchObject({ resumed: true, head: offsets[4] });
    expect(resumed.messages.map((m) => [m.data, m.offset, m.clientMessageId])).toEqual([2, 3, 4].map((i) => [i, offsets[i], `c.${i}`]));
    expect(await b.history('feed', offsets[4]!)).toMatchObject({ resumed: true, messages: [] });
  });

  it('refuses foreign, malformed, future and trimmed cursors (an honest gap)', async () => {
    const a = broker({ historySize: 3 });
    const offsets: string[] = [];
    for (let i = 0; i < 6; i++) offsets.push((await a.publish({ channel: 'feed', event: 'n', data: i })).offset);
    expect((await a.history('feed', offsets[2]!)).messages.map((m) => m.data)).toEqual([3, 4, 5]);
    expect(await a.history('feed', offsets[1]!)).toEqual({ resumed: false, messages: [], head: offsets[5] });
    const [epoch, id] = offsets[5]!.split('.') as [string, string];
    expect((await a.history('feed', `zz${epoch}.${id}`)).resumed).toBe(false);
    expect((await a.history('feed', 'garbage')).resumed).toBe(false);
    expect((await a.history('feed', `${epoch}.${Number(id.split('-')[0]) + 1000}-0`)).resumed).toBe(false);
    expect((await a.history('feed', `${epoch}.0-0`)).resumed).toBe(false); // from the start: the first three are gone
  });

  it('deduplicates a resend by client id across processes: same offset, fanned out once', async () => {
    const [a, b] = [broker(), broker()];
    const listener = collect(a, 'chat');
    await listener.ready;
    const first = await a.publish({ channel: 'chat', event: 'text', data: 'hi', clientMessageId: 'q.1' });
    const again = await b.publish({ channel: 'chat', event: 'text', data: 'hi', clientMessageId: 'q.1' });
    expect(again).toEqual({ offset: first.offset, duplicate: true });
    expect((await b.publish({ channel: 'other', event: 'text', data: 'hi', clientMessageId: 'q.1' })).duplicate).toBe(false);
    await a.publish({ channel: 'chat', event: 'text', data: 'after' });
    await until(() => listener.data().length === 2);
    expect(listener.data()).toEqual(['hi', 'after']);
  });

  it('forgets client ids after the dedup window', async () => {
    const a = broker({ dedupWindowMs: 100 });
    const first = await a.publish({ channel: 'chat', event: 'e', data: 1, clientMessageId: 'w.1' });
    await new Promise((resolve) => setTimeout(resolve, 150));
    const later = await a.publish({ channel: 'chat', event: 'e', data: 1, clientMessageId: 'w.1' });
    expect(later.duplicate).toBe(false);
    expect(later.offset).not.toBe(first.offset);
  });

  it('volatile messages are fanned out, not kept; a cursor at one resumes from the stored message before it', async () => {
    const [a, b] = [broker(), broker()];
    const listener = collect(b, 'cursor');
    await listener.ready;
    const stored = await a.publish({ channel: 'cursor', event: 'e', data: 'kept' });
    const v1 = await a.publish({ channel: 'cursor', event: 'move', data: 1, volatile: true });
    const v2 = await a.publish({ channel: 'cursor', event: 'move', data: 2, volatile: true });
    expect(v1.offset).not.toBe(v2.offset);
    await until(() => listener.data().length === 3);
    await a.publish({ channel: 'cursor', event: 'e', data: 'next' });
    const resumed = await b.history('cursor', v2.offset);
    expect(resumed.resumed).toBe(true);
    expect(resumed.messages.map((m) => m.data)).toEqual(['next']);
    expect((await b.history('cursor', stored.offset)).messages.map((m) => m.data)).toEqual(['next']);
  });
});

describe('RedisBroker: presence across processes', () => {
  it('join, update and leave reach every process; several sessions of one member are one member', async () => {
    const [a, b] = [broker(), broker()];
    const onB = collect(b, 'room');
    await onB.ready;
    await a.presenceSet('room', { session: 'a1', member: { id: 'ann', data: { x: 1 } } }, 10_000);
    await b.presenceSet('room', { session: 'b1', member: { id: 'ann', data: { x: 1 } } }, 10_000); // second tab, other process
    await a.presenceSet('room', { session: 'a1', member: { id: 'ann', data: { x: 2 } } }, 10_000);
    await a.presenceRemove('room', 'a1');
    expect(await b.presenceList('room')).toEqual({ version: 2, members: [{ id: 'ann', data: { x: 2 } }] });
    await b.presenceRemove('room', 'b1');
    await until(() => onB.presence().length === 3);
    expect(onB.presence()).toEqual(['join:ann', 'update:ann', 'leave:ann']);
    const versions = onB.events.flatMap((e) => (e.kind === 'presence' ? [e.version] : []));
    expect(versions).toEqual([1, 2, 3]);
  });

  it("expires the members of a process that died (any process sweeps them and says leave)", async () => {
    const dying = broker();
    const survivor = broker();
    const onSurvivor = collect(survivor, 'room');
    await onSurvivor.ready;
    await dying.presenceSet('room', { session: 'd1', member: { id: 'dan', data: null } }, 300);
    await survivor.presenceSet('room', { session: 's1', member: { id: 'sue', data: null } }, 10_000);
    await dying.close(); // no presenceRemove, no more touches: as if the process was killed
    await until(() => onSurvivor.presence().includes('leave:dan'), 5000);
    expect((await survivor.presenceList('room')).members.map((m) => m.id)).toEqual(['sue']);
  });

  it('keeps touched entries alive', async () => {
    const a = broker();
    await a.presenceSet('room', { session: 'a1', member: { id: 'amy', data: 1 } }, 200);
    for (let i = 0; i < 6; i++) {
      await new Promise((resolve) => setTimeout(resolve, 80));
      await a.presenceTouch('a1', ['room'], 200);
    }
    expect((await a.presenceList('room')).members).toEqual([{ id: 'amy', data: 1 }]);
  });
});

describe('RedisBroker: losing Redis', () => {
  it('reports degraded health, fails operations after offlineTimeoutMs, then catches up on what others published meanwhile', async () => {
    const proxy = await TcpProxy.start(redis.port);
    proxies.push(proxy);
    const cutOff = broker({ url: proxy.url, offlineTimeoutMs: 300 });
    const other = broker();
    const listener = collect(cutOff, 'room');
    await listener.ready;
    await other.publish({ channel: 'room', event: 'n', data: 0 });
    await until(() => listener.data().length === 1);
    expect(cutOff.health()).toMatchObject({ status: 'ok' });

    proxy.cut();
    await until(() => cutOff.health().status === 'degraded');
    await expect(cutOff.publish({ channel: 'room', event: 'n', data: 'lost?', clientMessageId: 'x.1' })).rejects.toMatchObject({ code: 'SERVER_ERROR' });
    for (let i = 1; i <= 5; i++) await other.publish({ channel: 'room', event: 'n', data: i });
    await other.presenceSet('room', { session: 'o1', member: { id: 'olga', data: null } }, 10_000);

    proxy.heal();
    await until(() => cutOff.health().status === 'ok', 5000);
    await until(() => listener.data().length === 6, 5000);
    expect(listener.data()).toEqual([0, 1, 2, 3, 4, 5]);
    const sync = listener.events.find((e) => e.kind === 'sync');
    expect(sync).toMatchObject({ kind: 'sync', members: [{ id: 'olga', data: null }] });
    await other.publish({ channel: 'room', event: 'n', data: 6 });
    await until(() => listener.data().length === 7);
    expect(cutOff.health().reconnects).toBeGreaterThanOrEqual(1);
  });

  it('tells listeners to reset when the history they would catch up from is gone (Redis lost its data)', async () => {
    const proxy = await TcpProxy.start(redis.port);
    proxies.push(proxy);
    const cutOff = broker({ url: proxy.url });
    const other = broker();
    const listener = collect(cutOff, 'room');
    await listener.ready;
    const before = await other.publish({ channel: 'room', event: 'n', data: 'before' });
    await until(() => listener.data().length === 1);
    proxy.cut();
    await until(() => cutOff.health().status === 'degraded');
    for (const key of redis.cli('--scan', '--pattern', `${prefix}*`).split('\n').filter(Boolean)) redis.cli('DEL', key);
    await other.publish({ channel: 'room', event: 'n', data: 'new epoch' });
    proxy.heal();
    await until(() => listener.events.some((e) => e.kind === 'reset'), 5000);
    expect((await other.history('room', before.offset)).resumed).toBe(false);
  });

  it('writes its own presence again after an outage in which it expired', async () => {
    const proxy = await TcpProxy.start(redis.port);
    proxies.push(proxy);
    const cutOff = broker({ url: proxy.url });
    const other = broker();
    const onOther = collect(other, 'room');
    await onOther.ready;
    await cutOff.presenceSet('room', { session: 'c1', member: { id: 'cat', data: 1 } }, 400);
    // The session stays alive: the hub touches it every heartbeat, without waiting for the answer.
    const heartbeat = setInterval(() => void cutOff.presenceTouch('c1', ['room'], 400), 100);
    try {
      proxy.cut();
      await until(() => cutOff.health().status === 'degraded');
      // Nobody refreshes it in Redis meanwhile: another process expires it.
      await until(() => onOther.presence().includes('leave:cat'), 5000);
      proxy.heal();
      await until(() => onOther.presence().filter((p) => p === 'join:cat').length === 2, 5000);
      expect((await other.presenceList('room')).members).toEqual([{ id: 'cat', data: 1 }]);
    } finally {
      clearInterval(heartbeat);
    }
  });

  it('survives a Redis restart with persistence: same epoch, history intact, service resumes', async () => {
    const durable = await startRedis({ persistent: true });
    try {
      const a = createRedisBroker({ url: durable.url, offlineTimeoutMs: 300, onError: () => {} });
      open.push(a);
      const listener = collect(a, 'room');
      await listener.ready;
      const first = await a.publish({ channel: 'room', event: 'n', data: 1 });
      await durable.kill();
      await until(() => a.health().status === 'degraded');
      await expect(a.history('room', null)).rejects.toMatchObject({ code: 'SERVER_ERROR' });
      await durable.start();
      await until(() => a.health().status === 'ok', 10_000);
      await a.publish({ channel: 'room', event: 'n', data: 2 });
      await until(() => listener.data().length === 2, 5000);
      const history = await a.history('room', first.offset);
      expect(history).toMatchObject({ resumed: true });
      expect(history.messages.map((m) => m.data)).toEqual([2]);
      expect(listener.events.some((e) => e.kind === 'reset')).toBe(false);
    } finally {
      await durable.stop();
    }
  });
});
