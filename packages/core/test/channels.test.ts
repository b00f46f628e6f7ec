import type { StandardSchemaV1 } from '@standard-schema/spec';
import { describe, expect, it } from 'vitest';
import { createClient } from '../src/client.js';
import type { Message, Transport, TransportHandler } from '../src/transport.js';
import { ACCEPT, createFakeClock, createFakeTransport, refuse } from '../src/testing/index.js';
import { setup } from './helpers.js';

describe('channel registry: ref counting and linger', () => {
  it('50 live channels → exactly 50 resubscribes after a drop', async () => {
    const t = setup();
    const names = Array.from({ length: 50 }, (_, i) => `ch-${i}`);
    for (const name of names) t.client.channel(name).subscribe(() => {});
    // Several subscribers on some channels must not multiply anything.
    for (const name of names.slice(0, 10)) t.client.channel(name).on('x', () => {});
    await t.clock.flush();
    expect(t.server.opsOf('subscribe')).toHaveLength(50);
    t.server.clearOps();
    t.server.drop();
    await t.clock.advance(2000);
    const resubscribes = t.server.opsOf('subscribe');
    expect(resubscribes).toHaveLength(50);
    expect(new Set(resubscribes.map((op) => op.channel))).toEqual(new Set(names));
    expect(t.server.opsOf('unsubscribe')).toHaveLength(0);
  });

  it('subscribe / unsubscribe / subscribe within the linger → zero wire operations', async () => {
    const t = setup();
    const off1 = t.client.channel('room').subscribe(() => {});
    await t.clock.flush();
    t.server.clearOps();
    off1();
    await t.clock.advance(1000);
    const off2 = t.client.channel('room').subscribe(() => {});
    off2();
    const off3 = t.client.channel('room').subscribe(() => {});
    await t.clock.advance(10_000);
    expect(t.server.ops).toEqual([]);
    off3();
  });

  it('a StrictMode-style double mount before connecting costs one subscribe', async () => {
    const t = setup();
    const off = t.client.channel('room').subscribe(() => {});
    off();
    t.client.channel('room').subscribe(() => {});
    await t.clock.flush();
    expect(t.server.ops.map((op) => op.type)).toEqual(['open', 'subscribe']);
  });

  it('leaves on the wire after the linger, then goes idle', async () => {
    const t = setup({ channels: { lingerMs: 2000 } });
    const off = t.client.channel('room').subscribe(() => {});
    await t.clock.flush();
    off();
    await t.clock.advance(1999);
    expect(t.server.opsOf('unsubscribe')).toHaveLength(0);
    await t.clock.advance(1);
    expect(t.server.opsOf('unsubscribe')).toEqual([expect.objectContaining({ channel: 'room' })]);
    expect(t.client.getSnapshot().status).toBe('idle');
  });

  it('a lingering channel is not resubscribed after a reconnect', async () => {
    const t = setup();
    t.client.connect();
    const off = t.client.channel('gone').subscribe(() => {});
    t.client.channel('kept').subscribe(() => {});
    await t.clock.flush();
    off();
    t.server.clearOps();
    t.server.drop();
    await t.clock.advance(1000);
    expect(t.server.opsOf('subscribe').map((op) => op.channel)).toEqual(['kept']);
    await t.clock.advance(5000);
    expect(t.server.opsOf('unsubscribe')).toHaveLength(0); // never on the new connection
  });

  it('double unsubscribe is harmless', async () => {
    const t = setup();
    const off = t.client.channel('a').subscribe(() => {});
    const keep = t.client.channel('a').subscribe(() => {});
    off();
    off();
    await t.clock.advance(5000);
    expect(t.server.opsOf('unsubscribe')).toHaveLength(0);
    keep();
  });

  it('exposes channel status without holding a subscription', async () => {
    const t = setup();
    const channel = t.client.channel('room');
    const seen: string[] = [];
    const stop = channel.status.subscribe(() => seen.push(channel.status.getSnapshot().status));
    expect(channel.status.getSnapshot().status).toBe('idle');
    expect(t.client.getSnapshot().status).toBe('idle');
    const off = channel.subscribe(() => {});
    await t.clock.flush();
    off();
    await t.clock.advance(1500);
    expect(seen).toEqual(['subscribing', 'subscribed', 'idle']);
    stop();
  });
});

