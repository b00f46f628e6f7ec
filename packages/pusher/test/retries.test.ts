import PusherJs from 'pusher-js';
import { WebSocketServer } from 'ws';
import { describe, expect, it } from 'vitest';
import type { PusherConstructor } from '../src/index.js';
import { connected, onCleanup, peer, proxy, pusherClient, quietPeriod, status, subscribed, waitFor } from './helpers.js';

// pusher-js would retry 1 s after a drop (and twice after a 4200 close); a quiet period longer than
// that, with the core's own retry held back, shows that only the core reconnects.
const PUSHER_JS_RETRY_MS = 1000;
const QUIET_MS = PUSHER_JS_RETRY_MS + 500;

/** Backoff that waits ~2 s before the first retry (random pinned near 1). */
const slowBackoff = { backoff: { baseMs: 2000, capMs: 2000, wakeJitterMs: 20 }, platform: { random: () => 0.99 } };

describe('exactly one layer retries: the core', () => {
  it('a dropped connection: pusher-js does not reconnect; the core does, once, when its backoff says', async () => {
    const p = await peer();
    const px = await proxy(p.port);
    const a = pusherClient(px.port, {}, slowBackoff);
    a.listen('news');
    await subscribed(a, 'news');
    expect(p.accepted).toBe(1);
    px.cut();
    await waitFor(() => status(a) === 'reconnecting', 'the drop noticed');
    expect(a.client.getSnapshot().retryInMs).toBeGreaterThan(QUIET_MS);
    await quietPeriod(QUIET_MS);
    expect(p.accepted).toBe(1); // pusher-js's own 1 s retry never ran
    await connected(a, 5000);
    await subscribed(a, 'news');
    await quietPeriod(QUIET_MS);
    expect(p.accepted).toBe(2);
    expect(a.client.getStats().connects).toBe(2);
  });

  it('a 4200 close (pusher-js schedules two retries for it): one reconnect, at once', async () => {
    const p = await peer();
    const a = pusherClient(p.port);
    a.listen('news');
    await subscribed(a, 'news');
    p.error(4200, 'Generic reconnect immediately', true);
    await waitFor(() => a.client.getStats().connects === 2 && status(a) === 'connected', 'reconnected');
    await quietPeriod(QUIET_MS);
    expect(p.accepted).toBe(2);
    expect(a.client.getSnapshot().status).toBe('connected');
  });

  it('a pusher:error 4200 the server does not follow with a close still ends the connection, once', async () => {
    const p = await peer();
    const a = pusherClient(p.port);
    a.client.connect();
    await connected(a);
    p.error(4200, 'Reconnect now', false);
    await waitFor(() => a.client.getStats().connects === 2, 'reconnected');
    await quietPeriod(QUIET_MS);
    expect(p.accepted).toBe(2);
  });

  it('a handshake refused with 4200: one more attempt, at once', async () => {
    const p = await peer();
    p.refuseHandshakes(4200, 'Reconnect now', 1);
    const a = pusherClient(p.port);
    a.client.connect();
    await connected(a);
    await quietPeriod(QUIET_MS);
    expect(p.accepted).toBe(2);
  });

  it('a handshake refused with 4100 (back off): the core waits its capped delay, pusher-js does not retry after 1 s', async () => {
    const p = await peer();
    p.refuseHandshakes(4100, 'Over capacity', 1);
    const a = pusherClient(p.port, {}, { backoff: { baseMs: 50, capMs: 2000, wakeJitterMs: 20 } });
    a.client.connect();
    await waitFor(() => a.client.getSnapshot().lastError !== null, 'refused');
    const snapshot = a.client.getSnapshot();
    expect(snapshot.lastError).toMatchObject({ code: 'RATE_LIMITED', details: { closeCode: 1013 } });
    expect(snapshot.retryInMs).toBeGreaterThanOrEqual(2000);
    await quietPeriod(QUIET_MS);
    expect(p.accepted).toBe(1);
    a.client.reconnect();
    await connected(a);
    expect(p.accepted).toBe(2);
  });

  it('one pusher-js instance serves every attempt, and is listed in Pusher.instances only while connected', async () => {
    let created = 0;
    class Counting extends PusherJs {
      constructor(...args: ConstructorParameters<typeof PusherJs>) {
        super(...args);
        created++;
      }
    }
    const p = await peer();
    const px = await proxy(p.port);
    const before = PusherJs.instances.length;
    const a = pusherClient(px.port, { Pusher: Counting as PusherConstructor });
    a.client.connect();
    await connected(a);
    for (const n of [2, 3]) {
      px.cut();
      await waitFor(() => a.client.getStats().connects === n && status(a) === 'connected', `connection ${n}`);
    }
    expect(created).toBe(1);
    expect(PusherJs.instances.length).toBe(before + 1);
    a.client.destroy();
    expect(PusherJs.instances.length).toBe(before);
  });

  it('a server that never completes the handshake: the attempt times out (connectTimeoutMs) and is retried', async () => {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise((resolve) => wss.once('listening', resolve));
    let connections = 0;
    wss.on('connection', () => connections++);
    onCleanup(() => {
      for (const socket of wss.clients) socket.terminate();
      return new Promise((resolve) => wss.close(resolve));
    });
    const port = (wss.address() as { port: number }).port;
    const a = pusherClient(port, { connectTimeoutMs: 300, userAuthEndpoint: undefined });
    a.client.connect();
    await waitFor(() => a.client.getSnapshot().lastError !== null, 'timed out');
    expect(a.client.getSnapshot().lastError).toMatchObject({ code: 'CONNECTION_LOST', message: expect.stringMatching(/Connect timeout/) });
    await waitFor(() => connections >= 2, 'retried');
    expect(status(a)).not.toBe('connected');
  });
});
