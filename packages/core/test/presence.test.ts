import { describe, expect, it } from 'vitest';
import { createClient } from '../src/client.js';
import type { Transport, TransportHandler } from '../src/transport.js';
import { createFakeClock, createFakeTransport } from '../src/testing/index.js';
import { setup } from './helpers.js';

describe('presence', () => {
  it('tracks join / update / leave / sync and this client as `me`', async () => {
    const t = setup({ transport: { memberId: 'me-1' } });
    t.server.join('room', { id: 'ann', data: { name: 'Ann' } });
    const presence = t.client.channel('room').presence;
    const off = presence.subscribe(() => {});
    await t.clock.flush();
    expect(presence.getSnapshot()).toMatchObject({ synced: true, me: null, members: [{ id: 'ann' }] });

    presence.enter({ name: 'Me' });
    expect(presence.getSnapshot().me).toEqual({ id: 'me-1', data: { name: 'Me' } }); // optimistic
    await t.clock.flush();
    expect(presence.getSnapshot().members.map((m) => m.id)).toEqual(['ann', 'me-1']);

    t.server.join('room', { id: 'bob', data: { name: 'Bob' } });
    t.server.join('room', { id: 'ann', data: { name: 'Ann B.' } }); // an update
    t.server.leave('room', 'bob');
    await t.clock.flush();
    expect(presence.getSnapshot().members).toEqual([
      { id: 'ann', data: { name: 'Ann B.' } },
      { id: 'me-1', data: { name: 'Me' } },
    ]);

    presence.leave();
    await t.clock.flush();
    expect(presence.getSnapshot()).toMatchObject({ me: null, members: [{ id: 'ann' }] });
    off();
  });

  it('throttles outgoing updates to one per 60 ms, last value wins', async () => {
    const t = setup();
    const presence = t.client.channel('cursors').presence;
    presence.enter({ x: 0 });
    await t.clock.advance(100); // enter() itself counts as the window's leading send
    t.server.clearOps();
    for (let x = 1; x <= 10; x++) {
      presence.update({ x });
      await t.clock.advance(5);
    }
    await t.clock.advance(100);
    const sent = t.server.opsOf('presence').map((op) => ({ at: op.at, op: op.op }));
    // Leading edge at once, then one per window carrying the latest value.
    expect(sent.map((s) => s.op)).toEqual([
      { action: 'update', data: { x: 1 } },
      { action: 'update', data: { x: 10 } },
    ]);
    expect(sent[1]!.at - sent[0]!.at).toBe(60);
    expect(presence.getSnapshot().me?.data).toEqual({ x: 10 });
  });

  it('can be configured with a different throttle', async () => {
    const t = setup({ presence: { throttleMs: 200 } });
    const presence = t.client.channel('c').presence;
    presence.enter(0);
    await t.clock.advance(300);
    t.server.clearOps();
    for (let i = 1; i <= 40; i++) {
      presence.update(i);
      await t.clock.advance(10);
    }
    await t.clock.advance(200);
    expect(t.server.opsOf('presence').map((op) => (op.op as { data: number }).data)).toEqual([1, 20, 40]);
  });

  it('re-enters with the latest data after a reconnect and resyncs members', async () => {
    const t = setup({ transport: { memberId: 'me' } });
    const presence = t.client.channel('room').presence;
    presence.enter({ status: 'away' });
    await t.clock.flush();
    presence.update({ status: 'busy' });
    t.server.drop();
    await t.clock.flush();
    expect(presence.getSnapshot().synced).toBe(false);
    await t.clock.advance(1000);
    expect(t.server.members('room')).toEqual([{ id: 'me', data: { status: 'busy' } }]);
    expect(presence.getSnapshot().synced).toBe(true);
  });

  it('two clients see each other join and leave', async () => {
    const clock = createFakeClock();
    const a = createFakeTransport({ clock, memberId: 'alice' });
    const b = createFakeTransport({ clock, server: a.server, memberId: 'bob' });
    const alice = createClient({ transport: a, platform: clock });
    const bob = createClient({ transport: b, platform: clock });
    alice.channel('room').presence.enter({ name: 'Alice' });
    const bobView = bob.channel('room').presence;
    bobView.enter({ name: 'Bob' });
    await clock.flush();
    expect(bobView.getSnapshot().members.map((m) => m.id).sort()).toEqual(['alice', 'bob']);
    alice.destroy();
    await clock.flush();
    expect(bobView.getSnapshot().members.map((m) => m.id)).toEqual(['bob']);
    bob.destroy();
  });

  it('keeps the snapshot reference when an event changes nothing', async () => {
    const t = setup();
    const presence = t.client.channel('room').presence;
    presence.subscribe(() => {});
    await t.clock.flush();
    const before = presence.getSnapshot();
    t.server.leave('room', 'nobody');
    await t.clock.flush();
    expect(presence.getSnapshot()).toBe(before);
  });

  it('entering holds the channel (and the connection) until leave()', async () => {
    const t = setup();
    const presence = t.client.channel('room').presence;
    presence.enter({});
    await t.clock.advance(10_000);
    expect(t.client.getSnapshot().status).toBe('connected');
    presence.leave();
    await t.clock.advance(2000);
    expect(t.client.getSnapshot().status).toBe('idle');
  });

  it('a transport without presence throws CAPABILITY_MISSING naming it and the alternatives', () => {
    const t = setup({ transport: { name: 'no-presence', capabilities: { presence: false } } });
    expect(() => t.client.channel('room').presence).toThrowError(/no-presence transport does not support presence\. Use a transport with presence/);
    try {
      void t.client.channel('room').presence;
    } catch (error) {
      expect(error).toMatchObject({ code: 'CAPABILITY_MISSING', details: { transport: 'no-presence', capability: 'presence' } });
    }
  });
});

describe('presence: a per-channel member id', () => {
  it('`me` uses the id the transport reports for the channel (e.g. the user id signed for presence-*)', async () => {
    const clock = createFakeClock();
    let handler!: TransportHandler;
    const transport: Transport = {
      name: 'signed',
      capabilities: createFakeTransport().capabilities,
      open(h) {
        handler = h;
        queueMicrotask(() => h.open({ memberId: 'connection-7' }));
        return {
          subscribe: (channel) => queueMicrotask(() => h.subscribed(channel, { memberId: 'user-42' })),
          unsubscribe() {},
          publish() {},
          presence: (channel, op) => op.action !== 'leave' && queueMicrotask(() => h.presence(channel, { action: 'join', member: { id: 'user-42', data: op.data } })),
          close() {},
        };
      },
    };
    const client = createClient({ transport, platform: clock });
    const presence = client.channel('presence-room').presence;
    presence.enter({ name: 'Ann' });
    await clock.flush();
    expect(presence.getSnapshot().me).toEqual({ id: 'user-42', data: { name: 'Ann' } });
    expect(presence.getSnapshot().members).toEqual([{ id: 'user-42', data: { name: 'Ann' } }]);
    expect(handler).toBeDefined();
    client.destroy();
  });
});

describe('presence holds', () => {
  it('enter() through one channel handle and leave() through another release the channel', async () => {
    const t = setup();
    t.client.channel('room').presence.enter({ name: 'a' });
    await t.clock.flush();
    expect(t.server.subscribedChannels().has('room')).toBe(true);
    t.client.channel('room').presence.leave(); // a different handle of the same channel
    await t.clock.advance(2000);
    expect(t.server.subscribedChannels().has('room')).toBe(false);
    expect(t.client.getSnapshot().status).toBe('idle');
  });
});