describe('resume and discontinuity', () => {
  it('resubscribes with the last cursor and receives what was missed, without loss or duplicates', async () => {
    const t = setup();
    const got: unknown[] = [];
    t.client.channel('feed').subscribe((m) => got.push(m.data));
    await t.clock.flush();
    t.server.publish('feed', 'item', 1);
    t.server.publish('feed', 'item', 2);
    await t.clock.flush();
    t.transport.script(refuse(1006), ACCEPT);
    t.server.drop();
    t.server.publish('feed', 'item', 3);
    t.server.publish('feed', 'item', 4);
    const discontinuities: unknown[] = [];
    t.client.channel('feed').onDiscontinuity((info) => discontinuities.push(info));
    await t.clock.advance(5000);
    expect(t.server.opsOf('subscribe').map((op) => op.cursor)).toEqual([null, '2']);
    expect(got).toEqual([1, 2, 3, 4]);
    expect(discontinuities).toEqual([]);
  });

  it('since: the first subscribe resumes from the snapshot the app holds, so what came after it arrives', async () => {
    const t = setup();
    t.server.publish('feed', 'item', 1); // offset 1: in the server-rendered snapshot
    t.server.publish('feed', 'item', 2); // after the snapshot, before the page subscribes
    const got: unknown[] = [];
    const gaps: unknown[] = [];
    t.client.channel('feed').onDiscontinuity((info) => gaps.push(info));
    t.client.channel('feed').subscribe((m) => got.push(m.data), { since: '1' });
    // A second subscriber's own `since` does not move a position the client already has.
    t.client.channel('feed').on('item', () => {}, { since: '0' });
    await t.clock.flush();
    t.server.publish('feed', 'item', 3);
    await t.clock.flush();
    expect(t.server.opsOf('subscribe').map((op) => op.cursor)).toEqual(['1']);
    expect(got).toEqual([2, 3]);
    expect(gaps).toEqual([]);
  });

  it('since: a snapshot the server cannot resume from is a discontinuity (the app refetches)', async () => {
    const t = setup();
    t.server.publish('feed', 'item', 1);
    t.server.forgetHistory();
    const got: unknown[] = [];
    const gaps: string[] = [];
    t.client.channel('feed').onDiscontinuity((info) => gaps.push(info.reason));
    t.client.channel('feed').subscribe((m) => got.push(m.data), { since: '0' });
    await t.clock.flush();
    expect(gaps).toEqual(['resume-failed']);
    expect(got).toEqual([]);
    // Without `since`, a first subscribe starts at the head: no gap to report.
    const other: string[] = [];
    t.client.channel('other').onDiscontinuity((info) => other.push(info.reason));
    t.client.channel('other').subscribe(() => {});
    await t.clock.flush();
    expect(other).toEqual([]);
  });

  it('one discontinuity per channel when the cursor cannot resume (after suspension)', async () => {
    const t = setup();
    const gaps: string[] = [];
    for (const name of ['a', 'b', 'c']) {
      t.client.channel(name).subscribe(() => {});
      t.client.channel(name).onDiscontinuity((info) => gaps.push(`${info.channel}:${info.reason}`));
    }
    await t.clock.flush();
    for (const name of ['a', 'b', 'c']) t.server.publish(name, 'e', 1);
    await t.clock.flush();
    t.transport.script(refuse(1006));
    t.server.drop();
    await t.clock.advance(120_000);
    expect(t.client.getSnapshot().status).toBe('suspended');
    t.server.forgetHistory(); // the server no longer has what was missed
    for (const name of ['a', 'b', 'c']) t.server.publish(name, 'e', 2);
    t.server.forgetHistory();
    t.transport.script(ACCEPT);
    await t.clock.advance(60_000);
    expect(t.client.getSnapshot().status).toBe('connected');
    expect(gaps.sort()).toEqual(['a:resume-failed', 'b:resume-failed', 'c:resume-failed']);
  });

  it('every reconnect is a discontinuity on a transport that cannot resume', async () => {
    const t = setup({ transport: { capabilities: { resume: false }, historySize: 0 } });
    let gaps = 0;
    t.client.channel('a').subscribe(() => {});
    t.client.channel('a').onDiscontinuity(() => gaps++);
    await t.clock.flush();
    expect(gaps).toBe(0); // the first subscription is not a gap
    t.server.drop();
    await t.clock.advance(1000);
    expect(gaps).toBe(1);
  });

  it('drops duplicates within the receive-side window and counts them', async () => {
    const clock = createFakeClock();
    let handler!: TransportHandler;
    const transport: Transport = {
      name: 'dup',
      capabilities: createFakeTransport().capabilities,
      open(h) {
        handler = h;
        queueMicrotask(() => h.open());
        return { subscribe: (c) => queueMicrotask(() => h.subscribed(c)), unsubscribe() {}, publish() {}, close() {} };
      },
    };
    const client = createClient({ transport, platform: clock, channels: { dedupWindow: 3 } });
    const got: unknown[] = [];
    client.channel('c').subscribe((m) => got.push(m.data));
    await clock.flush();
    const send = (id: string) => handler.message({ channel: 'c', event: 'e', data: id, id });
    for (const id of ['1', '2', '1', '3', '2', '4', '5', '1']) send(id);
    // Window of 3: '1' is forgotten once 3 newer ids were seen.
    expect(got).toEqual(['1', '2', '3', '4', '5', '1']);
    expect(client.getStats().duplicates).toBe(2);
    client.destroy();
  });
});

