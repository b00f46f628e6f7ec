import type { Message, RealtimeError } from '@switchboard/core';
import { afterEach, describe, expect, it } from 'vitest';
import { World, waitFor } from './helpers.js';

const rejection = (promise: Promise<unknown>) => promise.then(() => null, (error: unknown) => error as RealtimeError);

describe('ably: publish (acked, at-least-once, idempotent by message id)', () => {
  let world: World | null = null;
  afterEach(async () => {
    await world?.cleanup();
    world = null;
  });

  it('resolves on the ACK; the outbox id is the Ably message id; the publisher recognises its own echo', async () => {
    world = await World.start();
    const [a, b] = [world.client(), world.client()];
    const seenA: Message[] = [];
    const seenB: Message[] = [];
    a.client.channel('chat').subscribe((m) => seenA.push(m));
    b.client.channel('chat').subscribe((m) => seenB.push(m));
    await Promise.all([a.subscribed('chat'), b.subscribed('chat')]);
    const result = await a.client.publish('chat', 'text', { hi: 1 });
    expect(result.status).toBe('acked');
    await waitFor(() => seenA.length === 1 && seenB.length === 1, 'both received it');
    expect(seenB[0]).toMatchObject({ channel: 'chat', event: 'text', data: { hi: 1 }, id: result.id, cursor: expect.any(String) });
    expect(seenB[0]?.clientMessageId).toBeUndefined();
    expect(seenA[0]?.clientMessageId).toBe(result.id);
    const frame = world.peer.frames.find((f) => f.action === 15);
    expect((frame?.messages as { id?: string }[])[0]?.id).toBe(result.id);
  });

  it('every JSON value round-trips with its type (numbers and booleans travel as Ably `json` encoding)', async () => {
    world = await World.start();
    const [a, b] = [world.client(), world.client()];
    const got = b.listen('values');
    a.client.connect();
    await Promise.all([b.subscribed('values'), a.connected()]);
    const values = [0, -1.5, true, false, null, 'text', '', [1, 'two', null], { nested: { n: 1 } }];
    for (const value of values) await a.client.publish('values', 'v', value);
    await waitFor(() => got.length === values.length, () => `${values.length} values, got ${got.length}`);
    expect(got).toEqual(values);
  });

  it('the same id published twice is delivered once, and both are acked', async () => {
    world = await World.start();
    const [a, b] = [world.client(), world.client()];
    const got = b.listen('once');
    a.client.connect();
    await Promise.all([b.subscribed('once'), a.connected()]);
    const first = await a.client.publish('once', 'e', 1, { id: 'order-7' });
    const second = await a.client.publish('once', 'e', 1, { id: 'order-7' });
    await a.client.publish('once', 'e', 2);
    await waitFor(() => got.length === 2, 'two messages');
    expect([first, second]).toEqual([
      { id: 'order-7', status: 'acked' },
      { id: 'order-7', status: 'acked' },
    ]);
    expect(got).toEqual([1, 2]);
  });

  it('an ack lost with the connection: the message is sent again with the same id after the resume, delivered once, acked', async () => {
    let dropped = false;
    world = await World.start({
      onPublish: (channel) => {
        // The server takes the message, but the connection dies before the ACK leaves.
        if (channel === 'lossy' && !dropped) {
          dropped = true;
          world!.peer.drop();
        }
        return undefined;
      },
    });
    const [a, b] = [world.client(), world.client()];
    const got = b.listen('lossy');
    a.client.connect();
    await Promise.all([b.subscribed('lossy'), a.connected()]);
    const result = await a.client.publish('lossy', 'e', 'exactly-once-on-screen');
    expect(result.status).toBe('acked');
    await waitFor(() => got.length === 1, 'delivered');
    expect(a.client.getStats().connects).toBe(2);
    // Resent at least once more (by ably-js and/or the outbox), deduplicated by id on the server.
    const sent = world.peer.frames.filter((f) => f.action === 15 && (f.messages as { id?: string }[])[0]?.id === result.id);
    expect(sent.length).toBeGreaterThanOrEqual(2);
    await world.peer.publish('lossy', 'e', 'next');
    await waitFor(() => got.length === 2, 'the next message');
    expect(got).toEqual(['exactly-once-on-screen', 'next']);
  });

  it.each([
    [{ code: 42910, statusCode: 429, message: 'rate limit exceeded' }, 'RATE_LIMITED'],
    [{ code: 50000, statusCode: 500, message: 'internal error' }, 'SERVER_ERROR'],
  ] as const)('a transient NACK %o keeps the message (%s, Ably code kept) and the outbox resends it', async (error, code) => {
    let refusals = 0;
    world = await World.start({ onPublish: (channel) => (channel === 'busy' && refusals++ === 0 ? error : undefined) });
    const a = world.client();
    a.client.connect();
    await a.connected();
    const result = a.client.publish('busy', 'e', { n: 1 });
    await waitFor(() => a.client.outbox.getSnapshot().pending[0]?.error?.code === code, 'kept after the nack');
    expect(a.client.outbox.getSnapshot().pending[0]?.error?.details).toMatchObject({ ablyCode: error.code, status: error.statusCode });
    expect(await result).toMatchObject({ status: 'acked' });
    expect(refusals).toBe(2);
    expect(a.client.outbox.getSnapshot().failed).toEqual([]);
    expect(a.client.getSnapshot().status).toBe('connected');
  });

  it.each([[{ code: 40160, statusCode: 401, message: 'not permitted' }, 'PUBLISH_REJECTED']] as const)('a NACK %o rejects the publish with %s (Ably code kept); the connection stays up', async (error, code) => {
    world = await World.start({ onPublish: (channel) => (channel === 'locked' ? error : undefined) });
    const a = world.client();
    a.client.connect();
    await a.connected();
    const refused = await rejection(a.client.publish('locked', 'e', { n: 1 }));
    expect(refused).toMatchObject({ code, details: { ablyCode: error.code, status: error.statusCode, channel: 'locked', transport: 'ably' } });
    expect(refused?.details.messageId).toEqual(expect.any(String));
    expect(a.client.outbox.getSnapshot().failed.map((f) => f.id)).toEqual([refused?.details.messageId]);
    expect(await a.client.publish('open', 'e', 1)).toMatchObject({ status: 'acked' });
    expect(a.client.getSnapshot().status).toBe('connected');
  });

  it('publishing on a channel Ably refused is rejected at once (not kept until the TTL)', async () => {
    world = await World.start({ refuseChannel: (channel) => channel.includes('denied') });
    const a = world.client();
    a.listen('denied');
    await waitFor(() => a.client.channel('denied').status.getSnapshot().status === 'failed', 'the channel failed');
    const refused = await rejection(a.client.publish('denied', 'e', 1));
    expect(refused).toMatchObject({ code: 'PUBLISH_REJECTED', details: { channel: 'denied', transport: 'ably' } });
    expect(a.client.getSnapshot().status).toBe('connected');
  });

  it("a message above the connection's maxMessageSize is refused before it is sent (FRAME_TOO_LARGE)", async () => {
    world = await World.start({ maxMessageSize: 4096 });
    const a = world.client({ client: { outbox: { maxMessageBytes: 1024 * 1024 } } });
    a.client.connect();
    await a.connected();
    const refused = await rejection(a.client.publish('room', 'e', { big: 'x'.repeat(8192) }));
    expect(refused).toMatchObject({ code: 'FRAME_TOO_LARGE', details: { ablyCode: 40009 } });
    expect(world.peer.frames.filter((f) => f.action === 15)).toEqual([]);
    expect(a.client.getSnapshot().status).toBe('connected');
  });

  it('publishing while disconnected waits in the outbox and goes out once ably-js has reconnected', async () => {
    world = await World.start();
    const proxy = await world.proxy();
    const a = world.client({ via: proxy });
    const b = world.client();
    const got = b.listen('later');
    a.client.connect();
    await Promise.all([a.connected(), b.subscribed('later')]);
    proxy.refuse();
    proxy.cut();
    await a.status('reconnecting');
    const pending = a.client.publish('later', 'e', 'queued');
    expect(a.client.outbox.getSnapshot().pending.map((p) => p.state)).toEqual(['queued']);
    proxy.heal();
    expect(await pending).toMatchObject({ status: 'acked' });
    await waitFor(() => got.length === 1, 'delivered');
    expect(got).toEqual(['queued']);
  });
});
