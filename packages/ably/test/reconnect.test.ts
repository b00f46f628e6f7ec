import type { ConnectionSnapshot } from '@switchboard/core';
import { afterEach, describe, expect, it } from 'vitest';
import { World, waitFor } from './helpers.js';

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('ably: exactly one layer retries (ably-js; the core waits)', () => {
  let world: World | null = null;
  afterEach(async () => {
    await world?.cleanup();
    world = null;
  });

  it('one drop → one reconnect sequence: one new connection, the same (resumed) session, no retry scheduled by the core', async () => {
    world = await World.start();
    const proxy = await world.proxy();
    const a = world.client({ via: proxy });
    a.listen('room');
    await a.subscribed('room');
    const session = a.client.getSnapshot().sessionId;
    expect(world.peer.connectAttempts).toBe(1);
    const waiting: ConnectionSnapshot[] = [];
    a.client.subscribe(() => {
      const snapshot = a.client.getSnapshot();
      if (snapshot.status === 'reconnecting') waiting.push(snapshot);
    });

    proxy.cut();
    await waitFor(() => a.client.getStats().connects === 2 && a.client.channel('room').status.getSnapshot().status === 'subscribed', 'reconnected');
    // Longer than both layers' retry delays (ably-js 300 ms, the core's backoff cap 400 ms): had the core
    // scheduled a retry of its own, a second connection would show up here.
    await delay(700);

    expect(world.peer.connectAttempts).toBe(2);
    expect(world.peer.sessions()).toBe(1);
    expect(a.statuses).toEqual(['connecting', 'connected', 'reconnecting', 'connected']);
    expect(waiting.length).toBeGreaterThan(0);
    expect(waiting.every((s) => s.retryInMs === null && s.nextRetryAt === null)).toBe(true);
    expect(waiting[0]?.lastError?.code).toBe('CONNECTION_LOST');
    expect(a.client.getSnapshot().sessionId).toBe(session);
    expect(a.errors).toEqual([]);
  });

  it('while the server is down ably-js keeps retrying on its own schedule; the core counts the attempts and schedules nothing', async () => {
    world = await World.start();
    const proxy = await world.proxy();
    const a = world.client({ via: proxy });
    a.listen('room');
    await a.subscribed('room');
    const before = world.peer.connectAttempts;
    const waiting: ConnectionSnapshot[] = [];
    a.client.subscribe(() => waiting.push(a.client.getSnapshot()));

    proxy.refuse();
    proxy.cut();
    await waitFor(() => a.client.getSnapshot().attempt >= 3, () => `three failed attempts (attempt ${a.client.getSnapshot().attempt})`);
    expect(a.client.getSnapshot()).toMatchObject({ status: 'reconnecting', retryInMs: null, nextRetryAt: null });
    // Refused attempts never reach the peer: ably-js alone is trying.
    expect(world.peer.connectAttempts).toBe(before);

    proxy.heal();
    await a.subscribed('room');
    await a.connected();
    expect(world.peer.connectAttempts).toBe(before + 1);
    expect(world.peer.sessions()).toBe(1);
    expect(waiting.filter((s) => s.status !== 'connected').every((s) => s.retryInMs === null)).toBe(true);
  });

  it('reconnect() while ably-js is retrying replaces its client, recovering the connection (never two at once)', async () => {
    world = await World.start();
    const proxy = await world.proxy();
    const a = world.client({ via: proxy });
    const got = a.listen('room');
    await a.subscribed('room');
    const session = a.client.getSnapshot().sessionId;
    let gaps = 0;
    a.client.channel('room').onDiscontinuity(() => gaps++);

    proxy.refuse();
    proxy.cut();
    await a.status('reconnecting');
    await world.peer.publish('room', 'missed', 1);
    a.client.reconnect();
    proxy.heal();
    await a.subscribed('room');
    await waitFor(() => got.length === 1, 'the message published while offline');

    expect(world.peer.sessions()).toBe(1);
    expect(a.client.getSnapshot().sessionId).toBe(session);
    expect(gaps).toBe(0);
  });

  it('the core stopping (nothing subscribed any more) closes the ably-js client: no session is left', async () => {
    world = await World.start();
    const a = world.client();
    const off = a.client.channel('room').subscribe(() => {});
    await a.subscribed('room');
    expect(world.peer.sessions()).toBe(1);
    off();
    await waitFor(() => a.client.getSnapshot().status === 'idle', 'idle after the linger', 5000);
    await waitFor(() => world!.peer.sessions() === 0, 'the session closed');
  });
});