describe('delivery', () => {
  it('on(event) receives only that event, with its data', async () => {
    const t = setup();
    const typing: unknown[] = [];
    const all: string[] = [];
    t.client.channel('room').on('typing', (data) => typing.push(data));
    t.client.channel('room').subscribe((m) => all.push(m.event));
    await t.clock.flush();
    t.server.publish('room', 'message', { text: 'hi' });
    t.server.publish('room', 'typing', { user: 'ann' });
    await t.clock.flush();
    expect(typing).toEqual([{ user: 'ann' }]);
    expect(all).toEqual(['message', 'typing']);
  });

  it('own messages carry the outbox id, so echoes can be recognised', async () => {
    const t = setup();
    const got: Message[] = [];
    t.client.channel('room').subscribe((m) => got.push(m));
    await t.clock.flush();
    const { id } = await Promise.all([t.client.channel('room').publish('message', 'hi'), t.clock.flush()]).then(([r]) => r);
    expect(got).toEqual([expect.objectContaining({ data: 'hi', clientMessageId: id })]);
  });

  it('a listener that throws is reported and does not stop the others', async () => {
    const t = setup();
    const got: unknown[] = [];
    t.client.channel('room').subscribe(() => {
      throw new Error('bad handler');
    });
    t.client.channel('room').subscribe((m) => got.push(m.data));
    await t.clock.flush();
    t.server.publish('room', 'e', 1);
    await t.clock.flush();
    expect(got).toEqual([1]);
    expect(t.errors.map((e) => [e.code, e.message])).toEqual([['HANDLER_ERROR', 'bad handler']]);
  });

  it('a message for an unknown channel is an UNKNOWN_CHANNEL error; a late one for a left channel is not', async () => {
    const clock = createFakeClock();
    let handler!: TransportHandler;
    const transport: Transport = {
      name: 'loose',
      capabilities: createFakeTransport().capabilities,
      open(h) {
        handler = h;
        queueMicrotask(() => h.open());
        return { subscribe: (c) => queueMicrotask(() => h.subscribed(c)), unsubscribe() {}, publish() {}, close() {} };
      },
    };
    const client = createClient({ transport, platform: clock });
    const errors: string[] = [];
    client.on('error', (e) => errors.push(`${e.code}:${e.details.channel}`));
    client.connect();
    const off = client.channel('left').subscribe(() => {});
    await clock.flush();
    off();
    await clock.advance(2000);
    handler.message({ channel: 'left', event: 'e', data: 1 });
    handler.message({ channel: 'never', event: 'e', data: 1 });
    expect(errors).toEqual(['UNKNOWN_CHANNEL:never']);
    expect(client.getStats().unknown).toBe(2);
    client.destroy();
  });

  it('a refused subscription fails the channel, not the connection', async () => {
    const t = setup();
    t.server.refuseChannel('private-secret');
    const channel = t.client.channel('private-secret');
    channel.subscribe(() => {});
    t.client.channel('public').subscribe(() => {});
    await t.clock.flush();
    expect(channel.status.getSnapshot()).toMatchObject({ status: 'failed', error: { code: 'CHANNEL_REFUSED' } });
    expect(t.client.channel('public').status.getSnapshot().status).toBe('subscribed');
    expect(t.client.getSnapshot().status).toBe('connected');
    expect(t.errors.map((e) => e.code)).toEqual(['CHANNEL_REFUSED']);
  });
});

