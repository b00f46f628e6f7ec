import { describe, expect, it } from 'vitest';
import { createMemoryBroker, type BrokerEvent } from '../src/index.js';
import { manualClock } from './helpers.js';

describe('MemoryBroker: messages', () => {
  it('fans out to every listener of the channel, in order, with increasing offsets', async () => {
    const broker = createMemoryBroker();
    const a: BrokerEvent[] = [];
    const b: BrokerEvent[] = [];
    const offA = await broker.subscribe('room', (e) => a.push(e));
    await broker.subscribe('room', (e) => b.push(e));
    await broker.subscribe('other', () => {
      throw new Error('must not reach');
    });
    const first = await broker.publish({ channel: 'room', event: 'm', data: 1 });
    const second = await broker.publish({ channel: 'room', event: 'm', data: 2 });
    expect(first.duplicate).toBe(false);
    expect(first.offset).not.toBe(second.offset);
    expect(a.map((e) => e.kind === 'message' && e.message.data)).toEqual([1, 2]);
    expect(b).toEqual(a);
    offA();
    await broker.publish({ channel: 'room', event: 'm', data: 3 });
    expect(a).toHaveLength(2);
    expect(b).toHaveLength(3);
  });

  it('keeps fanning out when a listener throws', async () => {
    const broker = createMemoryBroker();
    const got: unknown[] = [];
    await broker.subscribe('room', () => {
      throw new Error('bad listener');
    });
    await broker.subscribe('room', (e) => got.push(e.kind === 'message' && e.message.data));
    await broker.publish({ channel: 'room', event: 'm', data: 'x' });
    expect(got).toEqual(['x']);
  });

  it('deduplicates a resend by client id within the window: same offset, nothing fanned out again', async () => {
    const clock = manualClock();
    const broker = createMemoryBroker({ clock, dedupWindowMs: 60_000 });
    const got: unknown[] = [];
    await broker.subscribe('room', (e) => got.push(e));
    const first = await broker.publish({ channel: 'room', event: 'm', data: 1, clientMessageId: 'c.1' });
    const again = await broker.publish({ channel: 'room', event: 'm', data: 1, clientMessageId: 'c.1' });
    expect(again).toEqual({ offset: first.offset, duplicate: true });
    expect(got).toHaveLength(1);
    // Same id on another channel is another message.
    expect((await broker.publish({ channel: 'other', event: 'm', data: 1, clientMessageId: 'c.1' })).duplicate).toBe(false);
    clock.advance(60_001);
    expect((await broker.publish({ channel: 'room', event: 'm', data: 1, clientMessageId: 'c.1' })).duplicate).toBe(false);
  });

  it('forgets the oldest client ids beyond dedupMax', async () => {
    const broker = createMemoryBroker({ dedupMax: 2 });
    await broker.publish({ channel: 'r', event: 'm', data: 1, clientMessageId: 'a' });
    await broker.publish({ channel: 'r', event: 'm', data: 2, clientMessageId: 'b' });
    await broker.publish({ channel: 'r', event: 'm', data: 3, clientMessageId: 'c' });
    expect((await broker.publish({ channel: 'r', event: 'm', data: 1, clientMessageId: 'a' })).duplicate).toBe(false);
    expect((await broker.publish({ channel: 'r', event: 'm', data: 3, clientMessageId: 'c' })).duplicate).toBe(true);
  });

  it('volatile messages are fanned out but neither kept nor deduplicated', async () => {
    const broker = createMemoryBroker();
    const got: unknown[] = [];
    await broker.subscribe('cursor', (e) => got.push(e.kind === 'message' && e.message.data));
    const start = (await broker.history('cursor', null)).head;
    await broker.publish({ channel: 'cursor', event: 'move', data: 1, clientMessageId: 'v', volatile: true });
    await broker.publish({ channel: 'cursor', event: 'move', data: 2, clientMessageId: 'v', volatile: true });
    expect(got).toEqual([1, 2]);
    expect((await broker.history('cursor', start)).messages).toEqual([]);
  });
});