describe('runtime validation (Standard Schema)', () => {
  const positive: StandardSchemaV1<unknown, number> = {
    '~standard': {
      version: 1,
      vendor: 'test',
      validate: (value) => (typeof value === 'number' && value > 0 ? { value } : { issues: [{ message: 'expected a positive number' }] }),
    },
  };
  const trimmed: StandardSchemaV1<unknown, string> = {
    '~standard': {
      version: 1,
      vendor: 'test',
      validate: (value) => (typeof value === 'string' ? { value: value.trim() } : { issues: [{ message: 'expected a string' }] }),
    },
  };
  /** An async validator whose results the test releases by hand, in any order. */
  function manualAsyncValidator() {
    const waiting: Array<{ value: unknown; release: () => void }> = [];
    const schema: StandardSchemaV1<unknown, number> = {
      '~standard': {
        version: 1,
        vendor: 'test',
        validate: (value) =>
          new Promise((resolve) => {
            waiting.push({
              value,
              release: () => resolve(typeof value === 'number' && value > 0 ? { value } : { issues: [{ message: 'no' }] }),
            });
          }),
      },
    };
    return { schema, waiting };
  }

  it('drops, counts and reports invalid payloads; valid ones arrive (transformed)', async () => {
    const t = setup({ schemas: { 'room:*': { score: positive, name: trimmed } } });
    const got: unknown[] = [];
    t.client.channel('room:1').subscribe((m) => got.push(m.data));
    await t.clock.flush();
    for (const [event, data] of [['score', 3], ['score', -1], ['name', '  ann '], ['name', 7], ['other', 'free']] as const) {
      t.server.publish('room:1', event, data);
    }
    await t.clock.flush();
    expect(got).toEqual([3, 'ann', 'free']);
    expect(t.client.getStats().invalid).toBe(2);
    expect(t.errors.map((e) => [e.code, e.details.event])).toEqual([
      ['INVALID_PAYLOAD', 'score'],
      ['INVALID_PAYLOAD', 'name'],
    ]);
  });

  it('an exact channel name wins over a prefix', async () => {
    const t = setup({ schemas: { 'room:*': { e: positive }, 'room:lobby': { e: trimmed } } });
    const got: unknown[] = [];
    t.client.channel('room:lobby').subscribe((m) => got.push(m.data));
    await t.clock.flush();
    t.server.publish('room:lobby', 'e', ' x ');
    t.server.publish('room:lobby', 'e', 5);
    await t.clock.flush();
    expect(got).toEqual(['x']);
  });

  it('async validators keep message order, whatever order they finish in', async () => {
    const { schema, waiting } = manualAsyncValidator();
    const t = setup({ schemas: { feed: { n: schema } } });
    const got: unknown[] = [];
    t.client.channel('feed').subscribe((m) => got.push(m.data));
    await t.clock.flush();
    for (const n of [1, 2, -3, 4]) t.server.publish('feed', 'n', n);
    await t.clock.flush();
    // Messages behind a pending validation wait their turn.
    expect(waiting.map((w) => w.value)).toEqual([1]);
    expect(got).toEqual([]);
    for (let i = 0; i < 4; i++) {
      waiting[i]!.release();
      await t.clock.flush();
    }
    expect(got).toEqual([1, 2, 4]);
    expect(t.client.getStats().invalid).toBe(1);
  });
});