describe('MemoryBroker: history and resume', () => {
  it('replays everything after a cursor', async () => {
    const broker = createMemoryBroker();
    const offsets = [];
    for (let i = 0; i < 5; i++) offsets.push((await broker.publish({ channel: 'feed', event: 'n', data: i })).offset);
    const result = await broker.history('feed', offsets[1]!);
    expect(result.resumed).toBe(true);
    expect(result.messages.map((m) => m.data)).toEqual([2, 3, 4]);
    expect(result.head).toBe(offsets[4]);
    expect(await broker.history('feed', offsets[4]!)).toMatchObject({ resumed: true, messages: [] });
  });

  it('has a head for a channel that never had a message, and resumes from it without a gap', async () => {
    const broker = createMemoryBroker();
    const { head, resumed } = await broker.history('empty', null);
    expect(resumed).toBe(false);
    expect(head).toMatch(/\.0$/);
    await broker.publish({ channel: 'empty', event: 'n', data: 'first' });
    const after = await broker.history('empty', head);
    expect(after.resumed).toBe(true);
    expect(after.messages.map((m) => m.data)).toEqual(['first']);
  });

  it('cannot resume once messages after the cursor were evicted from the ring buffer', async () => {
    const broker = createMemoryBroker({ historySize: 3 });
    const offsets = [];
    for (let i = 0; i < 6; i++) offsets.push((await broker.publish({ channel: 'feed', event: 'n', data: i })).offset);
    // Kept: 3, 4, 5. After offset 2 everything is still there; after offset 1, message 2 is gone.
    expect((await broker.history('feed', offsets[2]!)).messages.map((m) => m.data)).toEqual([3, 4, 5]);
    expect(await broker.history('feed', offsets[1]!)).toEqual({ resumed: false, messages: [], head: offsets[5] });
  });

  it("refuses another broker's cursors (a restart), malformed ones and ones from the future", async () => {
    const before = createMemoryBroker();
    const old = (await before.publish({ channel: 'feed', event: 'n', data: 0 })).offset;
    const after = createMemoryBroker();
    await after.publish({ channel: 'feed', event: 'n', data: 'new' });
    expect((await after.history('feed', old)).resumed).toBe(false);
    expect(await after.history('feed', 'garbage')).toEqual({ resumed: false, messages: [], head: expect.any(String) });
    const head = (await after.history('feed', null)).head!;
    expect(await after.history('feed', head.replace(/\d+$/, '99'))).toEqual({ resumed: false, messages: [], head });
  });

  it("gives a restarted broker's whole history to a cursor of the broker before it (not resumed: the old tail is gone)", async () => {
    const before = createMemoryBroker();
    const old = (await before.publish({ channel: 'feed', event: 'n', data: 'old' })).offset;
    const after = createMemoryBroker({ historySize: 3 });
    const offsets = [];
    for (const data of ['a', 'b', 'c']) offsets.push((await after.publish({ channel: 'feed', event: 'n', data })).offset);
    const result = await after.history('feed', old);
    expect(result).toMatchObject({ resumed: false, head: offsets[2] });
    expect(result.messages.map((m) => m.data)).toEqual(['a', 'b', 'c']);
    // `from` is the position before the first of them: resuming from it later gives the same messages.
    expect(result.from).toBeDefined();
    expect((await after.history('feed', result.from!)).messages.map((m) => m.offset)).toEqual(offsets);
    // A channel this broker never saw: nothing to give, the client starts at the head.
    expect(await after.history('quiet', old)).toEqual({ resumed: false, messages: [], head: expect.any(String) });
    // Once the first of them is evicted, the client cannot have all of it: a gap, and nothing replayed.
    await after.publish({ channel: 'feed', event: 'n', data: 'd' });
    expect(await after.history('feed', old)).toEqual({ resumed: false, messages: [], head: expect.any(String) });
  });

  it('with historySize 0, every resume is a gap', async () => {
    const broker = createMemoryBroker({ historySize: 0 });
    const { offset } = await broker.publish({ channel: 'feed', event: 'n', data: 0 });
    await broker.publish({ channel: 'feed', event: 'n', data: 1 });
    expect((await broker.history('feed', offset)).resumed).toBe(false);
  });
});

describe('MemoryBroker: presence', () => {
  const presenceEvents = (events: BrokerEvent[]) => events.flatMap((e) => (e.kind === 'presence' ? [`${e.action}:${e.member.id}`] : []));

  it('join, update and leave, with a version that only grows', async () => {
    const clock = manualClock();
    const broker = createMemoryBroker({ clock });
    const events: BrokerEvent[] = [];
    await broker.subscribe('room', (e) => events.push(e));
    await broker.presenceSet('room', { session: 's1', member: { id: 'ann', data: { x: 1 } } }, 10_000);
    await broker.presenceSet('room', { session: 's1', member: { id: 'ann', data: { x: 1 } } }, 10_000); // unchanged: no event
    await broker.presenceSet('room', { session: 's1', member: { id: 'ann', data: { x: 2 } } }, 10_000);
    expect(await broker.presenceList('room')).toEqual({ version: 2, members: [{ id: 'ann', data: { x: 2 } }] });
    await broker.presenceRemove('room', 's1');
    expect(presenceEvents(events)).toEqual(['join:ann', 'update:ann', 'leave:ann']);
    expect(await broker.presenceList('room')).toEqual({ version: 3, members: [] });
  });

  it('several sessions of one member are one member: join on the first, leave after the last', async () => {
    const broker = createMemoryBroker({ clock: manualClock() });
    const events: BrokerEvent[] = [];
    await broker.subscribe('room', (e) => events.push(e));
    await broker.presenceSet('room', { session: 'tab1', member: { id: 'ann', data: 1 } }, 10_000);
    await broker.presenceSet('room', { session: 'tab2', member: { id: 'ann', data: 1 } }, 10_000);
    await broker.presenceRemove('room', 'tab1');
    expect((await broker.presenceList('room')).members).toEqual([{ id: 'ann', data: 1 }]);
    await broker.presenceRemove('room', 'tab2');
    expect(presenceEvents(events)).toEqual(['join:ann', 'leave:ann']);
  });

  it('entries that are not refreshed expire and leave; touched ones stay', async () => {
    const clock = manualClock();
    const broker = createMemoryBroker({ clock });
    const events: BrokerEvent[] = [];
    await broker.subscribe('room', (e) => events.push(e));
    await broker.presenceSet('room', { session: 'quiet', member: { id: 'q', data: null } }, 1000);
    await broker.presenceSet('room', { session: 'alive', member: { id: 'a', data: null } }, 1000);
    clock.advance(800);
    await broker.presenceTouch('alive', ['room'], 1000);
    clock.advance(300);
    expect((await broker.presenceList('room')).members.map((m) => m.id)).toEqual(['a']);
    expect(presenceEvents(events)).toEqual(['join:q', 'join:a', 'leave:q']);
    // A touch can also shorten an entry (a closed stream's grace period).
    await broker.presenceTouch('alive', ['room'], 50);
    clock.advance(60);
    expect((await broker.presenceList('room')).members).toEqual([]);
    expect(broker.presenceCount).toBe(0);
  });

  it('close() stops its timers', async () => {
    const clock = manualClock();
    const broker = createMemoryBroker({ clock });
    await broker.presenceSet('room', { session: 's', member: { id: 'm', data: null } }, 1000);
    expect(clock.pending).toBe(1);
    await broker.close();
    expect(clock.pending).toBe(0);
  });
});
